"""One error base class. Each subclass carries its HTTP status, CLI exit code and a stable code.

Errors are data at the edges (an import returns a list of `Issue`s), exceptions inside.
"""

from __future__ import annotations

from dataclasses import dataclass


class ArguardError(Exception):
    """Base of every error arguard raises on purpose."""

    http_status: int = 400
    exit_code: int = 1
    code: str = "error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class ValidationError(ArguardError):
    http_status = 422
    exit_code = 2
    code = "invalid"


class NotFound(ArguardError):
    http_status = 404
    exit_code = 3
    code = "not_found"


class Conflict(ArguardError):
    http_status = 409
    exit_code = 4
    code = "conflict"


class Unauthorized(ArguardError):
    http_status = 401
    exit_code = 5
    code = "unauthorized"


class Forbidden(ArguardError):
    http_status = 403
    exit_code = 5
    code = "forbidden"


class TooManyRequests(ArguardError):
    """Too many failed attempts (sign-in, API key) from one user or address; try again later."""

    http_status = 429
    exit_code = 6
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after_s: int = 60, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


class PayloadTooLarge(ArguardError):
    http_status = 413
    exit_code = 2
    code = "payload_too_large"


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in user data, with where it was found.

    source: file name (or 'api'); line: 1-based physical line (header is line 1);
    field: column name; reason: what is wrong, in plain words.
    """

    source: str
    line: int | None
    field: str | None
    reason: str

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f" [{self.field}]"
        return f"{where}: {self.reason}"


class ImportRejected(ValidationError):
    """Raised when a file cannot be read at all (not for bad rows, which become Issues)."""

    code = "import_rejected"
