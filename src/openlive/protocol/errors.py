"""Close codes and reasons as the real service gives them (gRPC status mapped to WebSocket close)."""

from __future__ import annotations

from enum import IntEnum

# RFC 6455 caps the close reason at 123 bytes of UTF-8.
MAX_REASON_BYTES = 123


class CloseCode(IntEnum):
    NORMAL = 1000
    # INVALID_ARGUMENT, FAILED_PRECONDITION: a bad message or setup.
    INVALID_ARGUMENT = 1007
    # NOT_FOUND, PERMISSION_DENIED, UNAUTHENTICATED: unknown model, missing or bad credentials.
    POLICY = 1008
    # INTERNAL, UNAVAILABLE, RESOURCE_EXHAUSTED.
    INTERNAL = 1011


def clip_reason(reason: str) -> str:
    """Cut a reason to 123 bytes without splitting a UTF-8 character."""
    encoded = reason.encode()
    if len(encoded) <= MAX_REASON_BYTES:
        return reason
    return encoded[:MAX_REASON_BYTES].decode(errors="ignore")


class ProtocolError(Exception):
    """An error that ends the session with a close code and a short reason."""

    def __init__(self, code: CloseCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = clip_reason(reason)


def invalid_argument(reason: str) -> ProtocolError:
    return ProtocolError(CloseCode.INVALID_ARGUMENT, reason)


def not_supported(feature: str) -> ProtocolError:
    return ProtocolError(CloseCode.INVALID_ARGUMENT, f"{feature} is not supported by this openlive server yet.")


def policy_violation(reason: str) -> ProtocolError:
    return ProtocolError(CloseCode.POLICY, reason)


def internal_error() -> ProtocolError:
    return ProtocolError(CloseCode.INTERNAL, "Internal error encountered.")
