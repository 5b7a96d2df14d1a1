"""What a file's structure shows, read from CPython's `ast`, so that libcst parses a file
only for the rules that can still fire in it.

The word pre-filter (`checks.prefilter`) lets through most files of a service: rule words
(`session`, `Column`, `password`, route decorators) are in most of them. CPython has
already parsed every checked file (the engine asks its parser first, `_cpython_verdict`),
and its tree is about 14 times cheaper to get than libcst's. One pass over that tree
collects the facts below; each rule may state, with `Rule.may_fire_in(structure)`, a
condition on them without which it cannot report anything.

Like the word pre-filter, a screen is exact, never a guess: it may let a file through that
the rule then finds clean, never the reverse. So each fact is a superset of what the libcst
rules can see:
- `qualified(expr)` gives every name an expression may resolve to through the imports of
  the file, wherever they are (the libcst traversal binds imports in order and honours
  shadowing locals; a superset of its answers is every binding any import makes);
- calls are recorded with the innermost function kind they are in (`async def` or not,
  counting lambdas and nested `def`s as the rules do) and flattened over the whole file;
  calls and raises also with the definitions around them (`Enclosing`: bodies, as the
  walk enters them, after their decorators, defaults and annotations);
- a name's bindings (`NameBindings`) are every one of them in the file, whatever the scope
  (the traversal's lookup, in order and scope by scope, finds one of them);
- string constants are CPython's evaluated values (implicit concatenation joined, where
  libcst sees its parts: a screen tests a part's property on the whole with `search`).
A screen may also leave code out on what the rule reads of it, where that answer is the
same wherever the walk reads it: an import read before the walk that nothing else in the
file rebinds (`resolves_only_to`), a class of the module (`_read_up_front`).
A file CPython cannot parse (newer syntax than this interpreter's) has no structure and is
parsed for every rule the words allow. `tests/test_prefilter.py` and
`benchmarks/prefilter_equivalence.py` compare every finding with and without the screens.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePath
from typing import NamedTuple, TypeVar, cast

from checks.context import (
    EVERY_ELEMENT_READ,
    FIRST_ELEMENT_READ,
    INSTANCE_CONSTRUCTORS,
    INSTANCE_COPIERS,
    PYDANTIC_MODEL_BASES,
)
from checks.lazy import lazy_pattern
from checks.project import DECLARATIVE_BASE_FACTORIES, absolute_module

_T = TypeVar("_T")

#: FastAPI's route decorators: `@router.get(...)` (as `checks.context.route_decorator`).
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "options", "head", "api_route"})


#: A string the rules may read as an annotation (`"list[User] | None"`): names, dots,
#: brackets, commas, pipes, quotes and spaces only.
_ANNOTATION_TEXT = lazy_pattern(r"[\w.\[\],|'\"\s]*")
_DOTTED = lazy_pattern(r"[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*")


#: a function, a lambda or a class: what `Enclosing` records
Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef


class Enclosing(NamedTuple):
    """A definition whose body holds some code, and the one around it (None: the module).
    Its decorators, bases, defaults and annotations are outside it, as for the engine's
    walk (`FileContext.enter_function` and `enter_class` come after them)."""

    node: Definition
    outer: Enclosing | None


def _in_coroutine(enclosing: Enclosing | None) -> bool:
    """Whether an `async def` is among the definitions around some code."""
    return any(isinstance(d, ast.AsyncFunctionDef) for d in definitions_around(enclosing))


def definitions_around(enclosing: Enclosing | None) -> Iterator[Definition]:
    """The functions, lambdas and classes around some code, innermost first."""
    while enclosing is not None:
        yield enclosing.node
        enclosing = enclosing.outer


class CallSite(NamedTuple):
    """A call: the written name of what is called (`a.b.c`, None when it is not a chain of
    names), its last segment, whether the innermost function around it is `async`, and the
    definitions it is in."""

    node: ast.Call
    dotted: str | None
    last: str | None
    in_async: bool
    enclosing: Enclosing | None = None


@dataclass(slots=True)
class NameBindings:
    """Every way the file binds one name, in any scope: a superset of what
    `FileContext.bind` (and FG105's `SqlFlow.bind`) record for it. Bindings they record
    as nothing known (a tuple target, `with ... as`, `+=`, a parameter without
    annotation) and those they do not record (`except ... as`) are not listed."""

    #: what `x = v`, `x: T = v` and `(x := v)` assign
    values: list[ast.expr] = field(default_factory=list)
    #: what `x += v` adds (FG105's `SqlFlow.augmented` renders the text it builds:
    #: `sql += f" AND kind = '{kind}'"`)
    added: list[ast.expr] = field(default_factory=list)
    #: the `T` of `x: T` (annotated assignments and parameters)
    annotations: list[ast.expr] = field(default_factory=list)
    #: what `for x in it` (also in a comprehension) walks
    iterables: list[ast.expr] = field(default_factory=list)
    #: the classes of the methods whose first positional parameter is `x` (`self`)
    methods_of: list[ast.ClassDef] = field(default_factory=list)


@dataclass
class _Facts:
    bindings: dict[str, set[str]] = field(default_factory=dict)
    #: how many import aliases bind each name
    import_counts: dict[str, int] = field(default_factory=dict)
    calls: list[CallSite] = field(default_factory=list)
    functions: list[ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=list)
    classes: list[ast.ClassDef] = field(default_factory=list)
    #: what `raise X` statements raise (not bare re-raises), and where
    raised: list[tuple[ast.expr, Enclosing | None]] = field(default_factory=list)
    import_froms: list[ast.ImportFrom] = field(default_factory=list)
    strings: list[str] = field(default_factory=list)
    #: (name, value): a string assigned to a name or attribute, passed as a keyword, or
    #: stored under a string key of a dict literal
    named_strings: list[tuple[str, str]] = field(default_factory=list)
    #: (name, call): a call held the same ways (its value, or the last operand of an `or`)
    named_calls: list[tuple[str, ast.Call]] = field(default_factory=list)
    dotted: set[str] = field(default_factory=set)
    #: the names of keyword arguments (of calls and class statements)
    keywords: set[str] = field(default_factory=set)
    attributes: set[str] = field(default_factory=set)
    #: calls whose result is dropped or assigned: an `Expr` or `Assign` statement's value
    bare_calls: list[ast.Call] = field(default_factory=list)
    #: the ids of the calls that are a whole statement (an `Expr`'s value): no value
    #: of an assignment, an argument or a dict
    statement_calls: set[int] = field(default_factory=set)
    #: the element of a list or set comprehension that is a whole statement, when it is a
    #: call (`[notify(u) for u in users]`: every result dropped)
    dropped_comprehension_calls: list[ast.Call] = field(default_factory=list)
    #: the calls whose truth an `if`, `while`, `assert` or conditional expression tests
    #: (alone, under `not`, or an operand of `and`/`or`)
    tested_calls: list[ast.Call] = field(default_factory=list)
    #: the calls a sync `for` or comprehension iterates (`for row in rows(...)`)
    iterated_calls: list[ast.Call] = field(default_factory=list)
    has_async: bool = False
    has_await: bool = False
    #: the ids of the calls an `await` applies to (`await f(...)`)
    awaited: set[int] = field(default_factory=set)
    #: an f-string with a `{}`, or `+` / `%` / `.format()` on a string
    interpolates: bool = False
    #: how each name is bound (`NameBindings`)
    names: dict[str, NameBindings] = field(default_factory=dict)
    #: every `return` statement with a value
    returns: list[ast.Return] = field(default_factory=list)
    #: the names written outside annotations (`Structure.names_outside_annotations`)
    written: set[str] = field(default_factory=set)
    #: names bound otherwise than by an import: stored, deleted, or a parameter's
    rebound: set[str] = field(default_factory=set)
    #: `with` statements (not `async with`) and annotated assignments, with the
    #: definitions around them
    withs: list[tuple[ast.With, Enclosing | None]] = field(default_factory=list)
    annotated: list[tuple[ast.AnnAssign, Enclosing | None]] = field(default_factory=list)
    #: the names a `with` or `async with` binds (`as session`, `as (a, b)`)
    with_targets: set[str] = field(default_factory=set)
    #: the attribute names stored or deleted (`self.x = ...`, `del o.x`)
    stored_attributes: set[str] = field(default_factory=set)


#: Nodes with no children whose kind no fact asks: expression contexts and operators.
_LEAVES = (ast.expr_context, ast.operator, ast.boolop, ast.unaryop, ast.cmpop)
#: `_Collector` modes: in an `async def` (not a nested `def` or lambda), in an annotation
_ASYNC, _ANNOTATION = 1, 2
#: the nodes of type parameters (Python 3.12: none before)
_TYPE_PARAMETERS = tuple(
    getattr(ast, name) for name in ("TypeVar", "ParamSpec", "TypeVarTuple") if hasattr(ast, name)
)


def dotted_name(expr: ast.expr) -> str | None:
    """`a.b.c` for a chain of names and attributes, else None."""
    parts: list[str] = []
    while isinstance(expr, ast.Attribute):
        parts.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, ast.Name):
        return None
    parts.append(expr.id)
    return ".".join(reversed(parts))


class Structure:
    """The facts of one parsed file (collected on first use, in one pass)."""

    def __init__(
        self,
        tree: ast.Module,
        module: str | None = None,
        is_package: bool = False,
        layer: str | None = None,
        relative_path: str | None = None,
        path: Path | None = None,
        source: bytes | None = None,
        namespace: str | None = None,
    ) -> None:
        self.tree = tree
        #: the top-level names of the modules the project index can read (None: unknown,
        #: any module may be the project's): a class of another package is no condition
        self.project_packages: frozenset[str] | None = None
        #: the first names `may_be_project_class` answered no for because `project_packages`
        #: lacks them: the screens' answers stand while none of them becomes a package of
        #: the project (a cached result is checked again then: `checks.run.check_files`)
        self.outside_packages: set[str] = set()
        #: the file as the engine was given it
        self.path = path
        self.source = source
        #: the file's layer and its path inside the project, as `FileContext` has them
        self.layer = layer
        self.relative_path = PurePath(relative_path) if relative_path is not None else None
        self.module = module
        self.package = module if is_package else ((module or "").rpartition(".")[0] or None)
        #: the file's package from the project's root (`checks.project.namespace_package`)
        self.namespace = namespace
        #: what the rules' screens compute once for the file (`memo`)
        self._memo: dict[object, object] = {}

    def memo(self, key: object, make: Callable[[], _T]) -> _T:
        """A value a screen computes from this file once, for the rules and screens that
        ask it again (`key`: the screen's own, with what it is of)."""
        if key not in self._memo:
            self._memo[key] = make()
        return cast(_T, self._memo[key])

    @cached_property
    def _facts(self) -> _Facts:
        facts = _Facts()
        _Collector(facts, self.package, self.namespace).run(self.tree)
        return facts

    # ----------------------------------------------------------------- names
    @property
    def bindings(self) -> dict[str, set[str]]:
        """Each name an import binds, with every qualified name some import gives it."""
        return self._facts.bindings

    def qualified(self, dotted: str | None) -> set[str]:
        """Every qualified name a written chain (`t.sleep`) may refer to (`time.sleep`)."""
        if dotted is None:
            return set()
        head, dot, rest = dotted.partition(".")
        return {f"{bound}{dot}{rest}" for bound in self.bindings.get(head, ())}

    @cached_property
    def qualified_names(self) -> frozenset[str]:
        """Every qualified name the file may refer to: any chain of names in its code or
        in a string that may be an annotation, resolved through its imports, and every name
        an import binds."""
        chains = set(self._facts.dotted)
        for text in self._facts.strings:  # string annotations (`"AsyncSession | None"`)
            if _ANNOTATION_TEXT.fullmatch(text):
                chains.update("".join(dotted.split()) for dotted in _DOTTED.findall(text))
        found: set[str] = set()
        for chain in chains:
            head, _, rest = chain.partition(".")
            for bound in self.bindings.get(head, ()):
                found.add(bound)
                for attribute in rest.split(".") if rest else ():
                    bound = f"{bound}.{attribute}"
                    found.add(bound)
        for targets in self.bindings.values():  # what the imports themselves name
            found |= targets
        return frozenset(found)

    def refers_to(self, *names: str) -> bool:
        """Whether a chain of names in the file may refer to one of these qualified names."""
        return not self.qualified_names.isdisjoint(names)

    def imports_from(self, *packages: str) -> bool:
        """Whether an import binds a name of one of these top-level packages."""
        return any(
            bound.split(".", 1)[0] in packages
            for targets in self.bindings.values()
            for bound in targets
        )

    @property
    def chains(self) -> set[str]:
        """Every chain of names written in the code (`a`, `a.b.c`), imports aside."""
        return self._facts.dotted

    @property
    def names_outside_annotations(self) -> set[str]:
        """Every name written outside an annotation (a parameter's, a return's, `x: T`'s),
        as a libcst walk meets its `Name` nodes: read or bound, and the names of
        definitions, parameters, plain imports (`import a.b as c`: `a`, `c`), a `from`
        import's module (`from app.models import X`: `app`), `except ... as`, `global`;
        a `from` import's names, attributes and keyword names aside."""
        return self._facts.written

    def resolves_only_to(self, expr: ast.expr, names: frozenset[str]) -> bool:
        """Whether `FileContext.qualified_name(expr)` is one of `names` wherever the walk
        reads it: a chain of names whose head only imports bind, one of them read before
        the walk (a module-level import), every one to one of `names`, and that nothing
        else in the file binds (a parameter or an assignment may shadow the import)."""
        dotted = dotted_name(expr)
        if dotted is None:
            return False
        head = dotted.partition(".")[0]
        if head not in self._read_up_front[0] or head in self._facts.rebound:
            return False
        found = self.qualified(dotted)
        return bool(found) and found <= names

    def imported_only(self, name: str) -> bool:
        """Whether only a module-level import binds `name` (read before the walk), nothing
        else in the file: wherever the walk reads it, `FileContext` resolves it through
        that import."""
        return name in self._read_up_front[0] and name not in self._facts.rebound

    def may_be_imported_before(self, name: str) -> bool:
        """Whether `FileContext.imports` may hold `name` when the walk meets an import of
        it, before binding it there: a module-level import of it (read before the walk),
        or another import statement of it (met earlier)."""
        return name in self._read_up_front[0] or self._facts.import_counts.get(name, 0) > 1

    def always_imports_from(self, *packages: str) -> bool:
        """Whether `FileContext.imports_module(*packages)` holds wherever the walk is: a
        module-level import (read before the walk) binds a name that every import of it
        binds to a name of these packages."""
        up_front = self._read_up_front[0]
        return any(
            name in up_front and all(target.split(".", 1)[0] in packages for target in targets)
            for name, targets in self.bindings.items()
        )

    @cached_property
    def _read_up_front(self) -> tuple[frozenset[str], frozenset[str]]:
        """What `FileContext` reads before its walk (`_collect_module_level`): the names
        the module's imports bind, and its classes (with those nested right in their
        bodies), also under `if`/`try`/`with`, not in a function."""
        imported: set[str] = set()
        classes: set[str] = set()
        pending: list[ast.stmt] = list(self.tree.body)
        while pending:
            statement = pending.pop()
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    imported.add(alias.asname or alias.name.split(".", 1)[0])
            elif isinstance(statement, ast.ImportFrom):
                imported.update(alias.asname or alias.name for alias in statement.names)
            elif isinstance(statement, ast.ClassDef):
                nested = [statement]
                while nested:
                    cls = nested.pop()
                    classes.add(cls.name)
                    nested.extend(s for s in cls.body if isinstance(s, ast.ClassDef))
            elif isinstance(statement, ast.If | ast.With):
                pending.extend(statement.body)
                if isinstance(statement, ast.If):
                    pending.extend(statement.orelse)
            elif isinstance(statement, ast.Try | ast.TryStar):
                pending.extend(statement.body)
                for handler in statement.handlers:
                    pending.extend(handler.body)
                pending.extend(statement.orelse)
                pending.extend(statement.finalbody)
        imported.discard("*")
        return frozenset(imported), frozenset(classes)

    @property
    def keywords(self) -> set[str]:
        """The names of every keyword argument given to a call or a class statement."""
        return self._facts.keywords

    @property
    def attributes(self) -> set[str]:
        """Every attribute name read, written or called (`x.dict` gives `dict`)."""
        return self._facts.attributes

    @property
    def with_targets(self) -> set[str]:
        """The names a `with` or `async with` binds, anywhere in the file."""
        return self._facts.with_targets

    @property
    def stored_attributes(self) -> set[str]:
        """The attribute names stored or deleted anywhere in the file (`self.x = ...`)."""
        return self._facts.stored_attributes

    @cached_property
    def withs_in_coroutines(self) -> list[ast.With]:
        """The `with` statements (not `async with`) inside an `async def`, at any depth
        (in a function, lambda or class it defines too): those `ast.walk` of each
        coroutine meets, in the file's order of collection."""
        return [node for node, enclosing in self._facts.withs if _in_coroutine(enclosing)]

    @cached_property
    def annotated_in_coroutines(self) -> list[ast.AnnAssign]:
        """The annotated assignments inside an `async def`, at any depth (as above)."""
        return [node for node, enclosing in self._facts.annotated if _in_coroutine(enclosing)]

    @cached_property
    def annotated_within(self) -> dict[int, list[ast.AnnAssign]]:
        """The annotated assignments under each definition (by `id` of its node), at any
        depth: what `ast.walk` of it finds, in the file's order of collection."""
        found: dict[int, list[ast.AnnAssign]] = {}
        for node, enclosing in self._facts.annotated:
            for definition in definitions_around(enclosing):
                found.setdefault(id(definition), []).append(node)
        return found

    # ----------------------------------------------------------------- bindings
    def bindings_of(self, name: str) -> NameBindings:
        """How the file binds `name`, in any scope (`NameBindings`)."""
        return self._facts.names.get(name) or NameBindings()

    @property
    def returns(self) -> list[ast.Return]:
        """Every `return` statement with a value in the file."""
        return self._facts.returns

    def returns_in(self, function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.Return]:
        """The `return` statements with a value inside a function (those of the functions
        nested in it too: a superset of `checks.context.returns_in`)."""
        start = (function.lineno, function.col_offset)
        end = (function.end_lineno or function.lineno, function.end_col_offset or 0)
        return [
            found
            for found in self._facts.returns
            if start <= (found.lineno, found.col_offset)
            and (found.end_lineno or found.lineno, found.end_col_offset or 0) <= end
        ]

    @cached_property
    def _field_annotations(self) -> dict[str, list[ast.expr]]:
        """The annotations of class fields, by field name: `name: T` statements right in a
        class body, as `FileContext.register_class` reads them."""
        found: dict[str, list[ast.expr]] = {}
        for cls in self._facts.classes:
            for statement in cls.body:
                if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                    found.setdefault(statement.target.id, []).append(statement.annotation)
        return found

    def may_infer(self, expr: ast.expr, roots: frozenset[str] | None = None) -> bool:
        """Whether `FileContext.infer(expr)` may know the class of `expr`; given `roots`,
        an instance of it (not the class itself, nor a collection of them) whose class
        `FileContext.derivation(cls, roots)` may find True or a condition. Every binding
        of a name in the file counts, wherever it is (the traversal sees one of them); an
        awaited call, a subscript, an operation or a literal is never inferred."""
        return _Inference(self).may_infer(expr, roots)

    def may_be_local_class(self, name: str) -> bool:
        """Whether `FileContext.classes` may hold `name`: a class of the file, or a
        `Base = declarative_base()` variable."""
        if name in self._local_classes:
            return True
        return self.refers_to(*DECLARATIVE_BASE_FACTORIES) and bool(self.bindings_of(name).values)

    # ----------------------------------------------------------------- classes
    @cached_property
    def _local_classes(self) -> dict[str, list[ast.ClassDef]]:
        found: dict[str, list[ast.ClassDef]] = {}
        for cls in self._facts.classes:
            found.setdefault(cls.name, []).append(cls)
        return found

    def local_classes(self, name: str) -> list[ast.ClassDef]:
        """The file's classes called `name` (at any depth)."""
        return self._local_classes.get(name, [])

    def local_base_names(self, name: str) -> Iterator[str]:
        """The plain names the bases of the file's classes called `name` are written as."""
        return (dotted for dotted, is_name in self._local_bases(name) if is_name)

    def may_derive(self, expr: ast.expr, roots: frozenset[str], *, conditions: bool = True) -> bool:
        """Whether `FileContext.derivation(ctx.class_ref(expr), roots)` may be True or a
        condition for the project index: `expr` names one of `roots`, or a class of this
        file whose bases lead there or out of the file, or a class imported from another
        module (the index settles it), or a `declarative_base()` variable. Without
        `conditions`: only whether the file itself may settle it True."""
        while isinstance(expr, ast.Subscript | ast.Starred):
            expr = expr.value
        dotted = dotted_name(expr)
        if dotted is None:
            return False
        is_name = isinstance(expr, ast.Name)
        return self._name_may_derive(dotted, is_name, roots, set(), conditions)

    def _name_may_derive(
        self, dotted: str, is_name: bool, roots: frozenset[str], seen: set[str], conditions: bool
    ) -> bool:
        local = self._local_classes
        if is_name and dotted in local:
            if dotted in seen:
                return False
            seen.add(dotted)
            for name, base_is_name in self._local_bases(dotted):
                if self._name_may_derive(name, base_is_name, roots, seen, conditions):
                    return True
            if dotted in self._read_up_front[1] or dotted not in self.bindings:
                return False  # `FileContext.class_ref` finds the class, never an import
            # a class defined in a function, and an import of the name: the walk
            # registers the class when it meets it, until then the name is the import's
        candidates = self.qualified(dotted)
        if not roots.isdisjoint(candidates):
            return True
        if not conditions:
            return False
        if any(self.may_be_project_class(c) for c in candidates):
            return True  # another module's class: a condition
        # `Base = declarative_base()`: a class of the file with an imported base
        return is_name and not candidates and self.refers_to(*DECLARATIVE_BASE_FACTORIES)

    def _local_bases(self, name: str) -> Iterator[tuple[str, bool]]:
        """The bases of the file's classes called `name`, as chains of names, each with
        whether it is a plain name (`Generic[T]` is `Generic`)."""
        for cls in self._local_classes[name]:
            for base in cls.bases:
                while isinstance(base, ast.Subscript | ast.Starred):
                    base = base.value
                dotted = dotted_name(base)
                if dotted is not None:
                    yield dotted, isinstance(base, ast.Name)

    def derivation_refs(self, expr: ast.expr) -> set[str] | None:
        """The names a condition of `FileContext.derivation(ctx.class_ref(expr), roots)` may
        ask the project index about where the file does not settle it: every absolute name
        the walk of `may_derive` meets (imported names, and the bases of the file's classes
        it follows); None when it meets what may be a `declarative_base()` variable, whose
        classes this does not follow."""
        while isinstance(expr, ast.Subscript | ast.Starred):
            expr = expr.value
        dotted = dotted_name(expr)
        found: set[str] = set()
        if dotted is None:
            return found
        walked = self._derivation_refs(dotted, isinstance(expr, ast.Name), set(), found)
        return found if walked else None

    def _derivation_refs(self, dotted: str, is_name: bool, seen: set[str], found: set[str]) -> bool:
        local = self._local_classes
        if is_name and dotted in local:
            if dotted in seen:
                return True
            seen.add(dotted)
            for name, base_is_name in self._local_bases(dotted):
                if not self._derivation_refs(name, base_is_name, seen, found):
                    return False
            if dotted in self._read_up_front[1] or dotted not in self.bindings:
                return True
        candidates = self.qualified(dotted)
        found.update(c for c in candidates if not c.startswith("."))
        return not (is_name and not candidates and self.refers_to(*DECLARATIVE_BASE_FACTORIES))

    def may_be_project_class(self, qualified: str) -> bool:
        """Whether the project index may find `qualified` (`app.models.User`): an absolute
        dotted name whose first package the project may hold."""
        if "." not in qualified or qualified.startswith("."):
            return False
        packages = self.project_packages
        if packages is None:
            return True
        first = qualified.partition(".")[0]
        if first in packages:
            return True
        self.outside_packages.add(first)
        return False

    # ----------------------------------------------------------------- calls
    @property
    def calls(self) -> list[CallSite]:
        return self._facts.calls

    def calls_to(self, names: Iterable[str], *, in_async: bool = False) -> Iterator[CallSite]:
        """The calls whose callee may resolve to one of these qualified names."""
        wanted = frozenset(names)
        for call in self._facts.calls:
            if in_async and not call.in_async:
                continue
            if not wanted.isdisjoint(self.qualified(call.dotted)):
                yield call

    def calls_method(self, *names: str, in_async: bool = False) -> bool:
        """Whether a call's callee is an attribute with one of these names (`x.query(...)`)."""
        return any(
            isinstance(call.node.func, ast.Attribute)
            and call.node.func.attr in names
            and (call.in_async or not in_async)
            for call in self._facts.calls
        )

    def calls_named(self, *names: str, in_async: bool = False) -> bool:
        """Whether a call's callee, as written, ends with one of these names."""
        return any(
            call.last in names and (call.in_async or not in_async) for call in self._facts.calls
        )

    def is_awaited(self, call: ast.Call) -> bool:
        """Whether an `await` applies to the call itself (`await f(...)`)."""
        return id(call) in self._facts.awaited

    @property
    def bare_calls(self) -> list[ast.Call]:
        """Calls that are a whole statement or an assignment's value (not awaited)."""
        return self._facts.bare_calls

    @property
    def iterated_calls(self) -> list[ast.Call]:
        """The calls a sync `for` or comprehension iterates (`for row in rows(...)`)."""
        return self._facts.iterated_calls

    @property
    def tested_calls(self) -> list[ast.Call]:
        """The calls whose truth a test takes (`if not exists(...):`, `while poll():`)."""
        return self._facts.tested_calls

    def is_statement(self, call: ast.Call) -> bool:
        """Whether the call is a whole statement (`parser.add_argument(...)`): its result is
        no value of an assignment, an argument or a dict."""
        return id(call) in self._facts.statement_calls

    @property
    def dropped_comprehension_calls(self) -> list[ast.Call]:
        """The calls that are the element of a list or set comprehension that is a whole
        statement (`[notify(u) for u in users]`)."""
        return self._facts.dropped_comprehension_calls

    # ----------------------------------------------------------------- definitions
    @property
    def has_async(self) -> bool:
        """Whether the file has an `async def`, `async for` or `async with`."""
        return self._facts.has_async

    @property
    def has_await(self) -> bool:
        return self._facts.has_await

    @property
    def functions(self) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        return self._facts.functions

    @property
    def classes(self) -> list[ast.ClassDef]:
        return self._facts.classes

    @property
    def raised(self) -> list[ast.expr]:
        """What the file's `raise` statements raise."""
        return [exc for exc, _ in self._facts.raised]

    @property
    def raise_sites(self) -> list[tuple[ast.expr, Enclosing | None]]:
        """What the file's `raise` statements raise, with the definitions around each."""
        return self._facts.raised

    @property
    def import_froms(self) -> list[ast.ImportFrom]:
        """Every `from ... import` statement, at any depth."""
        return self._facts.import_froms

    def defines(self, name: str) -> bool:
        """Whether a function of that name is defined anywhere in the file."""
        return any(function.name == name for function in self._facts.functions)

    @cached_property
    def routes(self) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        """Functions decorated as FastAPI routes, when the file imports from fastapi."""
        if not self.imports_from("fastapi"):
            return []
        return [function for function in self.functions if ast_route_decorator(function)]

    # ----------------------------------------------------------------- strings
    @property
    def strings(self) -> list[str]:
        """Every string constant's value (bytes decoded as Latin-1), f-string parts
        included."""
        return self._facts.strings

    @property
    def named_strings(self) -> list[tuple[str, str]]:
        return self._facts.named_strings

    @property
    def named_calls(self) -> list[tuple[str, ast.Call]]:
        """(name, call): a call assigned to a name or attribute, passed as a keyword, or
        stored under a string key of a dict literal (or the last operand of an `or` there)."""
        return self._facts.named_calls

    @property
    def interpolates(self) -> bool:
        """Whether text is built from pieces somewhere: an f-string with a `{}`, or `+`,
        `%` or `.format()` on a string."""
        return self._facts.interpolates


class _Inference:
    """`Structure.may_infer`: `FileContext.infer`, `lookup` and `annotation_type` read
    on CPython's tree, answering a superset of theirs.

    A name is followed through every binding of it; a name met again on the way in counts
    for nothing (what it holds comes from its other bindings). Past `_STEPS` names
    followed, the answer is yes."""

    _STEPS = 2_000

    def __init__(self, structure: Structure) -> None:
        self.structure = structure
        self.following: set[tuple[str, bool]] = set()
        self.steps = 0

    def may_infer(self, expr: ast.expr, roots: frozenset[str] | None) -> bool:
        if isinstance(expr, ast.Name):
            return self._name(expr.id, roots)
        if isinstance(expr, ast.Call):
            return self._call(expr, roots)
        if isinstance(expr, ast.Attribute):
            # a field annotated in a class of the file, read on an instance of the class
            fields = self.structure._field_annotations.get(expr.attr, ())
            return any(self.annotation(a, roots) for a in fields) and self.may_infer(
                expr.value, None
            )
        if isinstance(expr, ast.ListComp | ast.SetComp | ast.GeneratorExp):
            # `[Model(...) for row in rows]`: a collection of what its call makes (asked
            # as an iterable, `bind_loop_target`; never an instance itself)
            return (
                roots is None and isinstance(expr.elt, ast.Call) and self.may_infer(expr.elt, None)
            )
        return False

    def _name(self, name: str, roots: frozenset[str] | None) -> bool:
        """`FileContext.lookup`: what any binding of `name` gives."""
        key = (name, roots is None)
        if key in self.following:
            return False
        self.steps += 1
        if self.steps > self._STEPS:
            return True
        bound = self.structure.bindings_of(name)
        self.following.add(key)
        try:
            return (
                any(self.may_infer(value, roots) for value in bound.values)
                or any(self.annotation(a, roots) for a in bound.annotations)
                # `bind_loop_target`: an element of what `infer(iterable)` gives
                or any(self.may_infer(iterable, None) for iterable in bound.iterables)
                or any(  # `self`: an instance of the method's class
                    roots is None or self._may_derive(_name_of(cls), roots)
                    for cls in bound.methods_of
                )
            )
        finally:
            self.following.discard(key)

    def _call(self, call: ast.Call, roots: frozenset[str] | None) -> bool:
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr in INSTANCE_CONSTRUCTORS:  # `Model.model_validate(data)`
                return self._class_ref(func.value, roots) or self._holds_class(func.value)
            if func.attr in INSTANCE_COPIERS:  # `item.model_copy()`
                return self.may_infer(func.value, roots)
        elif not isinstance(func, ast.Name):
            return isinstance(func, ast.Subscript)  # `Page[Item](...)`: not followed here
        # `Model(...)`: `class_ref(func)` names a class of the file, a model base or a
        # CapWords import; or `func` holds a class (`schema: type[Model]`)
        return self._constructor(func, roots) or self._holds_class(func)

    def _constructor(self, func: ast.Name | ast.Attribute, roots: frozenset[str] | None) -> bool:
        structure = self.structure
        if isinstance(func, ast.Name):
            candidates = structure.bindings.get(func.id, set())
            class_like = structure.may_be_local_class(func.id) or any(
                _names_a_class(ref) for ref in candidates
            )
        else:
            class_like = any(_names_a_class(ref) for ref in structure.qualified(dotted_name(func)))
        return class_like and (roots is None or self._may_derive(func, roots))

    def _holds_class(self, expr: ast.expr) -> bool:
        """`FileContext._held_class`: a name or attribute inferred as a class."""
        return isinstance(expr, ast.Name | ast.Attribute) and self.may_infer(expr, None)

    def _class_ref(self, expr: ast.expr, roots: frozenset[str] | None) -> bool:
        """Whether `FileContext.class_ref(expr)` may name a class (given `roots`: one
        whose derivation may not be False)."""
        structure = self.structure
        if roots is not None:
            return self._may_derive(expr, roots)
        while isinstance(expr, ast.Subscript):
            expr = expr.value
        if isinstance(expr, ast.Name):
            return structure.may_be_local_class(expr.id) or expr.id in structure.bindings
        if isinstance(expr, ast.Attribute):
            return bool(structure.qualified(dotted_name(expr)))
        return False

    def _may_derive(self, expr: ast.expr, roots: frozenset[str]) -> bool:
        """`Structure.may_derive`, and for a name both imported and given to a class of
        the file, the import too (`class_ref` reads it before a class defined in a
        function is registered)."""
        structure = self.structure
        if structure.may_derive(expr, roots):
            return True
        while isinstance(expr, ast.Subscript | ast.Starred):
            expr = expr.value
        return isinstance(expr, ast.Name) and any(
            ref in roots or structure.may_be_project_class(ref)
            for ref in structure.qualified(expr.id)
        )

    def annotation(self, annotation: ast.expr, roots: frozenset[str] | None) -> bool:
        """`FileContext.annotation_type`: `M`, `"M"`, `M | None`, `Optional[M]`,
        `list[M]`, `type[M]`... (any element of a subscript may be the one it reads)."""
        if isinstance(annotation, ast.Name) and self._type_var_bound(annotation.id, roots):
            return True
        if isinstance(annotation, ast.Name | ast.Attribute):
            return self._class_ref(annotation, roots)
        if isinstance(annotation, ast.Constant):
            text = annotation.value.strip() if isinstance(annotation.value, str) else ""
            if not text:
                return False
            try:
                parsed = ast.parse(text, mode="eval").body
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return True  # libcst may read what CPython does not
            return self.annotation(parsed, roots)
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            return self.annotation(annotation.left, roots) or self.annotation(
                annotation.right, roots
            )
        if isinstance(annotation, ast.Subscript):
            index = annotation.slice
            elements = index.elts if isinstance(index, ast.Tuple) else [index]
            # `_subscript_type`: the first element of `Optional[M]`, `list[M]`, `type[M]`;
            # any of `Union[...]`; nothing of another subscript (`dict[K, V]`, `Page[M]`)
            outer = annotation.value
            written = dotted_name(outer) if isinstance(outer, ast.Name | ast.Attribute) else None
            if written is None:
                return any(self.annotation(element, roots) for element in elements)
            names = {written, *self.structure.qualified(written)}
            if not names.isdisjoint(EVERY_ELEMENT_READ):
                return any(self.annotation(element, roots) for element in elements)
            if not names.isdisjoint(FIRST_ELEMENT_READ):
                return bool(elements) and self.annotation(elements[0], roots)
            return False
        return False

    def _type_var_bound(self, name: str, roots: frozenset[str] | None) -> bool:
        """`FileContext._type_var_bounds_of`: any call binding `name` with a `bound=`
        (`T = TypeVar("T", bound=Model)`), whose bound the annotation may read."""
        key = (f"bound {name}", roots is None)
        if key in self.following:
            return False
        self.following.add(key)
        try:
            return any(
                keyword.arg == "bound" and self.annotation(keyword.value, roots)
                for value in self.structure.bindings_of(name).values
                if isinstance(value, ast.Call)
                for keyword in value.keywords
            )
        finally:
            self.following.discard(key)


def _names_a_class(ref: str) -> bool:
    """Whether `FileContext.infer` takes a call of `ref` for an instance of it: a model
    base, or a CapWords name (`checks.summary.is_class_name`)."""
    name = ref.rpartition(".")[2]
    return ref in PYDANTIC_MODEL_BASES or (name[:1].isupper() and not name.isupper())


def _name_of(cls: ast.ClassDef) -> ast.Name:
    return ast.Name(id=cls.name, ctx=ast.Load())


def ast_route_decorator(function: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.Call | None:
    """The `@router.get(...)` decorator of a function, as the libcst rules find it."""
    for decorator in function.decorator_list:
        if (
            isinstance(decorator, ast.Call)
            and isinstance(decorator.func, ast.Attribute)
            and decorator.func.attr in ROUTE_METHODS
            and dotted_name(decorator.func.value) is not None
        ):
            return decorator
    return None


def keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((k for k in call.keywords if k.arg == name), None)


def _fallback_string(node: ast.expr | None) -> str | None:
    """`_string` of a value, or of the last operand of an `or` (`os.getenv("X") or
    "..."`: the fallback the code runs with)."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return _fallback_string(node.values[-1])
    return _string(node)


def _fallback_call(node: ast.expr | None) -> ast.Call | None:
    """A call that is the value, or the last operand of an `or` (as `_fallback_string`)."""
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        return _fallback_call(node.values[-1])
    return node if isinstance(node, ast.Call) else None


def _string(node: ast.expr | None) -> str | None:
    """A string constant's value; a bytes constant's, decoded as Latin-1 (a key given as
    bytes: `AUTH_SECRET: bytes = b"..."`)."""
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return node.value
        if isinstance(node.value, bytes):
            return node.value.decode("latin-1")
    return None


class _Collector:
    """One recursive pass over the tree (faster than `ast.walk` plus isinstance tests)."""

    def __init__(self, facts: _Facts, package: str | None, namespace: str | None = None) -> None:
        self.facts = facts
        self.package = package
        self.namespace = namespace

    def run(self, tree: ast.Module) -> None:
        # an explicit stack: deep trees CPython accepted must not exhaust Python's. Each
        # node comes with whether the innermost function around it is `async` (bit
        # `_ASYNC`), whether it is in an annotation (bit `_ANNOTATION`), and the
        # definitions around it.
        stack: list[tuple[ast.AST, int, Enclosing | None]] = [(tree, 0, None)]
        facts = self.facts
        written = facts.written
        while stack:
            node, mode, enclosing = stack.pop()
            kind = type(node)
            if kind is ast.Call:
                assert isinstance(node, ast.Call)
                dotted = dotted_name(node.func)
                func = node.func
                last = (
                    func.attr
                    if isinstance(func, ast.Attribute)
                    else func.id
                    if isinstance(func, ast.Name)
                    else None
                )
                facts.calls.append(CallSite(node, dotted, last, bool(mode & _ASYNC), enclosing))
                facts.keywords.update(item.arg for item in node.keywords if item.arg)
                if last == "format" and isinstance(func, ast.Attribute) and not facts.interpolates:
                    facts.interpolates = stringish(func.value)  # not the builtin `format(x)`
                for item in node.keywords:
                    value = _fallback_string(item.value)
                    if item.arg is not None and value is not None:
                        facts.named_strings.append((item.arg, value))
                    held = _fallback_call(item.value)
                    if item.arg is not None and held is not None:
                        facts.named_calls.append((item.arg, held))
                if last == "setdefault" and len(node.args) == 2:
                    # `os.environ.setdefault("SECRET_KEY", "...")`: FG502's
                    variable, value = _string(node.args[0]), _fallback_string(node.args[1])
                    if variable is not None and value is not None:
                        facts.named_strings.append((variable, value))
            elif kind is ast.Attribute:
                assert isinstance(node, ast.Attribute)
                if type(node.ctx) is not ast.Load:
                    facts.stored_attributes.add(node.attr)
                dotted = dotted_name(node)
                if dotted is not None:
                    facts.dotted.add(dotted)
                    head, *attributes = dotted.split(".")
                    facts.attributes.update(attributes)
                    if not mode & _ANNOTATION:
                        written.add(head)
                    continue  # a chain of names: nothing else below it
                facts.attributes.add(node.attr)
            elif kind is ast.Name:
                assert isinstance(node, ast.Name)
                facts.dotted.add(node.id)
                if not mode & _ANNOTATION:
                    written.add(node.id)
                if type(node.ctx) is not ast.Load:
                    facts.rebound.add(node.id)
                continue
            elif kind is ast.Constant:
                assert isinstance(node, ast.Constant)
                constant = node.value
                if isinstance(constant, str):
                    facts.strings.append(constant)
                elif isinstance(constant, bytes):
                    facts.strings.append(constant.decode("latin-1"))
                continue
            elif kind is ast.AsyncFunctionDef or kind is ast.FunctionDef:
                assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                facts.functions.append(node)
                written.add(node.name)
                is_async = kind is ast.AsyncFunctionDef
                facts.has_async |= is_async
                arguments = node.args
                for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
                    if argument.annotation is not None:
                        self._binding(argument.arg).annotations.append(argument.annotation)
                # decorators, defaults and annotations run in the enclosing scope
                # (the libcst traversal counts them as inside the function for its
                # `async`-ness: both kinds; for the definitions around them, outside)
                outer_mode = mode | _ASYNC if is_async else mode
                outer: list[ast.AST] = [*node.decorator_list, *_type_parameters(node)]
                stack.extend((child, outer_mode, enclosing) for child in outer)
                stack.append((node.args, outer_mode, enclosing))
                if node.returns is not None:
                    stack.append((node.returns, outer_mode | _ANNOTATION, enclosing))
                inner = Enclosing(node, enclosing)
                body_mode = _ASYNC if is_async else 0
                stack.extend((child, body_mode, inner) for child in node.body)
                continue
            elif kind is ast.Lambda:
                assert isinstance(node, ast.Lambda)
                stack.append((node.args, mode, enclosing))
                stack.append((node.body, mode & _ANNOTATION, Enclosing(node, enclosing)))
                continue
            elif kind is ast.arg:
                assert isinstance(node, ast.arg)
                written.add(node.arg)
                facts.rebound.add(node.arg)
                if node.annotation is not None:
                    stack.append((node.annotation, mode | _ANNOTATION, enclosing))
                continue
            elif kind is ast.ClassDef:
                assert isinstance(node, ast.ClassDef)
                facts.classes.append(node)
                written.add(node.name)
                facts.keywords.update(item.arg for item in node.keywords if item.arg)
                for method in _methods(node.body):
                    positional = [*method.args.posonlyargs, *method.args.args]
                    if positional:
                        self._binding(positional[0].arg).methods_of.append(node)
                for item in node.keywords:
                    value = _fallback_string(item.value)
                    if item.arg is not None and value is not None:
                        facts.named_strings.append((item.arg, value))
                    held = _fallback_call(item.value)
                    if item.arg is not None and held is not None:
                        facts.named_calls.append((item.arg, held))
                # decorators, bases and keywords are outside the class's body
                outside: list[ast.AST] = [*node.decorator_list, *node.bases, *node.keywords]
                outside += _type_parameters(node)
                stack.extend((child, mode, enclosing) for child in outside)
                inner = Enclosing(node, enclosing)
                stack.extend((child, mode, inner) for child in node.body)
                continue
            elif kind is ast.Import:
                assert isinstance(node, ast.Import)
                for alias in node.names:
                    head = alias.name.split(".", 1)[0]
                    written.add(head)
                    if alias.asname is not None:
                        written.add(alias.asname)
                        self._bind(alias.asname, alias.name)
                    else:
                        self._bind(head, head)
                continue
            elif kind is ast.ImportFrom:
                assert isinstance(node, ast.ImportFrom)
                if node.module is not None:
                    written.add(node.module.split(".", 1)[0])
                facts.import_froms.append(node)
                module = absolute_module(node.level, node.module, self.package, self.namespace)
                separator = "" if module.endswith(".") or not module else "."
                for alias in node.names:
                    if alias.name != "*":
                        self._bind(alias.asname or alias.name, f"{module}{separator}{alias.name}")
                continue
            elif kind is ast.Expr:
                assert isinstance(node, ast.Expr)
                statement = node.value
                if isinstance(statement, ast.Call):
                    facts.bare_calls.append(statement)
                    facts.statement_calls.add(id(statement))
                elif isinstance(statement, ast.ListComp | ast.SetComp) and isinstance(
                    statement.elt, ast.Call
                ):
                    facts.dropped_comprehension_calls.append(statement.elt)
            elif kind is ast.Assign:
                assert isinstance(node, ast.Assign)
                if isinstance(node.value, ast.Call):
                    facts.bare_calls.append(node.value)
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self._binding(target.id).values.append(node.value)
                value = _fallback_string(node.value)
                held = _fallback_call(node.value)
                for target in node.targets:
                    name = _target_name(target)
                    if name is not None and value is not None:
                        facts.named_strings.append((name, value))
                    if name is not None and held is not None:
                        facts.named_calls.append((name, held))
                    if (
                        isinstance(target, ast.Tuple | ast.List)
                        and isinstance(node.value, ast.Tuple | ast.List)
                        and len(target.elts) == len(node.value.elts)
                    ):
                        # `login, password = "GabitovDS", "..."`: FG502 pairs them
                        for element, element_value in zip(
                            target.elts, node.value.elts, strict=True
                        ):
                            paired = _fallback_string(element_value)
                            if isinstance(element, ast.Name) and paired is not None:
                                facts.named_strings.append((element.id, paired))
            elif kind is ast.AnnAssign:
                assert isinstance(node, ast.AnnAssign)
                facts.annotated.append((node, enclosing))
                if isinstance(node.target, ast.Name):
                    bound = self._binding(node.target.id)
                    bound.annotations.append(node.annotation)
                    if node.value is not None:
                        bound.values.append(node.value)
                value = _fallback_string(node.value)
                if value is not None and isinstance(node.target, ast.Name):
                    facts.named_strings.append((node.target.id, value))
                held = _fallback_call(node.value)
                if held is not None and isinstance(node.target, ast.Name):
                    facts.named_calls.append((node.target.id, held))
                stack.append((node.target, mode, enclosing))
                stack.append((node.annotation, mode | _ANNOTATION, enclosing))
                if node.value is not None:
                    stack.append((node.value, mode, enclosing))
                continue
            elif kind is ast.NamedExpr:
                assert isinstance(node, ast.NamedExpr)
                if isinstance(node.target, ast.Name):
                    self._binding(node.target.id).values.append(node.value)
            elif kind is ast.AugAssign:
                assert isinstance(node, ast.AugAssign)
                if isinstance(node.target, ast.Name) and isinstance(node.op, ast.Add):
                    self._binding(node.target.id).added.append(node.value)
            elif kind is ast.Return:
                assert isinstance(node, ast.Return)
                if node.value is not None:
                    facts.returns.append(node)
            elif kind is ast.Dict:
                assert isinstance(node, ast.Dict)
                for key, entry in zip(node.keys, node.values, strict=True):
                    key_text, value = _string(key), _fallback_string(entry)
                    if key_text is not None and value is not None:
                        facts.named_strings.append((key_text, value))
                    held = _fallback_call(entry)
                    if key_text is not None and held is not None:
                        facts.named_calls.append((key_text, held))
            elif kind is ast.With or kind is ast.AsyncWith:
                assert isinstance(node, ast.With | ast.AsyncWith)
                if isinstance(node, ast.With):
                    facts.withs.append((node, enclosing))
                else:
                    facts.has_async = True
                for with_item in node.items:
                    if with_item.optional_vars is not None:
                        targets = ast.walk(with_item.optional_vars)
                        facts.with_targets.update(n.id for n in targets if isinstance(n, ast.Name))
            elif kind is ast.Raise:
                assert isinstance(node, ast.Raise)
                if node.exc is not None:
                    facts.raised.append((node.exc, enclosing))
            elif kind is ast.Await:
                assert isinstance(node, ast.Await)
                facts.has_await = True
                if isinstance(node.value, ast.Call):
                    facts.awaited.add(id(node.value))
            elif kind is ast.JoinedStr:
                assert isinstance(node, ast.JoinedStr)
                if not facts.interpolates:
                    facts.interpolates = any(
                        isinstance(part, ast.FormattedValue) for part in node.values
                    )
            elif kind is ast.BinOp:
                assert isinstance(node, ast.BinOp)
                if not facts.interpolates and isinstance(node.op, ast.Add | ast.Mod):
                    facts.interpolates = stringish(node)
            elif kind is ast.For or kind is ast.AsyncFor:
                assert isinstance(node, ast.For | ast.AsyncFor)
                facts.has_async |= kind is ast.AsyncFor
                if kind is ast.For and isinstance(node.iter, ast.Call):
                    facts.iterated_calls.append(node.iter)
                if isinstance(node.target, ast.Name):
                    self._binding(node.target.id).iterables.append(node.iter)
            elif kind is ast.comprehension:
                assert isinstance(node, ast.comprehension)
                facts.has_async |= bool(node.is_async)
                if not node.is_async and isinstance(node.iter, ast.Call):
                    facts.iterated_calls.append(node.iter)
                if isinstance(node.target, ast.Name):
                    self._binding(node.target.id).iterables.append(node.iter)
            elif kind is ast.ExceptHandler:
                assert isinstance(node, ast.ExceptHandler)
                if node.name is not None:
                    written.add(node.name)
                    facts.rebound.add(node.name)
            elif kind is ast.Global or kind is ast.Nonlocal:
                assert isinstance(node, ast.Global | ast.Nonlocal)
                written.update(node.names)
            elif kind is ast.MatchAs or kind is ast.MatchStar:
                assert isinstance(node, ast.MatchAs | ast.MatchStar)
                if node.name is not None:
                    written.add(node.name)
                    facts.rebound.add(node.name)
            elif kind is ast.MatchMapping:
                assert isinstance(node, ast.MatchMapping)
                if node.rest is not None:
                    written.add(node.rest)
                    facts.rebound.add(node.rest)
            elif kind is ast.MatchClass:
                assert isinstance(node, ast.MatchClass)
                written.update(node.kwd_attrs)
            elif kind is ast.If or kind is ast.While or kind is ast.IfExp or kind is ast.Assert:
                assert isinstance(node, ast.If | ast.While | ast.IfExp | ast.Assert)
                facts.tested_calls.extend(_tested_calls(node.test))
            elif kind in _TYPE_PARAMETERS:  # Python 3.12: `T` of `def f[T]()`
                name = getattr(node, "name", None)
                if isinstance(name, str):
                    written.add(name)
            # the children, as `ast.iter_child_nodes` gives them, but for the leaves no
            # fact is read of (`Load`, `Add`, `Eq`: a fifth of a tree's nodes)
            for name in node._fields:
                value = getattr(node, name, None)
                if type(value) is list:
                    stack.extend(
                        (child, mode, enclosing)
                        for child in value
                        if isinstance(child, ast.AST) and not isinstance(child, _LEAVES)
                    )
                elif isinstance(value, ast.AST) and not isinstance(value, _LEAVES):
                    stack.append((value, mode, enclosing))

    def _bind(self, local: str, qualified: str) -> None:
        self.facts.bindings.setdefault(local, set()).add(qualified)
        counts = self.facts.import_counts
        counts[local] = counts.get(local, 0) + 1

    def _binding(self, name: str) -> NameBindings:
        bound = self.facts.names.get(name)
        if bound is None:
            bound = self.facts.names[name] = NameBindings()
        return bound


def _type_parameters(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[ast.AST]:
    """A definition's type parameters (`def f[T: Base]()`, Python 3.12), walked outside it
    as the engine walks them."""
    parameters: list[ast.AST] = getattr(node, "type_params", [])
    return parameters


def _methods(body: list[ast.stmt]) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """The functions defined in a class body, also under `if`/`try`/`with`/... (where the
    traversal is still in the class scope: `FileContext.enter_function` gives them an
    owner), not those nested in them."""
    pending: list[ast.AST] = list(body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node
        elif not isinstance(node, ast.ClassDef):
            pending.extend(
                child
                for child in ast.iter_child_nodes(node)
                if isinstance(child, ast.stmt | ast.excepthandler | ast.match_case)
            )


def stringish(expr: ast.expr) -> bool:
    """A string literal, an f-string, or an expression built on one with `+`/`%`/`.format()`
    (as `checks.rules.sqlalchemy_sql_text` reads SQL text)."""
    if isinstance(expr, ast.JoinedStr):
        return True
    if isinstance(expr, ast.Constant):
        return isinstance(expr.value, str | bytes)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add | ast.Mod):
        return stringish(expr.left) or stringish(expr.right)
    if (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "format"
    ):
        return stringish(expr.func.value)
    return False


def _target_name(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        return _string(target.slice)  # `config["password"] = ...`, `os.environ["X"] = ...`
    return None


def _tested_calls(test: ast.expr) -> Iterator[ast.Call]:
    """The calls whose truth a test takes: the test itself, under `not`, or an operand of
    `and`/`or` (as FG304's `_tested` reads them in libcst's tree)."""
    pending = [test]
    while pending:
        expression = pending.pop()
        if isinstance(expression, ast.UnaryOp) and isinstance(expression.op, ast.Not):
            pending.append(expression.operand)
        elif isinstance(expression, ast.BoolOp):
            pending.extend(expression.values)
        elif isinstance(expression, ast.Call):
            yield expression
