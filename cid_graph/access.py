"""Access tokens and the audit log, kept in ``PATH/access.sqlite`` beside the warehouse versions.

Tokens are bearer tokens bound to an organization and a role. Only a SHA-256 hash of a token is
stored (tokens are 256-bit random, so a plain hash is enough); the token itself is printed once
when it is created. The audit log records who asked what shape of query and how many cells were
suppressed, never result values (P8).

>>> import tempfile; from pathlib import Path
>>> store = AccessStore(Path(tempfile.mkdtemp()) / "access.sqlite")
>>> token, info = store.create_token("no-olt", "member", ttl_days=30)
>>> store.authenticate(token).org_id
'no-olt'
"""

from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cid_graph.errors import AuthError, CidGraphError

ROLES = ("member", "partner", "admin")
_PREFIX = "cidg_"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    token_id   TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    org_id     TEXT,
    role       TEXT NOT NULL,
    label      TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS audit (
    at         TEXT NOT NULL,
    token_id   TEXT,
    org_id     TEXT,
    role       TEXT,
    operation  TEXT NOT NULL,
    shape      TEXT NOT NULL,
    cells      INTEGER NOT NULL,
    suppressed INTEGER NOT NULL,
    outcome    TEXT NOT NULL,
    ms         INTEGER NOT NULL
);
"""


@dataclass(frozen=True)
class Principal:
    """Who is asking: the token's organization and role."""

    token_id: str
    org_id: str | None
    role: str
    expires_at: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class AccessStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._con() as con:
            con.executescript(_SCHEMA)

    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            self._local.con = con
        return con

    def _audit_con(self) -> sqlite3.Connection:
        """The connection audit rows are written on: WAL with ``synchronous=NORMAL``.

        An audit row is committed before the answer it records is sent, and survives a crash of
        the server process; only an operating-system crash or power loss can lose the last rows
        (no fsync per row, which would cost more than a cached answer). Token changes keep the
        full fsync of :meth:`_con`: a revocation must never be undone by a power loss.
        """
        con = getattr(self._local, "audit_con", None)
        if con is None:
            con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            self._local.audit_con = con
        return con

    # -- tokens -----------------------------------------------------------------------------
    def create_token(
        self, org_id: str | None, role: str, *, ttl_days: int, label: str | None = None
    ) -> tuple[str, Principal]:
        if role not in ROLES:
            raise CidGraphError(f"unknown role {role!r}", hint=f"Use one of {', '.join(ROLES)}.")
        if role in ("member",) and not org_id:
            raise CidGraphError("a member token needs --org", hint="Name the organization's org_id.")
        if ttl_days <= 0:
            raise CidGraphError("a token must be valid for at least one day", hint="Use --ttl-days 1 or more.")
        token_id = secrets.token_hex(6)
        token = f"{_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
        now = datetime.now(UTC)
        expires = (now + timedelta(days=ttl_days)).isoformat(timespec="seconds")
        self._con().execute(
            "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
            (token_id, _hash(token), org_id, role, label, now.isoformat(timespec="seconds"), expires),
        )
        return token, Principal(token_id, org_id, role, expires)

    def authenticate(self, token: str | None) -> Principal:
        if not token:
            raise AuthError("no access token was sent",
                            hint="Send `Authorization: Bearer <token>`; an operator creates tokens with `cid-graph token create`.")
        row = self._con().execute(
            "SELECT token_id, org_id, role, expires_at, revoked_at FROM tokens WHERE token_hash = ?",
            (_hash(token.strip()),),
        ).fetchone()
        if row is None:
            raise AuthError("the access token is not valid", hint="Check that it was copied whole, or ask an operator for a new one.")
        token_id, org_id, role, expires_at, revoked_at = row
        if revoked_at:
            raise AuthError("the access token was revoked", hint="Ask an operator for a new token.")
        if datetime.fromisoformat(expires_at) <= datetime.now(UTC):
            raise AuthError(f"the access token expired on {expires_at[:10]}", hint="Ask an operator for a new token.")
        return Principal(token_id, org_id, role, expires_at)

    def list_tokens(self) -> list[dict[str, Any]]:
        cur = self._con().execute(
            "SELECT token_id, org_id, role, label, created_at, expires_at, revoked_at FROM tokens ORDER BY created_at"
        )
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def revoke(self, token_id: str) -> None:
        token_id = token_id.removeprefix(_PREFIX).split("_")[0]
        cur = self._con().execute(
            "UPDATE tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL",
            (datetime.now(UTC).isoformat(timespec="seconds"), token_id),
        )
        if cur.rowcount == 0:
            raise CidGraphError(f"no active token with id {token_id}", hint="List tokens with `cid-graph token list`.")

    # -- audit ------------------------------------------------------------------------------
    def audit(
        self, principal: Principal | None, operation: str, shape: dict[str, Any], *,
        cells: int = 0, suppressed: int = 0, outcome: str = "ok", ms: int = 0,
    ) -> None:
        self._audit_con().execute(
            "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (datetime.now(UTC).isoformat(timespec="milliseconds"),
             principal.token_id if principal else None, principal.org_id if principal else None,
             principal.role if principal else None, operation,
             json.dumps(shape, sort_keys=True, ensure_ascii=False), cells, suppressed, outcome, ms),
        )

    def read_audit(self, limit: int = 100, org_id: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM audit"
        args: tuple[Any, ...] = ()
        if org_id:
            sql += " WHERE org_id = ?"
            args = (org_id,)
        cur = self._con().execute(sql + " ORDER BY at DESC LIMIT ?", (*args, limit))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
