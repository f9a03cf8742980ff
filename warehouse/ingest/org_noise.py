"""Each organization's secret, permanent noise factor for pooled NETWORK cells (P5).

A NETWORK cell pools organizations; two such cells that differ by one organization (region sets
with and without the one organization playing in a region, say) would otherwise give that
organization's buyers, tickets and revenue by subtraction. So every organization's contribution
to a pooled cell is multiplied by a factor of ``1 ± d``, with ``d`` between
:data:`~warehouse.ddl.ORG_NOISE_MIN` and :data:`~warehouse.ddl.ORG_NOISE_MAX` and the sign
drawn from the secret key: the difference then shows the organization's figures off by at
least ``ORG_NOISE_MIN``, in a direction nobody outside knows, however often it is asked
(the factor never changes, so averaging does not remove it). This is the noise infusion that
statistics offices use for business data (Evans, Zayatz and Slanta 1998).

The factor comes from the secret (HMAC of the organization id), so the server, which has no
secret, cannot recompute it, and it is stored in the internal ``org_noise`` table, which the API
never exposes.
"""

from __future__ import annotations

import duckdb

from warehouse.ddl import ORG_NOISE_MAX, ORG_NOISE_MIN
from warehouse.secret import Secret


def noise_factor(secret: Secret, org_id: str) -> float:
    """The organization's factor: 1 ± d, d in [ORG_NOISE_MIN, ORG_NOISE_MAX]."""
    digest = secret.hmac_hex(f"cid-graph org noise:{org_id}")
    u = int(digest[:13], 16) / float(16**13)
    sign = 1.0 if int(digest[13], 16) & 1 else -1.0
    return 1.0 + sign * (ORG_NOISE_MIN + (ORG_NOISE_MAX - ORG_NOISE_MIN) * u)


def ensure_org_noise(con: duckdb.DuckDBPyConnection, secret: Secret) -> int:
    """Give every organization (registered or seen in buyer rows) its factor; returns how many were new."""
    con.execute("CREATE TABLE IF NOT EXISTS org_noise (org_id VARCHAR PRIMARY KEY, factor DOUBLE NOT NULL)")
    missing = [r[0] for r in con.execute("""
        SELECT org_id FROM (SELECT org_id FROM organizations UNION SELECT DISTINCT org_id FROM buyer_rows)
        WHERE org_id NOT IN (SELECT org_id FROM org_noise) ORDER BY org_id
    """).fetchall()]
    if missing:
        con.executemany("INSERT INTO org_noise VALUES (?, ?)",
                        [[org, noise_factor(secret, org)] for org in missing])
    return len(missing)
