"""DuckDB and Spark give identical protected answers over the same data.

Every query of docs/queries/ and a generated set (each metric by each dimension and by month,
weekday and hour, with filters, time ranges, both scopes and every comparison) runs through the
whole API (token, privacy layer, GraphQL) on the DuckDB version file and on Spark (local[2], a
real JVM) over its Parquet export; the JSON answers must be equal: values to the last bit,
suppression and reasons, labels, order and meta. The docs queries also run once over Spark
Connect (sc://), served by the same JVM.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from cid_graph.local_api import INSIGHTS_DOCUMENT, LocalApi
from cid_graph.settings import Settings

DOCS = sorted((Path(__file__).resolve().parents[2] / "docs" / "queries").glob("*.graphql"))
TABS = [p for p in DOCS if p.stem.startswith("tab_")]

VARIABLES = {
    "partner-network": ("partner", {}),
    "member-own": ("member", {"scope": "OWN"}),
    "member-benchmark": ("member", {"scope": "OWN", "compare": [{"kind": "BENCHMARK", "peerGroup": "NORDIC"}],
                                    "locale": "nb"}),
    "member-filtered": ("member", {"filters": [{"dimension": "COUNTRY", "op": "IN", "values": ["NO"]}],
                                   "timeRange": {"from": "2025-01-01", "to": "2025-12-31"}}),
}


def _settings(demo_warehouse: Any, **changes: Any) -> Settings:
    # No result cache: every answer is computed by the engine under test; time limits far away,
    # since this is about equality, not speed, on a machine other work may share.
    return Settings.load(env={}, dotenv=None, warehouse=str(demo_warehouse.root), cache_max_cells=0,
                         query_timeout_s=600.0, request_timeout_s=1200.0, **changes)


@pytest.fixture(scope="module")
def engines(demo_warehouse: Any, demo_parquet: Path, spark: Any) -> Any:
    duck = LocalApi(_settings(demo_warehouse))
    on_spark = LocalApi(_settings(demo_warehouse, engine="spark", parquet_dir=str(demo_parquet),
                                  spark_master=spark.master))
    yield duck, on_spark
    duck.close()
    on_spark.close()


def _first_difference(a: Any, b: Any, path: str = "") -> str | None:
    if type(a) is not type(b):
        return f"{path}: {a!r:.300} ({type(a).__name__}) != {b!r:.300} ({type(b).__name__})"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            found = _first_difference(a.get(key), b.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}[{i}]")
            if found:
                return found
        return None
    return None if a == b else f"{path}: {a!r:.300} != {b!r:.300}"


def assert_same(duck: dict[str, Any], spark: dict[str, Any], what: str) -> None:
    assert not duck.get("errors"), f"{what}: DuckDB answered with errors {duck['errors']}"
    assert not spark.get("errors"), f"{what}: Spark answered with errors {spark['errors']}"
    difference = _first_difference(duck, spark)
    assert difference is None, f"{what}: DuckDB and Spark differ at {difference}"


def _variable_sets(path: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """The tabs with every variable set; each widget query with one, in turn (the tabs hold them all)."""
    if path in TABS:
        return VARIABLES
    name = list(VARIABLES)[DOCS.index(path) % len(VARIABLES)]
    return {name: VARIABLES[name]}


def test_docs_queries_are_identical(engines: Any, demo_warehouse: Any) -> None:
    """Every docs query, sent to both engines a few at a time (as dashboards do)."""
    duck, on_spark = engines
    runs = [(path, name, who, variables) for path in DOCS for name, (who, variables) in _variable_sets(path).items()]

    def both(item: tuple[Path, str, str, dict[str, Any]]) -> tuple[str, dict[str, Any], dict[str, Any]]:
        path, name, who, variables = item
        document, token = path.read_text(encoding="utf-8"), demo_warehouse.tokens[who]
        return f"{path.stem} {name}", duck.execute(document, variables, token), on_spark.execute(document, variables, token)

    with ThreadPoolExecutor(max_workers=3) as pool:
        answers = list(pool.map(both, runs))
    assert {path.stem for path, *_ in runs} == {p.stem for p in DOCS}
    for what, a, b in answers:
        assert_same(a, b, what)
        assert any(r["rows"] for r in a["data"].values()), f"{what}: no rows at all"


# --- the generated set ---------------------------------------------------------------------------
_METRICS = ["BUYERS", "EVENTS", "ORGANIZATIONS", "TICKETS", "REVENUE_EUR", "MALE_BUYERS", "FEMALE_BUYERS",
            "YOUNG_BUYERS", "TICKETS_PER_BUYER", "REVENUE_PER_BUYER_EUR", "REVENUE_PER_TICKET_EUR",
            "BUYERS_SHARE", "FEMALE_SHARE", "MALE_SHARE", "YOUNG_SHARE"]
_NETWORK_DIMS = ["AGE_GROUP", "GENDER", "PURCHASING_POWER", "EDUCATION_LEVEL", "AREA_TYPE", "HOME_TYPE",
                 "BUYER_REGION", "BUYER_COUNTRY", "COUNTRY", "REGION", "ORG_TYPE", "EVENT_TYPE", "EVENT_CATEGORY",
                 "CLASSIFICATION_SOURCE"]
_TIME = [{"dimension": "PURCHASED_AT", "granularity": "MONTH"}, {"dimension": "PURCHASED_AT", "datePart": "WEEKDAY"},
         {"dimension": "PURCHASED_AT", "datePart": "HOUR"}, {"dimension": "EVENT_DATE", "granularity": "WEEK"}]
_H1 = {"from": "2025-01-01", "to": "2025-06-30"}
# The last weekend of March 2025: summer time starts in the night to Sunday the 30th.
_DST = {"from": "2025-03-28", "to": "2025-03-31"}


def _generated() -> list[tuple[str, str, dict[str, Any]]]:
    """(name, who, InsightQuery) of the generated set."""
    out: list[tuple[str, str, dict[str, Any]]] = []
    for scope, who, dims in (("NETWORK", "partner", _NETWORK_DIMS), ("OWN", "member", [*_NETWORK_DIMS, "EVENT"])):
        for dim in dims:  # every metric by every dimension
            out.append((f"{scope}-{dim}", who, {"metrics": _METRICS, "groupBy": [{"dimension": dim}],
                                                "scope": scope, "totals": True}))
        for g in _TIME:  # and by month, weekday, hour (and week of the event date)
            out.append((f"{scope}-{g['dimension']}-{g.get('granularity') or g.get('datePart')}", who,
                        {"metrics": _METRICS, "groupBy": [g], "scope": scope, "totals": True}))
        out += [
            (f"{scope}-filtered-age", who, {"metrics": ["BUYERS", "FEMALE_SHARE", "REVENUE_PER_BUYER_EUR"],
                                            "groupBy": [{"dimension": "AGE_GROUP"}], "scope": scope, "timeRange": _H1,
                                            "filters": [{"dimension": "COUNTRY", "op": "IN", "values": ["NO", "SE"]}]}),
            (f"{scope}-female-weekday-hour", who, {
                "metrics": ["BUYERS", "TICKETS"], "scope": scope,
                "groupBy": [{"dimension": "PURCHASED_AT", "datePart": "WEEKDAY"}, {"dimension": "PURCHASED_AT", "datePart": "HOUR"}],
                "filters": [{"dimension": "GENDER", "op": "IN", "values": ["female"]}]}),
            (f"{scope}-dst-hours", who, {"metrics": ["BUYERS", "REVENUE_EUR"], "scope": scope, "timeRange": _DST,
                                         "groupBy": [{"dimension": "PURCHASED_AT", "granularity": "DAY"},
                                                     {"dimension": "PURCHASED_AT", "datePart": "HOUR"}]}),
            (f"{scope}-event-month", who, {"metrics": ["BUYERS", "YOUNG_SHARE"], "scope": scope,
                                           "groupBy": [{"dimension": "EVENT_TYPE"}, {"dimension": "PURCHASED_AT", "granularity": "MONTH"}],
                                           "filters": [{"dimension": "EVENT_DATE", "op": "BETWEEN", "values": ["2024-09-01", "2025-08-31"]}],
                                           "orderBy": [{"metric": "BUYERS", "direction": "DESC"}], "limit": 25}),
            (f"{scope}-previous-period", who, {"metrics": ["BUYERS", "REVENUE_EUR", "FEMALE_SHARE"], "scope": scope,
                                               "groupBy": [{"dimension": "PURCHASED_AT", "granularity": "MONTH"}],
                                               "timeRange": _H1, "compare": [{"kind": "PREVIOUS_PERIOD"},
                                                                             {"kind": "SAME_PERIOD_LAST_YEAR"}]}),
        ]
    for peer in ("SAME_ORG_TYPE", "SAME_REGION", "SAME_COUNTRY", "NORDIC"):
        out.append((f"benchmark-{peer}", "member", {
            "metrics": ["BUYERS", "FEMALE_SHARE", "TICKETS_PER_BUYER"], "groupBy": [{"dimension": "AGE_GROUP"}],
            "scope": "OWN", "totals": True, "compare": [{"kind": "BENCHMARK", "peerGroup": peer}]}))
    return out


GENERATED = _generated()
BATCH = 12  # insights per document (under the API's alias limit), so the engines answer them together


def _batches() -> list[list[tuple[str, str, dict[str, Any]]]]:
    by_who: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for item in GENERATED:
        by_who.setdefault(item[1], []).append(item)
    return [items[i:i + BATCH] for items in by_who.values() for i in range(0, len(items), BATCH)]


def _document(batch: list[tuple[str, str, dict[str, Any]]]) -> str:
    selection = INSIGHTS_DOCUMENT.split("{", 2)[2].rsplit("}", 2)[0]  # the insights field's selection
    args = ", ".join(f"$q{i}: InsightQuery!" for i in range(len(batch)))
    fields = "\n".join(f"  q{i}: insights(query: $q{i}) {{{selection}}}" for i in range(len(batch)))
    return f"query Generated({args}) {{\n{fields}\n}}"


def test_generated_set_covers_every_metric_and_dimension() -> None:
    asked = {(m, g["dimension"]) for _, _, q in GENERATED for m in q["metrics"] for g in q.get("groupBy", [])}
    assert {(m, d) for m in _METRICS for d in _NETWORK_DIMS} <= asked
    assert len(GENERATED) > 45


@pytest.mark.parametrize("batch", _batches(), ids=lambda b: f"{b[0][1]}-{b[0][0]}")
def test_generated_queries_are_identical(engines: Any, demo_warehouse: Any, batch: Any) -> None:
    duck, on_spark = engines
    document = _document(batch)
    variables = {f"q{i}": q for i, (_, _, q) in enumerate(batch)}
    token = demo_warehouse.tokens[batch[0][1]]
    a = duck.execute(document, variables, token)
    b = on_spark.execute(document, variables, token)
    for i, (name, _, _) in enumerate(batch):
        assert_same({"data": a["data"][f"q{i}"]}, {"data": b["data"][f"q{i}"]}, name)
    assert_same(a, b, "batch")
    published = sum(1 for r in a["data"].values() for row in r["rows"] for m in row["metrics"] if not m["suppressed"])
    suppressed = sum(1 for r in a["data"].values() for row in r["rows"] for m in row["metrics"] if m["suppressed"])
    assert published > 0 and suppressed > 0, "the batch must publish values and suppress some"


def test_spark_connect_gives_the_same_answers(demo_warehouse: Any, demo_parquet: Path, spark: Any, engines: Any) -> None:
    """Each dashboard tab over Spark Connect (sc://), as a cluster would serve it."""
    duck, _ = engines
    remote = LocalApi(_settings(demo_warehouse, engine="spark", parquet_dir=str(demo_parquet),
                                spark_master=spark.connect_url))
    try:
        for path, name in zip(TABS, ("member-benchmark", "partner-network"), strict=False):
            who, variables = VARIABLES[name]
            token = demo_warehouse.tokens[who]
            assert_same(duck.execute(path.read_text(encoding="utf-8"), variables, token),
                        remote.execute(path.read_text(encoding="utf-8"), variables, token),
                        f"{path.stem} {name} over Spark Connect")
    finally:
        remote.close()
