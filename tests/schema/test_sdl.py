"""The committed SDL is what the code builds; regenerate with `cid-graph schema > schema/schema.graphql`."""

from __future__ import annotations

from cid_graph.settings import Settings
from schema.export import SDL_PATH, print_sdl


def test_committed_sdl_matches_the_schema():
    built = print_sdl(Settings.load(env={}, dotenv=None))
    committed = SDL_PATH.read_text(encoding="utf-8")
    assert built == committed, "schema/schema.graphql drifted: run `cid-graph schema > schema/schema.graphql` and review the diff"


def test_contract_names_are_in_the_sdl():
    sdl = SDL_PATH.read_text(encoding="utf-8")
    for name in ("BUYERS", "EVENTS", "ORGANIZATIONS", "TICKETS", "REVENUE_EUR", "MALE_BUYERS", "FEMALE_BUYERS",
                 "YOUNG_BUYERS", "TICKETS_PER_BUYER", "REVENUE_PER_BUYER_EUR", "COUNTRY", "REGION", "BUYER_REGION",
                 "ORG_TYPE", "EVENT_TYPE", "EVENT_CATEGORY", "AGE_GROUP", "GENDER", "PURCHASING_POWER",
                 "EDUCATION_LEVEL", "AREA_TYPE", "HOME_TYPE", "PURCHASED_AT", "EVENT_DATE", "ORGANIZATION", "EVENT",
                 "insights(query: InsightQuery!", "catalog", "explain(query: InsightQuery!", "me: Principal!",
                 "suppressed: Boolean!", "reason: SuppressionReason", "comparisons: [ComparisonValue!]"):
        assert name in sdl, name


def test_the_five_code_packages_import_from_the_distribution():
    import importlib.metadata

    files = {str(f).split("/")[0] for f in importlib.metadata.files("cid-graph") or []}
    dist = importlib.metadata.distribution("cid-graph")
    assert dist.metadata["Name"] == "cid-graph"
    import cid_graph  # noqa: E401
    import metrics
    import resolvers
    import schema
    import warehouse

    for module in (cid_graph, metrics, resolvers, schema, warehouse):
        assert module.__file__ and "site-packages" not in module.__file__ or module.__name__ in files
