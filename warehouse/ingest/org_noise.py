"""Each organization's secret, permanent noise factors for pooled NETWORK cells (P5).

A NETWORK cell pools organizations; two such cells that differ by one organization (region sets
with and without the one organization playing in a region, say) would otherwise give that
organization's buyers, tickets and revenue by subtraction. So every organization's contribution
to a pooled cell is multiplied by a factor of ``1 ± d``, with ``d`` between
:data:`~warehouse.ddl.ORG_NOISE_MIN` and :data:`~warehouse.ddl.ORG_NOISE_MAX` and the sign
drawn from the secret key: the difference then shows the organization's figures off by at
least ``ORG_NOISE_MIN``, in a direction nobody outside knows, however often it is asked
(the factor never changes, so averaging does not remove it). This is the noise infusion that
statistics offices use for business data (Evans, Zayatz and Slanta 1998).

Every organization has :data:`~warehouse.ddl.NOISE_SLOTS` independent factors, one per *slot*;
each pooled measure uses its own slot (``noise_slot`` in the semantic model). With one factor
for all measures, a ratio of two isolated figures (tickets per buyer, average ticket price)
cancelled it, and learning its sign from one measure exposed every other.

The factors come from the secret (HMAC of the organization id and the slot), so the server, which
has no secret, cannot recompute them; they are stored in the internal ``org_noise`` table, which
the API never exposes.

>>> from warehouse.secret import Secret
>>> s = Secret(bytes(range(32)))
>>> f = noise_factor(s, "org-1", 0)
>>> 0.20 <= abs(f - 1) <= 0.28 and f != noise_factor(s, "org-1", 1)
True
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from warehouse.ddl import NOISE_SLOTS, ORG_NOISE_MAX, ORG_NOISE_MIN
from warehouse.secret import Secret


def noise_factor(secret: Secret, org_id: str, slot: int) -> float:
    """The organization's factor for one slot: 1 ± d, d in [ORG_NOISE_MIN, ORG_NOISE_MAX].

    HMAC-SHA256(secret, "cid-graph org noise:<org_id>:<slot>") as hex; u = its first 13 hex
    digits / 16^13; the sign is + when the 14th hex digit is odd; d = MIN + (MAX - MIN) u.
    """
    digest = secret.hmac_hex(f"cid-graph org noise:{org_id}:{slot}")
    u = int(digest[:13], 16) / float(16**13)
    sign = 1.0 if int(digest[13], 16) & 1 else -1.0
    return 1.0 + sign * (ORG_NOISE_MIN + (ORG_NOISE_MAX - ORG_NOISE_MIN) * u)


def ensure_org_noise(con: duckdb.DuckDBPyConnection, secret: Secret) -> int:
    """Give every organization (registered or seen in buyer rows) its factors; returns how many
    organizations were new. A table of the older one-factor shape is rebuilt."""
    columns = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'org_noise'").fetchall()}
    rebuilt = bool(columns) and "slot" not in columns
    if rebuilt:
        con.execute("DROP TABLE org_noise")
    con.execute("""CREATE TABLE IF NOT EXISTS org_noise (org_id VARCHAR NOT NULL, slot SMALLINT NOT NULL,
                   factor DOUBLE NOT NULL, PRIMARY KEY (org_id, slot))""")
    missing = [r[0] for r in con.execute("""
        SELECT org_id FROM (SELECT org_id FROM organizations UNION SELECT DISTINCT org_id FROM buyer_rows)
        WHERE org_id NOT IN (SELECT org_id FROM org_noise) ORDER BY org_id
    """).fetchall()]
    if missing:
        # One Arrow table, not executemany: row by row, 32 factors of 250 organizations took 23 s.
        orgs = [org for org in missing for _ in range(NOISE_SLOTS)]
        slots = [slot for _ in missing for slot in range(NOISE_SLOTS)]
        factors = pa.table({
            "org_id": pa.array(orgs, pa.string()),
            "slot": pa.array(slots, pa.int16()),
            "factor": pa.array([noise_factor(secret, org, slot) for org, slot in zip(orgs, slots, strict=True)],
                               pa.float64()),
        })
        con.register("_org_noise_new", factors)
        try:
            con.execute("INSERT INTO org_noise SELECT org_id, slot, factor FROM _org_noise_new")
        finally:
            con.unregister("_org_noise_new")
    return len(missing) + int(rebuilt)
