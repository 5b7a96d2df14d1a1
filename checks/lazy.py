"""libcst, imported when a rule first needs a tree, not when the rules are imported.

libcst takes about 0.2 s to import, as long as parsing a median file. Most files a hook
or a run sees need no libcst tree at all: the word pre-filter and the structural screens
(`checks.prefilter`, `checks.structure`) answer them from the text and CPython's tree. So
the modules of the checker import `libcst` from here: a module whose body is executed
on first attribute access (`importlib.util.LazyLoader`, the standard library's recipe).
Module-level code must therefore not touch `cst.*`; `tests/test_structure.py` checks that
checking a clean file leaves libcst unloaded.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import typing
from types import ModuleType
from typing import TYPE_CHECKING, AnyStr, TypeVar


def lazy_import(name: str) -> ModuleType:
    """The module `name`, loaded on first attribute access (already loaded: as it is)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def is_loaded(name: str = "libcst") -> bool:
    """Whether the module's body has run (a lazy module not yet used has not)."""
    module = sys.modules.get(name)
    return module is not None and not isinstance(module, importlib.util._LazyModule)  # type: ignore[attr-defined]


if TYPE_CHECKING:
    import libcst as libcst
else:
    libcst = lazy_import("libcst")


# -- regular expressions compiled on first use --------------------------------------
#: What a compiled pattern offers, copied onto the stand-in when it is compiled: later
#: lookups find them in its own attributes, as fast as on the pattern itself.
_PATTERN_ATTRIBUTES = (
    "search",
    "match",
    "fullmatch",
    "finditer",
    "findall",
    "split",
    "sub",
    "subn",
    "flags",
    "groups",
    "groupindex",
)


class _LazyPattern:
    """A stand-in for `re.compile(pattern, flags)`, compiled when first used."""

    def __init__(self, pattern: str | bytes, flags: int) -> None:
        self.pattern = pattern
        self._flags = flags

    def __getattr__(self, name: str) -> typing.Any:
        if name.startswith("__") or name == "_flags":
            raise AttributeError(name)  # copy and pickle probe such names on a bare object
        compiled = re.compile(self.pattern, self._flags)
        for attribute in _PATTERN_ATTRIBUTES:
            self.__dict__[attribute] = getattr(compiled, attribute)
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy_pattern({self.pattern!r}, {self._flags})"


def lazy_pattern(pattern: AnyStr, flags: int = 0) -> re.Pattern[AnyStr]:
    """`re.compile(pattern, flags)`, compiled on first use. The checker's modules hold
    about a hundred patterns; compiling them when the modules are imported took 15 ms of
    a one-file run (the edit hook's), which uses a few. Only for a module-level pattern
    that is used through its methods (`search`, `sub`, ...) or its `pattern`: the `re`
    module's functions take compiled patterns only."""
    return typing.cast("re.Pattern[AnyStr]", _LazyPattern(pattern, flags))


# -- visitors defined at module level ------------------------------------------------
# A class statement evaluates its bases: `class V(cst.CSTVisitor)` at module level would
# load libcst on import. Such a class derives from `VisitorBase` (libcst's class for the
# type checker, `object` when running) and is instantiated as `visitor(V)(...)`: the same
# class with libcst's base added, made once on first use.
if TYPE_CHECKING:
    from libcst import CSTTransformer, CSTVisitor

    TransformerBase = CSTTransformer
    VisitorBase = CSTVisitor
else:
    TransformerBase = VisitorBase = object

_T = TypeVar("_T")


def visitor(cls: type[_T]) -> type[_T]:
    """`cls` as a libcst `CSTVisitor` (see above)."""
    return _with_base(cls, "CSTVisitor")


def transformer(cls: type[_T]) -> type[_T]:
    """`cls` as a libcst `CSTTransformer` (see above)."""
    return _with_base(cls, "CSTTransformer")


_MADE: dict[tuple[type, str], type] = {}


def _with_base(cls: type[_T], base: str) -> type[_T]:
    made = _MADE.get((cls, base))
    if made is None:
        namespace = {"__module__": cls.__module__, "__qualname__": cls.__qualname__}
        made = _MADE[(cls, base)] = type(cls.__name__, (cls, getattr(libcst, base)), namespace)
    return typing.cast(type[_T], made)
