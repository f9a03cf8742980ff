"""An independent oracle: the contract's rules in hand-written DuckDB SQL over the RAW CSV files.

Nothing here imports the warehouse's ingest code. It reads the contract files as text
(``read_csv`` with every column VARCHAR), applies the data contract itself and builds one
table ``ob`` (oracle buyers): one row per buyer per event, with the dimensions the API
groups by. :meth:`Oracle.cells` then aggregates it for a query shape.

Rules applied (docs/data-contract.md, DESIGN.md §1):

- a row is dropped when its org_id is unknown, event_start/purchased_at does not parse,
  tickets is not an integer, or a required text is empty;
- (org_id, transaction_id) keeps its first valid row in file order (exact repeats count once,
  a repeated id with different content loses to the first);
- timestamps without an offset are local time of the organization's country;
- a buyer is (org_id, event_id, customer_id), or the transaction itself without customer_id;
  a buyer with net tickets <= 0 is not a buyer; its time is its first purchase with tickets > 0
  in the organization's local time;
- gender spellings map to male/female, anything else is unknown;
- age = year(event local date) - birth_year, in the nine age groups;
- revenue in EUR: amount / units_per_eur of the currency in the purchase date's year;
- the event's region: venue postal code -> region, else the organization's (region column,
  else its postal code);
- the event's type and category: the source's (first non-empty spelling in file order, mapped
  by the oracle's own word lists); what the source does not give is predicted by the shipped
  classifier (trained here from the shipped corpus, so the oracle trusts the model as the
  definition of "predicted", nothing else of ingest) from the first title, the organization's
  type, name and country and the event's context computed here from the raw rows (local weekday
  and hour, the title's dates and weeks at the organization, EUR per ticket and tickets per
  buyer), and the oracle applies the documented threshold rule itself: a predicted type under
  the threshold is ``other`` (``model_low_confidence``), a predicted category under the
  threshold (capped at 0.6) is ``other``. ``classification_source`` follows from the same rule.
  Comparisons that must not depend on the model filter on ``CLASSIFICATION_SOURCE = source``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

REFERENCE = Path(__file__).resolve().parents[2] / "warehouse" / "reference"

TX_COLUMNS = (
    "transaction_id", "org_id", "event_id", "event_name", "event_start", "venue_postal_code",
    "event_type", "event_category", "purchased_at", "customer_id", "tickets", "amount",
    "currency", "birth_year", "gender", "postal_code", "buyer_country",
)

TZ = {"NO": "Europe/Oslo", "SE": "Europe/Stockholm", "DK": "Europe/Copenhagen",
      "FI": "Europe/Helsinki", "IS": "Atlantic/Reykjavik"}
CURRENCY = {"NO": "NOK", "SE": "SEK", "DK": "DKK", "FI": "EUR", "IS": "ISK"}

# Spellings (lower-cased, trimmed) -> codes. Written for the oracle from the contract's
# examples and the Nordic words ticketing exports use.
GENDER_WORDS = {
    "male": ["m", "male", "man", "mann", "mand", "mies", "men", "herr", "mr", "karl", "1"],
    "female": ["f", "female", "k", "kvinne", "kvinna", "kvinde", "nainen", "woman", "n", "kona",
               "fru", "mrs", "ms", "w", "2"],
}
ORG_TYPE_WORDS = {
    "music": ["music", "musikk", "musik", "musiikki", "konserthus"],
    "theatre_performing_arts": ["theatre_performing_arts", "teater", "theatre", "theater",
                                "teatteri", "scenekunst", "scenkonst"],
    "film_screening": ["film_screening", "kino", "biograf", "bio", "cinema", "film", "elokuvateatteri"],
    "festival": ["festival", "festivaali"],
    "sports": ["sports", "sport", "idrett", "idrott", "idræt", "urheilu"],
    "museum_heritage": ["museum_heritage", "museum", "museo", "safn", "museer"],
    "other": ["other", "annet", "annat", "andet", "muu"],
}
EVENT_TYPE_WORDS = {
    "concert": ["concert", "konsert", "koncert", "konsertti", "tónleikar"],
    "play": ["play", "teater", "forestilling", "föreställning", "näytelmä"],
    "opera_ballet": ["opera_ballet", "opera", "ballett", "ballet", "ooppera"],
    "screening": ["screening", "kino", "film", "bio", "elokuva", "movie"],
    "festival": ["festival", "festivaali"],
    "sports_event": ["sports_event", "kamp", "match", "ottelu", "sport"],
    "exhibition": ["exhibition", "utstilling", "utställning", "udstilling", "näyttely", "sýning"],
    "talk": ["talk", "foredrag", "föredrag", "luento", "lecture"],
    "standup_comedy": ["standup_comedy", "standup", "stand-up"],
    "family_show": ["family_show", "familie", "family", "barn", "familieforestilling",
                    "barneforestilling", "familjeföreställning", "børneforestilling", "lastenesitys"],
    "other": ["other", "annet", "annat", "andet", "muu"],
}
EVENT_CATEGORY_WORDS = {
    "classical": ["klassisk", "klassinen", "klassík"],
    "football": ["fotball", "fotboll", "fodbold", "jalkapallo", "fótbolti", "soccer"],
    "children": ["barn", "børn", "lapset", "kids"],
    "drama": ["skuespill", "teater", "näytelmä"],
    "art": ["kunst", "konst", "taide", "list"],
    "ice_hockey": ["ishockey", "jääkiekko", "íshokkí"],
    **{code: [] for code in ("pop_rock", "jazz", "folk_world", "electronic", "comedy", "musical",
                             "dance", "opera", "documentary", "feature_film", "handball",
                             "other_sport", "history", "literature", "other")},
}
#: The documented default of Settings.classification_threshold, and the documented cap of the
#: genre's threshold.
THRESHOLD = 0.8
CATEGORY_CAP = 0.6

AGE_CASE = """
    CASE WHEN a IS NULL OR a < 0  THEN 'unknown'
         WHEN a <= 17 THEN '0-17' WHEN a <= 24 THEN '18-24' WHEN a <= 34 THEN '25-34'
         WHEN a <= 44 THEN '35-44' WHEN a <= 54 THEN '45-54' WHEN a <= 64 THEN '55-64'
         WHEN a <= 74 THEN '65-74' ELSE '75+' END"""

#: Oracle expressions of the API's group-by dimensions (keys: (dimension, granularity, datePart)).
DIMENSION_SQL: dict[tuple[str, str | None, str | None], str] = {
    ("EVENT", None, None): "event_id",
    ("ORGANIZATION", None, None): "org_id",
    ("COUNTRY", None, None): "country",
    ("REGION", None, None): "region",
    ("ORG_TYPE", None, None): "org_type",
    ("EVENT_TYPE", None, None): "event_type",
    ("EVENT_CATEGORY", None, None): "event_category",
    ("CLASSIFICATION_SOURCE", None, None): "classification_source",
    ("AGE_GROUP", None, None): "age_group",
    ("GENDER", None, None): "gender",
    ("PURCHASED_AT", "MONTH", None): "strftime(date_trunc('month', first_local), '%Y-%m-%d')",
    ("PURCHASED_AT", "DAY", None): "strftime(CAST(first_local AS DATE), '%Y-%m-%d')",
    ("PURCHASED_AT", None, "WEEKDAY"): "CAST(isodow(first_local) AS VARCHAR)",
    ("PURCHASED_AT", None, "HOUR"): "CAST(hour(first_local) AS VARCHAR)",
}
#: Dimensions that are enriched attributes of the buyer (P6: protected even in OWN scope).
ENRICHED = {"AGE_GROUP", "GENDER", "PURCHASING_POWER", "EDUCATION_LEVEL", "AREA_TYPE",
            "HOME_TYPE", "BUYER_REGION", "BUYER_COUNTRY"}


def _values(words: dict[str, list[str]], alias: str = "v") -> str:
    rows = [f"('{w.lower()}', '{code}')" for code, ws in words.items() for w in {code, *ws}]
    return "(VALUES " + ", ".join(rows) + f") AS {alias}(word, code)"


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _case(mapping: dict[str, str], col: str) -> str:
    return "CASE " + col + " " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in mapping.items()) + " END"


@dataclass
class Cell:
    """The oracle's truth for one cell."""

    buyers: int = 0
    events: int = 0
    organizations: int = 0
    tickets: float = 0.0
    revenue_eur: float = 0.0
    male_buyers: int = 0
    female_buyers: int = 0
    young_buyers: int = 0
    max_tickets: float = 0.0
    max_revenue: float = 0.0
    # per-organization contributions (for the p% rule), largest first
    org_buyers: list[float] = field(default_factory=list)
    org_tickets: list[float] = field(default_factory=list)
    org_revenue: list[float] = field(default_factory=list)
    # pooled (NETWORK) values: each organization's contribution times its secret noise factor
    scaled: dict[str, float] = field(default_factory=dict)
    # sums over the organizations of each one's largest buyer (the bound of pooled sum noise)
    sum_max_tickets: float = 0.0
    sum_max_revenue: float = 0.0
    org_ids: list[str] = field(default_factory=list)  # in the order of org_buyers

    @property
    def buyers_by_org(self) -> dict[str, int]:
        return {o: int(n) for o, n in zip(self.org_ids, self.org_buyers, strict=True)}


#: The noise slot of each pooled measure, as measures.yaml declares it (PRIVACY.md, P5).
NOISE_SLOTS = {"buyers": 0, "events": 1, "tickets": 2, "revenue_eur": 3, "male_buyers": 4,
               "female_buyers": 5, "young_buyers": 6, "nps_answers": 14, "nps_points": 18}


def org_noise_factor(key: bytes, org_id: str, slot: int) -> float:
    """PRIVACY.md's organization noise factor of one slot, written from its documentation:
    HMAC-SHA256(key, "cid-graph org noise:" + org_id + ":" + slot) as hex; u = first 13 hex
    digits / 16^13; the sign is + when the 14th hex digit is odd; factor = 1 ± (0.20 + 0.08 u)."""
    digest = hmac.new(key, f"cid-graph org noise:{org_id}:{slot}".encode(), hashlib.sha256).hexdigest()
    u = int(digest[:13], 16) / 16**13
    return 1 + (1 if int(digest[13], 16) % 2 else -1) * (0.20 + 0.08 * u)


class Oracle:
    def __init__(self, organizations: Path, transactions: list[Path], secret_key: bytes | None = None) -> None:
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET threads = 1")  # file order = insertion order, beyond doubt
        self.con = con
        csv = "read_csv({path}, header=true, all_varchar=true, delim=',', quote='\"', escape='\"')"
        con.execute(f"CREATE TABLE raw_org AS SELECT * FROM {csv.format(path=_lit(str(organizations)))}")
        con.execute(f"CREATE TABLE ref_pc AS SELECT * FROM {csv.format(path=_lit(str(REFERENCE / 'postal_codes.csv')))}")
        con.execute(f"""CREATE TABLE fx AS SELECT currency, year(CAST(valid_from AS DATE)) AS yr,
                        CAST(units_per_eur AS DOUBLE) AS units_per_eur
                        FROM {csv.format(path=_lit(str(REFERENCE / 'fx_rates.csv')))}""")
        cols = ", ".join(f'"{c}"' for c in TX_COLUMNS)
        con.execute(f"CREATE TABLE raw_tx AS SELECT 0 AS file_no, {cols} FROM {csv.format(path=_lit(str(transactions[0])))} LIMIT 0")
        for no, path in enumerate(transactions):
            con.execute(f"INSERT INTO raw_tx SELECT {no}, {cols} FROM {csv.format(path=_lit(str(path)))}")
        con.execute("CREATE TABLE tx_ord AS SELECT row_number() OVER () AS ord, * FROM (SELECT * FROM raw_tx ORDER BY rowid)")

        tz = _case(TZ, "{c}")
        postal = ("CASE WHEN length(d) = 3 AND {c} = 'NO' THEN lpad(d, 4, '0') "
                  "WHEN length(d) IN (3, 4) AND {c} = 'FI' THEN lpad(d, 5, '0') ELSE d END")
        # Organizations: first row per org_id; region from the column, else the postal code.
        con.execute(f"""
            CREATE TABLE org AS
            WITH o AS (
                SELECT trim(org_id) AS org_id, lower(trim(org_type)) AS org_type_raw,
                       upper(trim(country)) AS country, upper(nullif(trim(region), '')) AS region_raw,
                       nullif(regexp_replace(coalesce(postal_code, ''), '[^0-9]', '', 'g'), '') AS d,
                       rowid AS ord
                FROM raw_org
            )
            SELECT o.org_id, v.code AS org_type, o.country,
                   coalesce(o.region_raw, pc.region, 'unknown') AS region,
                   {tz.format(c='o.country')} AS tz,
                   {_case(CURRENCY, 'o.country')} AS org_currency
            FROM o
            LEFT JOIN {_values(ORG_TYPE_WORDS)} ON v.word = o.org_type_raw
            LEFT JOIN ref_pc pc ON pc.country = o.country AND pc.postal_code = ({postal.format(c='o.country')})
            QUALIFY row_number() OVER (PARTITION BY o.org_id ORDER BY o.ord) = 1
        """)
        offset = r"[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?\s*(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$"

        def instant(col: str) -> str:
            return (f"CASE WHEN regexp_matches(trim({col}), '{offset}') THEN try_cast(trim({col}) AS TIMESTAMPTZ) "
                    f"ELSE timezone(o.tz, try_cast(trim({col}) AS TIMESTAMP)) END")

        con.execute(f"""
            CREATE TABLE tx AS
            SELECT t.ord, o.org_id, o.country, o.tz, o.region AS org_region, o.org_type, o.org_currency,
                   trim(t.transaction_id) AS transaction_id, trim(t.event_id) AS event_id,
                   nullif(trim(t.customer_id), '') AS customer_id,
                   {instant('t.event_start')} AS event_start_at,
                   {instant('t.purchased_at')} AS purchased_at,
                   CASE WHEN regexp_full_match(trim(t.tickets), '[+-]?[0-9]+') THEN CAST(trim(t.tickets) AS BIGINT) END AS tickets,
                   CASE WHEN nullif(trim(t.amount), '') IS NULL THEN 0.0
                        ELSE try_cast(replace(trim(t.amount), ',', '.') AS DOUBLE) END AS amount,
                   coalesce(upper(nullif(trim(t.currency), '')), o.org_currency) AS currency,
                   CASE WHEN regexp_full_match(trim(t.birth_year), '[0-9]{{4}}') THEN CAST(trim(t.birth_year) AS INTEGER) END AS birth_year,
                   coalesce(g.code, 'unknown') AS gender,
                   nullif(regexp_replace(coalesce(t.venue_postal_code, ''), '[^0-9]', '', 'g'), '') AS venue_digits,
                   lower(nullif(trim(t.event_type), '')) AS event_type_raw,
                   lower(nullif(trim(t.event_category), '')) AS event_category_raw,
                   nullif(trim(t.event_name), '') AS event_name
            FROM tx_ord t
            JOIN org o ON o.org_id = trim(t.org_id)
            LEFT JOIN {_values(GENDER_WORDS, 'g')} ON g.word = lower(trim(t.gender))
        """)
        con.execute("""
            CREATE TABLE tx_ok AS
            SELECT * FROM tx
            WHERE transaction_id <> '' AND event_id <> '' AND event_name IS NOT NULL
              AND event_start_at IS NOT NULL AND purchased_at IS NOT NULL
              AND tickets IS NOT NULL AND amount IS NOT NULL
            QUALIFY row_number() OVER (PARTITION BY org_id, transaction_id ORDER BY ord) = 1
        """)
        con.execute(f"""
            CREATE TABLE ev_raw AS
            WITH e AS (
                SELECT org_id, event_id, arg_min(country, ord) AS country, arg_min(tz, ord) AS tz,
                       arg_min(org_region, ord) AS org_region, arg_min(org_type, ord) AS org_type,
                       arg_min(event_name, ord) AS title,
                       arg_min(event_start_at, ord) AS event_start_at,
                       arg_min(venue_digits, ord) FILTER (WHERE venue_digits IS NOT NULL) AS d,
                       arg_min(event_type_raw, ord) FILTER (WHERE event_type_raw IS NOT NULL) AS type_raw,
                       arg_min(event_category_raw, ord) FILTER (WHERE event_category_raw IS NOT NULL) AS category_raw
                FROM tx_ok GROUP BY org_id, event_id
            )
            SELECT e.org_id, e.event_id, e.title, e.org_type, e.country,
                   CAST(timezone(e.tz, e.event_start_at) AS DATE) AS event_date,
                   timezone(e.tz, e.event_start_at) AS start_local,
                   coalesce(pc.region, e.org_region) AS region,
                   v.code AS source_type, c.code AS source_category
            FROM e
            LEFT JOIN ref_pc pc ON pc.country = e.country AND pc.postal_code = ({postal.format(c='e.country')})
            LEFT JOIN {_values(EVENT_TYPE_WORDS)} ON v.word = e.type_raw
            LEFT JOIN {_values(EVENT_CATEGORY_WORDS, 'c')} ON c.word = e.category_raw
        """)
        self._classify()
        con.execute(f"""
            CREATE TABLE ob AS
            WITH b AS (
                SELECT t.org_id, t.event_id,
                       CASE WHEN t.customer_id IS NULL THEN 'tx:' || t.transaction_id ELSE 'cu:' || t.customer_id END AS who,
                       sum(t.tickets) AS tickets,
                       sum(t.amount / fx.units_per_eur) AS revenue_eur,
                       -- the same at the rate of the UTC date's year (only to diagnose a disagreement)
                       sum(t.amount / fxu.units_per_eur) AS revenue_eur_utc_date,
                       min(t.purchased_at) FILTER (WHERE t.tickets > 0) AS first_at,
                       arg_min(t.birth_year, t.ord) FILTER (WHERE t.birth_year IS NOT NULL) AS birth_year,
                       coalesce(arg_min(t.gender, t.ord) FILTER (WHERE t.gender <> 'unknown'), 'unknown') AS gender
                FROM tx_ok t
                JOIN fx ON fx.currency = t.currency AND fx.yr = year(timezone(t.tz, t.purchased_at))
                JOIN fx fxu ON fxu.currency = t.currency AND fxu.yr = year(timezone('UTC', t.purchased_at))
                GROUP BY ALL
                HAVING sum(t.tickets) > 0
            )
            SELECT b.org_id, b.event_id, o.country, o.org_type, e.region, e.event_type,
                   e.event_category, e.classification_source,
                   b.tickets, b.revenue_eur, b.revenue_eur_utc_date, timezone(o.tz, b.first_at) AS first_local,
                   b.who, b.first_at, e.event_date,
                   b.gender,
                   {AGE_CASE.replace('a ', '(year(e.event_date) - b.birth_year) ')} AS age_group
            FROM b JOIN org o USING (org_id) JOIN ev e USING (org_id, event_id)
        """)
        orgs = [r[0] for r in con.execute("SELECT org_id FROM org UNION SELECT org_id FROM ob").fetchall()]
        names = list(NOISE_SLOTS)
        con.execute(f"CREATE TABLE nf (org_id VARCHAR, {', '.join(f'f_{n} DOUBLE' for n in names)})")
        if secret_key is not None and orgs:
            con.executemany(f"INSERT INTO nf VALUES (?{', ?' * len(names)})",
                            [[o, *(org_noise_factor(secret_key, o, NOISE_SLOTS[n]) for n in names)] for o in orgs])

    def _classify(self) -> None:
        """``ev``: every event with its labels, by the rule in the module's docstring."""
        from warehouse.classify.context import EventContext
        from warehouse.classify.model import train, training_rows

        rows = self.con.execute("""
            WITH runs AS (
                SELECT org_id, lower(trim(title)) AS k, count(*) AS dates,
                       date_diff('day', min(event_date), max(event_date)) / 7.0 AS weeks
                FROM ev_raw GROUP BY ALL
            ), per_buyer AS (
                SELECT t.org_id, t.event_id, sum(t.tickets) AS tickets,
                       sum(t.amount / fx.units_per_eur) AS eur
                FROM tx_ok t
                JOIN fx ON fx.currency = t.currency AND fx.yr = year(timezone(t.tz, t.purchased_at))
                GROUP BY t.org_id, t.event_id,
                         CASE WHEN t.customer_id IS NULL THEN 'tx:' || t.transaction_id ELSE 'cu:' || t.customer_id END
                HAVING sum(t.tickets) > 0
            ), sales AS (
                SELECT org_id, event_id, sum(eur) / sum(tickets) AS price, sum(tickets) / count(*) AS tpb
                FROM per_buyer GROUP BY ALL
            )
            SELECT r.org_id, r.event_id, r.title, r.org_type, r.country, r.source_type, r.source_category,
                   (SELECT arg_min(o.name, o.rowid) FROM raw_org o WHERE trim(o.org_id) = r.org_id) AS org_name,
                   isodow(r.start_local),
                   CASE WHEN hour(r.start_local) = 0 AND minute(r.start_local) = 0 THEN NULL
                        ELSE hour(r.start_local) END,
                   n.dates, n.weeks, s.price, s.tpb
            FROM ev_raw r
            JOIN runs n ON n.org_id = r.org_id AND n.k = lower(trim(r.title))
            LEFT JOIN sales s ON s.org_id = r.org_id AND s.event_id = r.event_id
            WHERE r.source_type IS NULL OR r.source_category IS NULL
            ORDER BY r.org_id, r.event_id""").fetchall()
        labels: list[tuple[str, str, str, str, str]] = []
        if rows:
            model = train(training_rows())
            contexts = [EventContext(weekday=r[8], hour=r[9], dates=r[10], weeks=r[11], price_eur=r[12],
                                     tickets_per_buyer=r[13]) for r in rows]
            preds = model.predict([r[2] for r in rows], [r[3] for r in rows], [r[4] for r in rows],
                                  [r[7] for r in rows], known_types=[r[5] for r in rows],
                                  known_categories=[r[6] for r in rows], contexts=contexts)
            for r, p in zip(rows, preds, strict=True):
                known_type, known_category = r[5], r[6]
                if known_type is None and p.event_type_confidence < THRESHOLD:
                    labels.append((r[0], r[1], "other", known_category or "other", "model_low_confidence"))
                    continue
                etype = known_type or p.event_type
                if known_category is None and p.event_category_confidence < min(THRESHOLD, CATEGORY_CAP):
                    source = "model" if known_type is None else "model_low_confidence"
                    labels.append((r[0], r[1], etype, "other", source))
                    continue
                labels.append((r[0], r[1], etype, known_category or p.event_category, "model"))
        self.con.execute("CREATE TABLE predicted (org_id VARCHAR, event_id VARCHAR, event_type VARCHAR, "
                         "event_category VARCHAR, classification_source VARCHAR)")
        if labels:
            self.con.executemany("INSERT INTO predicted VALUES (?, ?, ?, ?, ?)", labels)
        self.con.execute("""
            CREATE TABLE ev AS
            SELECT r.org_id, r.event_id, r.event_date, r.region,
                   coalesce(p.event_type, r.source_type) AS event_type,
                   coalesce(p.event_category, r.source_category) AS event_category,
                   coalesce(p.classification_source, 'source') AS classification_source
            FROM ev_raw r LEFT JOIN predicted p USING (org_id, event_id)""")

    # ------------------------------------------------------------------------------------------
    def scalar(self, sql: str, params: list[Any] | None = None) -> Any:
        return self.con.execute(sql, params or []).fetchone()[0]  # type: ignore[index]

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, params or []).fetchall()

    def where(self, org_id: str | None, filters: list[dict[str, Any]] | None,
              time_range: dict[str, str] | None) -> tuple[str, list[Any]]:
        conds, params = ["true"], []
        if org_id is not None:
            conds.append("org_id = ?")
            params.append(org_id)
        for f in filters or []:
            col = DIMENSION_SQL[(f["dimension"], None, None)]
            conds.append(f"{col} IN ({', '.join('?' for _ in f['values'])})")
            params.extend(f["values"])
        if time_range:
            if time_range.get("from"):
                conds.append("CAST(first_local AS DATE) >= CAST(? AS DATE)")
                params.append(time_range["from"])
            if time_range.get("to"):
                conds.append("CAST(first_local AS DATE) <= CAST(? AS DATE)")
                params.append(time_range["to"])
        return " AND ".join(conds), params

    def cells(self, group_by: list[tuple[str, str | None, str | None]], *, org_id: str | None = None,
              filters: list[dict[str, Any]] | None = None,
              time_range: dict[str, str] | None = None,
              revenue: str = "revenue_eur") -> dict[tuple[str, ...], Cell]:
        """The truth per cell, keyed by the dimension values as the API returns them.

        ``revenue="revenue_eur_utc_date"`` converts at the rate of the UTC date's year instead of
        the local purchase date's (a diagnosis aid, not the contract's rule).
        """
        assert revenue in ("revenue_eur", "revenue_eur_utc_date")
        dims = [DIMENSION_SQL[g] for g in group_by]
        keys = [f"CAST({d} AS VARCHAR) AS k{i}" for i, d in enumerate(dims)]
        key_cols = [f"k{i}" for i in range(len(dims))]
        where, params = self.where(org_id, filters, time_range)
        sel = ", ".join(keys) + ("," if keys else "")
        grp = ", ".join(key_cols)
        per_org = f"""
            SELECT {sel} org_id,
                   count(*) AS buyers, count(DISTINCT event_id) AS events, sum(tickets) AS tickets,
                   sum({revenue}) AS revenue_eur,
                   count(*) FILTER (WHERE gender = 'male') AS male_buyers,
                   count(*) FILTER (WHERE gender = 'female') AS female_buyers,
                   count(*) FILTER (WHERE age_group IN ('0-17', '18-24')) AS young_buyers,
                   max(abs(tickets)) AS max_tickets, max(abs({revenue})) AS max_revenue
            FROM ob WHERE {where}
            GROUP BY {(grp + ', ') if grp else ''} org_id
        """
        factors = ", ".join(f"coalesce(nf.f_{n}, 1.0) AS f_{n}" for n in NOISE_SLOTS)
        per_org = f"SELECT p.*, {factors} FROM ({per_org}) p LEFT JOIN nf USING (org_id)"
        sql = f"""
            SELECT {(grp + ',') if grp else ''}
                   sum(buyers), sum(events), count(*), sum(tickets), sum(revenue_eur),
                   sum(male_buyers), sum(female_buyers), sum(young_buyers),
                   max(max_tickets), max(max_revenue),
                   list(buyers ORDER BY buyers DESC), list(tickets ORDER BY tickets DESC),
                   list(revenue_eur ORDER BY revenue_eur DESC),
                   sum(buyers * f_buyers), sum(male_buyers * f_male_buyers),
                   sum(female_buyers * f_female_buyers), sum(young_buyers * f_young_buyers),
                   sum(tickets * f_tickets), sum(revenue_eur * f_revenue_eur), sum(max_tickets), sum(max_revenue),
                   list(org_id ORDER BY buyers DESC), sum(events * f_events)
            FROM ({per_org}) p
            {('GROUP BY ' + grp) if grp else ''}
        """
        out: dict[tuple[str, ...], Cell] = {}
        for row in self.rows(sql, params):
            n = len(dims)
            key = tuple(row[:n])
            v = row[n:]
            if v[0] is None:
                continue
            out[key] = Cell(int(v[0]), int(v[1]), int(v[2]), float(v[3]), float(v[4]), int(v[5]),
                            int(v[6]), int(v[7]), float(v[8]), float(v[9]),
                            [float(x) for x in v[10]], [float(x) for x in v[11]], [float(x) for x in v[12]],
                            dict(zip(("buyers", "male_buyers", "female_buyers", "young_buyers", "tickets",
                                      "revenue_eur"), (float(x) for x in v[13:19]), strict=True)),
                            float(v[19] or 0), float(v[20] or 0), [str(x) for x in v[21]])
            out[key].scaled["events"] = float(v[22])
        return out

    def total(self, **kw: Any) -> Cell:
        return self.cells([], **kw).get((), Cell())
