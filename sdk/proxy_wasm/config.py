"""Load a JSON plugin configuration into a user dataclass, with located errors.

::

    @dataclass
    class Limits:
        rate: int
        burst: int = 10

    @dataclass
    class Config:
        header: str
        limits: Limits = field(default_factory=Limits)

    class Root(proxy_wasm.RootContext):
        def on_configure(self, size: int) -> bool:
            self.config = proxy_wasm.load_config(Config, self.get_plugin_configuration())
            return True

A mismatch raises :class:`~proxy_wasm.errors.ConfigError` naming the JSON path:
``$.limits.rate: expected int, got "x"``; unknown keys and missing required fields are named
too. Supported field types: ``str``, ``int``, ``float``, ``bool``, ``bytes`` (from a string),
``None``, ``Any``/``object``, ``list[X]``, ``tuple[X, ...]``, ``dict[str, X]``, ``X | None``
and other unions, ``Literal[...]``, ``Enum`` subclasses (by value) and nested dataclasses.
``json``, ``dataclasses`` and ``typing`` are imported only when this runs.

A built module resolves the field types of the filter's dataclasses at build time
(:func:`resolve_field_types`, called before the snapshot): resolving string annotations compiles
them, and the compiler is trimmed out of the module after the snapshot.
"""

from __future__ import annotations

from .errors import ConfigError, not_bundled

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    T = TypeVar("T")

__all__ = ["ConfigError", "load_config"]

#: Field types by dataclass, resolved before the snapshot (see resolve_field_types).
_FIELD_TYPES: dict[type, dict[str, Any]] = {}

#: The compiler bundles the modules this file imports inside functions (dataclasses, typing,
#: json...) only into filters that name one of these.
__bundled_when_named__ = ("load_config",)


def load_config(cls: type[T], data: bytes | str | object | None) -> T:
    """Return an instance of dataclass ``cls`` built from JSON ``data``.

    ``data`` is JSON text (``bytes`` or ``str``, as from ``get_plugin_configuration()``) or an
    already decoded object. ``None`` or empty input means ``{}`` (every field needs a default).
    """
    try:
        import dataclasses  # noqa: F401 - here to fail early, with the reason, when not bundled
        import json
        import typing  # noqa: F401
    except ModuleNotFoundError as exc:
        raise not_bundled("load_config", exc) from None

    if data is None or data == b"" or data == "":
        value: object = {}
    elif isinstance(data, bytes | str):
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"line {exc.lineno} column {exc.colno}", f"invalid JSON: {exc.msg}"
            ) from None
    else:
        value = data
    result: T = _convert(value, cls, "$")
    return result


def _show(value: object) -> str:
    import json

    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_name(tp: object) -> str:
    name = getattr(tp, "__name__", None)
    return name if isinstance(name, str) and not getattr(tp, "__args__", None) else str(tp)


def _fail(path: str, expected: str, value: object) -> ConfigError:
    return ConfigError(path, f"expected {expected}, got {_show(value)}")


def _convert(value: object, tp: Any, path: str) -> Any:
    import dataclasses
    import enum
    import types
    import typing

    if tp is typing.Any or tp is object:
        return value
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _convert(value, typing.get_args(tp)[0], path)
    if tp is None or tp is type(None):
        if value is not None:
            raise _fail(path, "null", value)
        return None
    if origin is typing.Union or origin is types.UnionType:
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        errors: list[ConfigError] = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(value, arg, path)
            except ConfigError as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        names = " or ".join(_type_name(a) for a in args)
        raise _fail(path, names, value)
    if origin is typing.Literal:
        options = typing.get_args(tp)
        if value in options and not (isinstance(value, bool) and True not in options):
            return value
        raise _fail(path, "one of " + ", ".join(_show(o) for o in options), value)
    if origin in (list, tuple, set, frozenset) or tp in (list, tuple, set, frozenset):
        if not isinstance(value, list):
            raise _fail(path, "array", value)
        args = typing.get_args(tp)
        container = origin or tp
        if container is tuple and args and not (len(args) == 2 and args[1] is Ellipsis):
            if len(value) != len(args):
                raise ConfigError(path, f"expected {len(args)} items, got {len(value)}")
            pairs = enumerate(zip(value, args, strict=True))
            return tuple(_convert(v, a, f"{path}[{i}]") for i, (v, a) in pairs)
        item = args[0] if args else typing.Any
        items = [_convert(v, item, f"{path}[{i}]") for i, v in enumerate(value)]
        return items if container is list else container(items)
    if origin is dict or tp is dict or origin is typing.Mapping or origin is _abc_mapping():
        if not isinstance(value, dict):
            raise _fail(path, "object", value)
        args = typing.get_args(tp)
        item = args[1] if len(args) == 2 else typing.Any
        return {k: _convert(v, item, f"{path}.{k}") for k, v in value.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass(value, tp, path)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            choices = ", ".join(_show(m.value) for m in tp)
            raise _fail(path, f"one of {choices}", value) from None
    if tp is bool:
        if not isinstance(value, bool):
            raise _fail(path, "bool", value)
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(path, "int", value)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(path, "float", value)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise _fail(path, "str", value)
        return value
    if tp is bytes:
        if not isinstance(value, str):
            raise _fail(path, "str (for bytes)", value)
        return value.encode()
    raise ConfigError(path, f"unsupported field type {_type_name(tp)}")


def _abc_mapping() -> object:
    import collections.abc

    return collections.abc.Mapping


def _dataclass(value: object, cls: type, path: str) -> object:
    import dataclasses
    import typing

    if not isinstance(value, dict):
        raise _fail(path, f"object ({cls.__name__})", value)
    hints = _FIELD_TYPES.get(cls)
    if hints is None:
        try:
            hints = typing.get_type_hints(cls)
        except Exception as exc:
            message = f"cannot resolve the field types of {cls.__name__}: {exc}"
            raise ConfigError(path, message) from None
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = [k for k in value if k not in fields]
    if unknown:
        known = ", ".join(fields) or "none"
        raise ConfigError(path, f"unknown key {unknown[0]!r} (known keys: {known})")
    kwargs: dict[str, object] = {}
    for name, f in fields.items():
        if name in value:
            kwargs[name] = _convert(value[name], hints.get(name, typing.Any), f"{path}.{name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ConfigError(path, f"missing required key {name!r}")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ConfigError(path, str(exc)) from None


def resolve_field_types() -> None:
    """Resolve and keep the field types of every dataclass the filter's modules define (and of
    the dataclasses those fields name). The module's shim calls this at build time, before the
    snapshot; a class whose types do not resolve is left for :func:`load_config` to report."""
    import sys

    if "dataclasses" not in sys.modules:
        return  # no dataclass anywhere, or load_config's stdlib is not bundled
    import dataclasses
    import typing

    def visit(tp: object, seen: set[int]) -> None:
        if id(tp) in seen:
            return
        seen.add(id(tp))
        if isinstance(tp, type) and dataclasses.is_dataclass(tp) and tp not in _FIELD_TYPES:
            try:
                _FIELD_TYPES[tp] = hints = typing.get_type_hints(tp)
            except Exception:
                return
            for hint in hints.values():
                visit(hint, seen)
        for arg in typing.get_args(tp):
            visit(arg, seen)
        if isinstance(tp, type):
            for value in list(vars(tp).values()):
                if isinstance(value, type) and value.__module__ == tp.__module__:
                    visit(value, seen)

    seen: set[int] = set()
    for name, module in list(sys.modules.items()):
        if name.partition(".")[0] in sys.stdlib_module_names or name.startswith("proxy_wasm"):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, type) and value.__module__ == name:
                visit(value, seen)
