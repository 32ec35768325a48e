"""Domain errors: what a service raises when a rule does not hold.

Each carries a stable machine-readable ``code`` (for the API) and a Chinese ``message`` (for the
page). Views turn them into a message on the page, the API into a 4xx JSON body.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule refused the operation. Nothing was written."""

    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details

    def __str__(self) -> str:
        return self.message


class NotPermitted(DomainError):
    code = "forbidden"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


class InvalidInput(DomainError):
    """Input failed validation; ``details`` maps field names to lists of messages."""

    code = "invalid_input"
    status = 422
