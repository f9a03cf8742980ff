"""One error hierarchy for CID Graph.

Every expected failure is a :class:`CidGraphError` with a stable ``code``, a message that says
what went wrong and a ``hint`` that says how to fix it. The edges (CLI, HTTP, GraphQL) translate
these once; anything that is not a ``CidGraphError`` is masked and logged.

>>> err = InputFileError("transactions.csv is not valid UTF-8", hint="Re-export it as UTF-8.")
>>> err.code, err.status
('INPUT_FILE', 400)
"""

from __future__ import annotations


class CidGraphError(Exception):
    """Base of every expected error. ``status`` is the HTTP status it maps to."""

    code = "CID_GRAPH_ERROR"
    status = 400

    def __init__(self, message: str, *, hint: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if code is not None:
            self.code = code

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "hint": self.hint}

    def __str__(self) -> str:
        return f"{self.message}\nhint: {self.hint}" if self.hint else self.message


class ConfigError(CidGraphError):
    code = "CONFIG"
    status = 500


class InputFileError(CidGraphError):
    """A whole input file cannot be read: nothing is loaded."""

    code = "INPUT_FILE"


class WarehouseError(CidGraphError):
    code = "WAREHOUSE"
    status = 503


class WarehouseLockedError(WarehouseError):
    code = "WAREHOUSE_LOCKED"
    status = 409


class ModelError(CidGraphError):
    """The semantic model (YAML) has problems; carries every issue found."""

    code = "SEMANTIC_MODEL"
    status = 500

    def __init__(self, issues: list[object]) -> None:
        self.issues = issues
        lines = "\n".join(str(i) for i in issues)
        super().__init__(
            f"the semantic model has {len(issues)} problem(s):\n{lines}",
            hint="Fix each file:line listed and run `cid-graph check` again.",
        )


class QueryError(CidGraphError):
    """A query that is well-formed GraphQL but asks for something the model cannot answer."""

    code = "BAD_QUERY"


class QueryTimeoutError(CidGraphError):
    code = "QUERY_TIMEOUT"
    status = 504


class AuthError(CidGraphError):
    code = "UNAUTHENTICATED"
    status = 401


class ForbiddenError(CidGraphError):
    code = "FORBIDDEN"
    status = 403


class PrivacyError(CidGraphError):
    """A query refused by a privacy rule (P7 grammar, scope); says which rule and how to ask."""

    code = "PRIVACY_RULE"
    status = 403
