"""Check one file: parse once with libcst, walk the tree once, dispatch to every rule.

The walk is our own: it follows the dataclass fields of each node that can hold code and
skips whitespace and punctuation, which makes it several times faster than libcst's
visitor (measured: 0.40 s against 2.89 s over 3.3 MB of the standard library). It visits
decorators, parameter defaults and class bases in the enclosing scope, and a function's
body inside it, so the context's function stack is the one Python runs the code in.

Positions are computed only for files with a finding, and only then, with libcst's
PositionProvider. A syntax error is finding FG000 and a rule that raises is finding FG001
naming the rule; neither stops the other rules or files.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
import typing
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from checks import bigstack
from checks.context import FileContext, Lines, Report
from checks.findings import Edit, FileResult, Finding, Fix, Location, decode_source, split_lines
from checks.lazy import libcst as cst
from checks.noqa import is_suppressed
from checks.prefilter import Evidence
from checks.project import Condition, ModuleSummary
from checks.rule import Handler, Rule
from checks.structure import Structure

SYNTAX_ERROR_CODE = "FG000"
INTERNAL_ERROR_CODE = "FG001"

#: libcst's native parser recurses on the C stack: about 1,500 nested parentheses
#: overflow the main thread's 8 MiB and kill the process (SIGSEGV). Each file is checked
#: on a thread with this much stack (`checks.bigstack`: reserved, not committed, until
#: used), and the Python recursion limit is raised to match, so a deep tree is parsed,
#: or at worst reported, never a crash.
CHECK_STACK_SIZE = 512 * 1024 * 1024
CHECK_RECURSION_LIMIT = 60_000

#: Fields that hold only whitespace, comments or punctuation: never code a rule looks at.
_SKIPPED_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "newline",
        "trailing_whitespace",
        "empty_lines",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "colon",
        "equal",
        "dot",
        "operator",
        "asynchronous",
        "default_indent",
        "default_newline",
        "encoding",
        "has_trailing_newline",
        "indent",
        "star",
        "whitespace",
    }
)
_FIELDS_BY_TYPE: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def _code_fields(node_type: type[cst.CSTNode]) -> tuple[str, ...]:
    fields = _FIELDS_BY_TYPE.get(node_type)
    if fields is None:
        fields = tuple(
            f.name
            for f in dataclasses.fields(node_type)
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
        )
        _FIELDS_BY_TYPE[node_type] = fields
    return fields


class RuleFailure(Exception):
    """Raised inside the walk when a rule handler raises: carries the rule and node."""

    def __init__(self, rule: Rule, node: cst.CSTNode, error: BaseException) -> None:
        super().__init__(f"{rule.code} failed: {error!r}")
        self.rule = rule
        self.node = node
        self.error = error


class _Walker:
    """One depth-first walk of a module, calling the rules' handlers on the way."""

    def __init__(
        self,
        ctx: FileContext,
        visits: dict[type[cst.CSTNode], list[tuple[Rule, Handler]]],
        leaves: dict[type[cst.CSTNode], list[tuple[Rule, Handler]]],
    ) -> None:
        self.ctx = ctx
        self.visits = visits
        self.leaves = leaves
        self.failed: list[RuleFailure] = []
        self._disabled: set[str] = set()
        self._special: dict[type[cst.CSTNode], Callable[[Any], None]] = {
            cst.Module: self._walk_module,
            cst.FunctionDef: self._walk_function,
            cst.Lambda: self._walk_lambda,
            cst.ClassDef: self._walk_class,
            cst.For: self._walk_for,
            cst.CompFor: self._walk_comp_for,
            cst.ListComp: self._walk_comprehension,
            cst.SetComp: self._walk_comprehension,
            cst.GeneratorExp: self._walk_comprehension,
            cst.DictComp: self._walk_comprehension,
            cst.If: self._walk_branches,
            cst.IfExp: self._walk_branches,
            cst.Try: self._walk_branches,
            cst.TryStar: self._walk_branches,
            cst.IndentedBlock: self._walk_block,
        }

    def _call(self, handlers: list[tuple[Rule, Handler]], node: cst.CSTNode) -> None:
        ctx = self.ctx
        for rule, handler in handlers:
            if rule.code in self._disabled:
                continue
            ctx.current_rule = rule
            try:
                handler(node, ctx)
            except RecursionError:
                raise
            except Exception as error:  # a rule's bug must not stop the others
                self._disabled.add(rule.code)
                self.failed.append(RuleFailure(rule, node, error))
            finally:
                ctx.current_rule = None

    def walk(self, node: cst.CSTNode) -> None:
        node_type = type(node)
        handlers = self.visits.get(node_type)
        if handlers:
            self._call(handlers, node)
        special = self._special.get(node_type)
        if special is not None:
            special(node)
        else:
            self._walk_fields(node, _code_fields(node_type))
        handlers = self.leaves.get(node_type)
        if handlers:
            self._call(handlers, node)
        self._after(node)

    def _walk_fields(self, node: cst.CSTNode, fields: Iterable[str]) -> None:
        walk = self.walk
        for name in fields:
            value = getattr(node, name)
            if isinstance(value, cst.CSTNode):
                walk(value)
            elif isinstance(value, list | tuple):
                for child in value:
                    if isinstance(child, cst.CSTNode):
                        walk(child)

    def _walk_module(self, node: cst.Module) -> None:
        for index, statement in enumerate(node.body):
            self.ctx.statement = index
            self.walk(statement)
        self.ctx.statement = -1

    def _walk_optional(self, *children: object) -> None:
        for child in children:
            if isinstance(child, cst.CSTNode):
                self.walk(child)

    def _after(self, node: cst.CSTNode) -> None:
        """Record what a statement binds, once its value has been walked."""
        ctx = self.ctx
        if isinstance(node, cst.Assign):
            value = ctx.infer(node.value)
            for target in node.targets:
                ctx.bind(target.target, value)
        elif isinstance(node, cst.AnnAssign):
            if ctx.enclosing_class is None or ctx.function is not None:
                ctx.bind(node.target, ctx.annotation_type(node.annotation.annotation))
        elif isinstance(node, cst.NamedExpr):
            ctx.bind(node.target, ctx.infer(node.value))
        elif isinstance(node, cst.WithItem):
            if node.asname is not None:
                ctx.bind(node.asname.name, None)
        elif isinstance(node, cst.Import | cst.ImportFrom):
            ctx.record_import(node)

    # -- nodes whose children are walked in a scope-aware order --------------------
    def _walk_parameters(self, params: cst.Parameters) -> None:
        """Annotations and defaults run in the enclosing scope."""
        every = [
            *params.posonly_params,
            *params.params,
            *params.kwonly_params,
            params.star_arg,
            params.star_kwarg,
        ]
        for param in every:
            if isinstance(param, cst.Param):
                if param.annotation is not None:
                    self.walk(param.annotation)
                if param.default is not None:
                    self.walk(param.default)

    def _walk_function(self, node: cst.FunctionDef) -> None:
        for decorator in node.decorators:
            self.walk(decorator)
        self._walk_parameters(node.params)
        self._walk_optional(node.returns, node.type_parameters)
        self.ctx.enter_function(node)
        try:
            self.walk(node.body)
        finally:
            self.ctx.exit_function()

    def _walk_lambda(self, node: cst.Lambda) -> None:
        self._walk_parameters(node.params)
        self.ctx.enter_function(node)
        try:
            self.walk(node.body)
        finally:
            self.ctx.exit_function()

    def _walk_class(self, node: cst.ClassDef) -> None:
        for decorator in node.decorators:
            self.walk(decorator)
        for child in [*node.bases, *node.keywords]:
            self.walk(child)
        self._walk_optional(node.type_parameters)
        self.ctx.enter_class(node)
        try:
            self.walk(node.body)
        finally:
            self.ctx.exit_class()

    def _walk_for(self, node: cst.For) -> None:
        self.walk(node.iter)
        self.walk(node.target)
        self.ctx.bind_loop_target(node.target, node.iter)
        self.walk(node.body)
        self._walk_optional(node.orelse)

    def _walk_comp_for(self, node: cst.CompFor) -> None:
        self.walk(node.iter)
        self.walk(node.target)
        self.ctx.bind_loop_target(node.target, node.iter)
        for condition in node.ifs:
            self.walk(condition)
        self._walk_optional(node.inner_for_in)

    def _walk_branches(self, node: cst.If | cst.IfExp | cst.Try | cst.TryStar) -> None:
        """The context knows which `if`/`try` the code is in (Pydantic version guards)."""
        guards = self.ctx.version_guards
        guards.enter(node)
        try:
            self._walk_fields(node, _code_fields(type(node)))
        finally:
            guards.exit(node)

    def _walk_block(self, node: cst.IndentedBlock) -> None:
        """The rest of a block after a version-guard `if` that returns is its implicit
        else branch: it ends with the block."""
        guards = self.ctx.version_guards
        depth = guards.open_block()
        try:
            self._walk_fields(node, _code_fields(cst.IndentedBlock))
        finally:
            guards.close_block(depth)

    def _walk_comprehension(
        self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp
    ) -> None:
        self.ctx.enter_comprehension(generator=isinstance(node, cst.GeneratorExp))
        try:
            self.walk(node.for_in)
            if isinstance(node, cst.DictComp):
                self.walk(node.key)
                self.walk(node.value)
            else:
                self.walk(node.elt)
        finally:
            self.ctx.exit_comprehension()


def _handler_tables(
    rules: Sequence[Rule],
) -> tuple[
    dict[type[cst.CSTNode], list[tuple[Rule, Handler]]],
    dict[type[cst.CSTNode], list[tuple[Rule, Handler]]],
]:
    visits: dict[type[cst.CSTNode], list[tuple[Rule, Handler]]] = {}
    leaves: dict[type[cst.CSTNode], list[tuple[Rule, Handler]]] = {}
    for rule in rules:
        rule_visits, rule_leaves = rule.handlers()
        for table, handlers in ((visits, rule_visits), (leaves, rule_leaves)):
            for type_name, handler in handlers.items():
                node_type = getattr(cst, type_name, None)
                if not (isinstance(node_type, type) and issubclass(node_type, cst.CSTNode)):
                    raise TypeError(f"{rule.code}: no libcst node type named {type_name!r}")
                table.setdefault(node_type, []).append((rule, handler))
    return visits, leaves


_LIBCST_ERROR_AT = re.compile(r"error at (\d+):(\d+)")


def _syntax_error_finding(path: Path, source: bytes, error: Exception) -> Finding:
    """FG000 for a file libcst cannot parse, with CPython's clearer diagnosis when it has one."""
    if isinstance(error, RecursionError):
        message = "SyntaxError: the code is nested too deeply for the parser"
        return Finding(path, SYNTAX_ERROR_CODE, message, Location(1, 1), Location(1, 1))
    if not isinstance(error, cst.ParserSyntaxError):
        message = f"SyntaxError: {error}".splitlines()[0]
        return Finding(path, SYNTAX_ERROR_CODE, message, Location(1, 1), Location(1, 1))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except SyntaxError as cpython:
        row = cpython.lineno or 1
        column = cpython.offset or 1
        start = Location(row, max(column, 1))
        return Finding(path, SYNTAX_ERROR_CODE, f"SyntaxError: {cpython.msg}", start, start)
    except (ValueError, RecursionError, MemoryError):
        pass
    # CPython accepts the file: a form libcst does not parse, or 3.12+ syntax that made
    # CPython 3.11 fail differently. Report libcst's own diagnosis.
    first_line = error.message.splitlines()[0] if error.message else "invalid syntax"
    match = _LIBCST_ERROR_AT.search(first_line)
    row, column = (int(match[1]), int(match[2])) if match else (error.raw_line, 1)
    detail = _LIBCST_ERROR_AT.split(first_line)[-1].lstrip(": ") if match else first_line
    start = Location(max(row, 1), max(column, 1))
    message = f"SyntaxError: libcst cannot parse this file: {detail}"
    return Finding(path, SYNTAX_ERROR_CODE, message, start, start)


#: CPython's parser refuses deeper nesting than about 200 levels in milliseconds, where
#: libcst's takes gigabytes (15,000 nested parentheses: 24 GB): such a file is FG000
#: without ever reaching libcst.
_TOO_DEEP = (
    "too many nested parentheses",
    "too many levels of indentation",
    "too many statically nested blocks",
    "too deeply nested",
    "too complex",
)


@dataclasses.dataclass(frozen=True, slots=True)
class _Verdict:
    """What CPython makes of a file: `parsed` by its parser; `error` is its refusal
    (a parse error, or one of its compiler's when `parsed`); `too_deep` when the refusal
    is about nesting, which libcst must not be given."""

    parsed: bool
    error: BaseException | None = None
    too_deep: bool = False
    #: CPython's tree, when it parsed the file
    tree: ast.Module | None = None

    def finding(self, path: Path) -> Finding:
        error = self.error
        if isinstance(error, SyntaxError):
            start = Location(max(error.lineno or 1, 1), max(error.offset or 1, 1))
            return Finding(path, SYNTAX_ERROR_CODE, f"SyntaxError: {error.msg}", start, start)
        message = "SyntaxError: the code is nested too deeply for the parser"
        return Finding(path, SYNTAX_ERROR_CODE, message, Location(1, 1), Location(1, 1))


def _cpython_verdict(source: bytes) -> _Verdict:
    """Parse with CPython (14 times faster than libcst), then compile the tree: the
    compiler rejects code no parser does (`await` outside an async function, `return`
    at module level, a duplicate argument). A parse error may be newer syntax than this
    interpreter's: libcst then decides."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            tree = compile(source, "<checked>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        except (RecursionError, MemoryError) as error:
            return _Verdict(False, error, too_deep=True)
        except (SyntaxError, ValueError, OverflowError) as error:
            too_deep = isinstance(error, SyntaxError) and any(
                phrase in (error.msg or "") for phrase in _TOO_DEEP
            )
            return _Verdict(False, error, too_deep=too_deep)
        tree = typing.cast(ast.Module, tree)
        try:
            compile(tree, "<checked>", "exec", dont_inherit=True)
        except (RecursionError, MemoryError) as error:
            return _Verdict(True, error, too_deep=True)
        except (SyntaxError, ValueError, OverflowError) as error:
            return _Verdict(True, error, tree=tree)
    return _Verdict(True, tree=tree)


if typing.TYPE_CHECKING:
    _Tables = tuple[
        dict[type[cst.CSTNode], list[tuple[Rule, Handler]]],
        dict[type[cst.CSTNode], list[tuple[Rule, Handler]]],
    ]


class Engine:
    """Checks files with a fixed set of rules; reusable across files.

    With `prefilter` (the default), a file is walked only with the rules its text allows
    to fire (`Rule.may_fire`), and not parsed with libcst at all when no rule may fire:
    CPython's parser then checks its syntax for FG000, and only a file CPython rejects is
    handed to libcst for the diagnosis. A file CPython accepts but libcst does not parse
    (`(x): int = 1`) is therefore reported only when a rule needs its tree."""

    def __init__(
        self,
        rules: Sequence[Rule],
        *,
        prefilter: bool = True,
        screen: bool | None = None,
        pydantic_target: Callable[[], int] | None = None,
        sqlalchemy_target: Callable[[], int] | None = None,
    ) -> None:
        self.rules = [r for r in rules if r.code not in (SYNTAX_ERROR_CODE, INTERNAL_ERROR_CODE)]
        #: the project's Pydantic major version, asked only when a Pydantic rule reports
        #: (`checks.pydantic_target`); None: 2
        self.pydantic_target = pydantic_target
        #: the project's SQLAlchemy major version, asked only when FG108 reports
        #: (`checks.sqlalchemy_target`); None: 2
        self.sqlalchemy_target = sqlalchemy_target
        self.report_syntax_errors = any(r.code == SYNTAX_ERROR_CODE for r in rules)
        self.report_internal_errors = any(r.code == INTERNAL_ERROR_CODE for r in rules)
        self.prefilter = prefilter
        #: ask each rule's structural screen (`Rule.may_fire_in`); default: as `prefilter`
        self.screen = prefilter if screen is None else screen
        self._tables: dict[tuple[str, ...], _Tables] = {}
        # the tables name libcst's node types: built on the first walk, so that a run
        # whose files need no tree never loads libcst (`checks.lazy`)

    def _tables_for(self, rules: Sequence[Rule]) -> _Tables:
        key = tuple(rule.code for rule in rules)
        tables = self._tables.get(key)
        if tables is None:
            tables = self._tables[key] = _handler_tables(rules)
        return tables

    def active_rules(
        self,
        path: Path,
        source: bytes,
        layer: str | None,
        ignored_codes: frozenset[str] = frozenset(),
        module_name: str | None = None,
        structure: Structure | None = None,
    ) -> list[Rule]:
        """The rules that may report something in this file (all when not pre-filtering):
        those its words allow (`checks.prefilter`), then, given the file's `structure`
        (CPython's tree), those their screens allow (`checks.structure`)."""
        rules = [rule for rule in self.rules if rule.code not in ignored_codes]
        if not self.prefilter:
            return rules
        evidence = Evidence(source, path, layer, module_name)
        if not evidence.readable:
            return rules
        active = []
        for rule in rules:
            try:
                fires = rule.may_fire(evidence)
                if fires and structure is not None:
                    fires = rule.may_fire_in(structure)
            except Exception:  # a bug of the rule's pre-filter or screen: run the rule
                fires = True
            if fires:
                active.append(rule)
        return active

    def check(
        self,
        path: Path,
        source: bytes,
        layer: str | None = None,
        ignored_codes: frozenset[str] = frozenset(),
        module_name: str | None = None,
        is_package: bool = False,
        relative_path: str | None = None,
        project_packages: frozenset[str] | None = None,
    ) -> FileResult:
        """Check one file's source. Never raises for anything the file contains.
        `relative_path` is its path inside the repository (rules that read folder names
        must not see the folders above it: `~/dev/svc/app/x.py`). `project_packages`, when
        known, are the first names of every module the project index of this check can
        read (`checks.run.project_packages`): a class imported from another package is
        then no condition to parse the file for."""
        return bigstack.call(
            lambda: self._check(
                path,
                source,
                layer,
                ignored_codes,
                module_name,
                is_package,
                relative_path,
                project_packages,
            ),
            CHECK_STACK_SIZE,
        )

    def _check(
        self,
        path: Path,
        source: bytes,
        layer: str | None,
        ignored_codes: frozenset[str],
        module_name: str | None,
        is_package: bool,
        relative_path: str | None = None,
        project_packages: frozenset[str] | None = None,
    ) -> FileResult:
        if sys.getrecursionlimit() < CHECK_RECURSION_LIMIT:
            sys.setrecursionlimit(CHECK_RECURSION_LIMIT)
        syntax_wanted = self.report_syntax_errors and SYNTAX_ERROR_CODE not in ignored_codes
        verdict = _cpython_verdict(source)
        if verdict.too_deep:
            found = [verdict.finding(path)] if syntax_wanted else []
            return FileResult(path, found, _decode_lossy(source) if found else None)
        # code CPython parses but its compiler rejects: reported, and the rules still run
        compiler_errors: list[Finding] = []
        if verdict.parsed and verdict.error is not None and syntax_wanted:
            compiler_errors.append(verdict.finding(path))
        structure = None
        if self.screen and verdict.tree is not None:
            structure = Structure(
                verdict.tree,
                module_name,
                is_package,
                layer,
                relative_path or str(path),
                path,
                source,
            )
            structure.project_packages = project_packages
        rules = self.active_rules(path, source, layer, ignored_codes, module_name, structure)
        if not rules and (verdict.parsed or not syntax_wanted):
            return FileResult(
                path, compiler_errors, _decode_lossy(source) if compiler_errors else None
            )
        try:
            module = cst.parse_module(source)
        except Exception as error:  # ParserSyntaxError, RecursionError, decoding errors
            syntax: list[Finding] = []
            if syntax_wanted:
                syntax.append(_syntax_error_finding(path, source, error))
            return FileResult(path, syntax, _decode_lossy(source))

        ctx = FileContext(
            path,
            module,
            layer,
            module_name=module_name,
            is_package=is_package,
            source=source,
            pydantic_target=self.pydantic_target,
            sqlalchemy_target=self.sqlalchemy_target,
            relative_path=relative_path,
        )
        walker = _Walker(ctx, *self._tables_for(rules))
        engine_failure: BaseException | None = None
        try:
            walker.walk(module)
        except Exception as error:  # too deep a tree, or a bug of the engine: never a crash
            engine_failure = error

        findings: list[Finding] = list(compiler_errors)
        pending: list[tuple[Finding, Condition]] = []
        text: str | None = None
        if ctx.reports or walker.failed:
            try:
                text = decode_source(source)
                findings, pending = self._locate(path, module, ctx.reports, walker.failed, text)
            except RecursionError as error:
                engine_failure = error
        if compiler_errors:
            findings += compiler_errors
            text = text if text is not None else decode_source(source)
        if engine_failure is not None and self.report_internal_errors:
            reason = (
                "the code is nested too deeply to check"
                if isinstance(engine_failure, RecursionError)
                else repr(engine_failure)
            )
            findings.append(
                Finding(
                    path,
                    INTERNAL_ERROR_CODE,
                    f"The checker failed on this file: {reason}",
                    Location(1, 1),
                    Location(1, 1),
                )
            )
        # the decoded source is the module's code (libcst round-trips it exactly)
        text = text if findings or pending else None
        lines = split_lines(text) if text is not None else []

        def kept(finding: Finding) -> bool:
            return finding.code not in ignored_codes and not is_suppressed(
                lines, finding.noqa_row, finding.code
            )

        summary: ModuleSummary | None = None
        try:
            summary = ctx.summary()
        except Exception:  # pragma: no cover - a summary is plain data; never fail the file
            summary = None
        return FileResult(
            path,
            sorted(filter(kept, findings), key=Finding.sort_key),
            text,
            [(finding, condition) for finding, condition in pending if kept(finding)],
            summary,
        )

    def _locate(
        self,
        path: Path,
        module: cst.Module,
        reports: list[Report],
        failures: list[RuleFailure],
        text: str | None,
    ) -> tuple[list[Finding], list[tuple[Finding, Condition]]]:
        wanted: list[tuple[cst.CSTNode, int]] = [(r.node, r.statement) for r in reports]
        top_level: dict[int, int] | None = None
        for report in reports:
            for node, _ in report.fix.replacements if report.fix else ():
                statement = report.statement
                if isinstance(node, cst.Import | cst.ImportFrom):
                    # an import a fix adds to or changes lives in its own statement
                    if top_level is None:
                        top_level = _top_level_imports(module)
                    statement = top_level.get(id(node), -1)
                wanted.append((node, statement))
        wanted += [(failure.node, -1) for failure in failures]
        from checks.positions import node_ranges  # needs libcst's code generation

        positions = node_ranges(module, wanted, text)
        findings: list[Finding] = []
        pending: list[tuple[Finding, Condition]] = []
        seen: set[tuple[str, int]] = set()
        for report in sorted(reports, key=lambda r: r.condition is not None):
            key = (report.rule.code, id(report.node))
            if key in seen:  # one finding per rule and node, a definite one first
                continue
            seen.add(key)
            start, end = _range(positions, report.node)
            fix = None
            if report.fix is not None:
                edits = []
                for node, content in report.fix.replacements:
                    edit_start, edit_end = _range(positions, node)
                    if isinstance(content, Lines):
                        content = _join_lines(content, edit_start, module, text)
                    edits.append(Edit(content, edit_start, edit_end))
                fix = Fix(
                    report.fix.applicability,
                    report.fix.message,
                    tuple(edits),
                    report.fix.releases,
                    report.fix.companion,
                )
            finding = Finding(path, report.rule.code, report.message, start, end, fix)
            if report.condition is None:
                findings.append(finding)
            else:
                pending.append((finding, report.condition))
        if self.report_internal_errors:
            for failure in failures:
                start, end = _range(positions, failure.node)
                message = (
                    f"Rule {failure.rule.code} ({failure.rule.name}) failed on this file: "
                    f"{type(failure.error).__name__}: {failure.error}"
                )
                findings.append(Finding(path, INTERNAL_ERROR_CODE, message, start, end))
        return findings, pending


def _range(positions: Any, node: cst.CSTNode) -> tuple[Location, Location]:
    code_range = positions.get(node)
    if code_range is None:
        return Location(1, 1), Location(1, 1)
    return (
        Location(code_range.start.line, code_range.start.column + 1),
        Location(code_range.end.line, code_range.end.column + 1),
    )


def _top_level_imports(module: cst.Module) -> dict[int, int]:
    """The module-level statement index of each import statement (by node id)."""
    found: dict[int, int] = {}
    for index, line in enumerate(module.body):
        if isinstance(line, cst.SimpleStatementLine):
            for small in line.body:
                if isinstance(small, cst.Import | cst.ImportFrom):
                    found[id(small)] = index
    return found


def _join_lines(content: Lines, start: Location, module: cst.Module, text: str | None) -> str:
    """Several replacement lines, each after the first indented like the start's line."""
    lines = split_lines(text) if text is not None else []
    line = lines[start.row - 1] if start.row <= len(lines) else ""
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    return (module.default_newline + indent).join(content.lines)


def _decode_lossy(source: bytes) -> str | None:
    try:
        return source.decode("utf-8")
    except UnicodeDecodeError:
        return source.decode("latin-1")
