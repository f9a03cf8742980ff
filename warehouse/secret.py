"""The pseudonymization secret: the HMAC key of buyer keys (P1).

The key lives outside the warehouse (``Settings.secret_path``), so nobody holding only the
warehouse file can recompute a buyer key from a customer id, and buyer rows of different events
cannot be linked. It is created on first use with mode 0600. Losing it does not lose data, but
later loads can no longer merge new purchases into buyer rows written with the old key; the
warehouse records a fingerprint of the key so that ingest can warn about exactly that.

>>> key = Secret(bytes(range(32)))
>>> import hmac, hashlib
>>> key.hmac_hex("a") == hmac.new(bytes(range(32)), b"a", hashlib.sha256).hexdigest()
True
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cid_graph.errors import ConfigError

_BLOCK = 64  # SHA-256 block size in bytes


@dataclass(frozen=True)
class Secret:
    key: bytes

    @property
    def inner_pad(self) -> bytes:
        """K xor ipad: HMAC-SHA256 = H(K^opad || H(K^ipad || m)); DuckDB computes the rest."""
        return bytes(b ^ 0x36 for b in self.key.ljust(_BLOCK, b"\0"))

    @property
    def outer_pad(self) -> bytes:
        return bytes(b ^ 0x5C for b in self.key.ljust(_BLOCK, b"\0"))

    @property
    def salt_hex(self) -> str:
        """A second value derived from the key, used as a prefix for de-duplication hashes."""
        return hmac.new(self.key, b"cid-graph dedup salt", hashlib.sha256).hexdigest()

    @property
    def fingerprint(self) -> str:
        """Names the key without revealing it (stored in the warehouse's meta table)."""
        return hmac.new(self.key, b"cid-graph fingerprint", hashlib.sha256).hexdigest()[:16]

    def derived(self, purpose: str) -> Secret:
        """A key for another purpose, derived from this one: HMAC(key, purpose). Pseudonyms
        made with it cannot be joined to those made with this key without the key itself."""
        return Secret(hmac.new(self.key, purpose.encode("utf-8"), hashlib.sha256).digest())

    def hmac_hex(self, message: str) -> str:
        return hmac.new(self.key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def load_or_create_secret(path: Path) -> tuple[Secret, bool]:
    """Read the key at ``path`` or create it; returns (secret, created)."""
    path = path.expanduser()
    if path.exists():
        text = path.read_text(encoding="ascii", errors="replace").strip()
        try:
            key = bytes.fromhex(text)
        except ValueError:
            key = b""
        if len(key) < 32:
            raise ConfigError(
                f"the secret file {path} does not hold a 64-hex-digit key",
                hint="Restore it from your backup; only if it is truly lost, remove it and "
                "accept that later loads cannot merge into earlier buyer rows.",
            )
        return Secret(key), False
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
    return Secret(key), True
