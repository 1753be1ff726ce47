"""Enum wire values and the status -> exception mapping."""

from __future__ import annotations

import pytest

from proxy_wasm import errors
from proxy_wasm.types import (
    Action,
    BufferType,
    GrpcStatus,
    LogLevel,
    MapType,
    MetricType,
    PeerType,
    Status,
    StreamType,
)


def test_wire_values() -> None:
    assert [Action.CONTINUE, Action.PAUSE] == [0, 1]
    assert [m.value for m in LogLevel] == list(range(6))
    assert [PeerType.UNKNOWN, PeerType.LOCAL, PeerType.REMOTE] == [0, 1, 2]
    assert [m.value for m in Status] == list(range(13))
    assert Status.CAS_MISMATCH.value == 8 and Status.UNIMPLEMENTED.value == 12
    assert [m.value for m in MetricType] == [0, 1, 2]
    assert BufferType.HTTP_CALL_RESPONSE_BODY.value == 4
    assert BufferType.FOREIGN_FUNCTION_ARGUMENTS.value == 8
    assert MapType.HTTP_RESPONSE_TRAILERS.value == 3
    assert MapType.HTTP_CALL_RESPONSE_TRAILERS.value == 7
    assert [m.value for m in StreamType] == [0, 1, 2, 3]
    assert GrpcStatus.UNAUTHENTICATED.value == 16 and len(GrpcStatus) == 17


@pytest.mark.parametrize("status", [s for s in Status if s != Status.OK])
def test_one_class_per_status(status: Status) -> None:
    exc = errors.status_error(status, "proxy_get_property")
    assert type(exc) is not errors.ProxyWasmError
    assert isinstance(exc, errors.ProxyWasmError)
    assert exc.status == status
    assert exc.call == "proxy_get_property"
    assert f"proxy_get_property returned {status.name}" in str(exc)


def test_messages_say_what_was_wrong() -> None:
    exc = errors.status_error(Status.CAS_MISMATCH, "proxy_set_shared_data")
    assert isinstance(exc, errors.CasMismatch)
    assert "changed since it was read" in str(exc)
    exc = errors.status_error(Status.BAD_ARGUMENT, "proxy_http_call")
    assert "unknown cluster" in str(exc)
    exc = errors.status_error(Status.BAD_ARGUMENT, "proxy_get_header_map_value")
    assert "not available in this callback" in str(exc)


def test_unknown_status() -> None:
    exc = errors.status_error(99, "proxy_log")
    assert type(exc) is errors.ProxyWasmError
    assert exc.status == 99
    assert "unknown status 99" in str(exc)


def test_map_unavailable() -> None:
    exc = errors.map_unavailable(0, "proxy_get_header_map_value")
    assert isinstance(exc, errors.BadArgument)
    assert str(exc) == (
        "request headers are not available in this callback "
        "(proxy_get_header_map_value of map 0 returned BAD_ARGUMENT)"
    )


def test_misuse_errors_are_value_errors() -> None:
    assert issubclass(errors.LimitExceeded, ValueError)
    assert issubclass(errors.ConfigError, ValueError)
    assert str(errors.ConfigError("$.a", 'expected int, got "x"')) == '$.a: expected int, got "x"'
    assert issubclass(errors.HostNotBound, RuntimeError)


def test_tree_is_drawn_in_docstring() -> None:
    doc = errors.__doc__ or ""
    for status in Status:
        if status != Status.OK:
            cls = type(errors.status_error(status, "x"))
            assert cls.__name__ in doc
