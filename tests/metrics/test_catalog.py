"""The catalog: required names, labels in five languages, bucket order, value checks."""

from __future__ import annotations

from typing import Any

import pytest

from cid_graph.errors import QueryError
from metrics.catalog import Catalog
from metrics.definitions import LANGUAGES
from warehouse import ddl

REQUIRED_METRICS = {
    "buyers", "events", "organizations", "tickets", "revenue_eur", "male_buyers", "female_buyers",
    "young_buyers", "tickets_per_buyer", "revenue_per_buyer_eur", "buyers_share",
}
REQUIRED_DIMENSIONS = {
    "country", "region", "buyer_region", "buyer_country", "org_type", "event_type",
    "event_category", "classification_source", "age_group", "gender", "purchasing_power",
    "education_level", "area_type", "home_type", "organization", "event", "purchased_at",
    "event_date",
}
ENRICHED = {"age_group", "gender", "purchasing_power", "education_level", "area_type", "home_type",
            "buyer_region", "buyer_country"}
VOCABULARIES = {
    "age_group": ddl.AGE_GROUPS, "gender": ddl.GENDERS, "purchasing_power": ddl.PURCHASING_POWER,
    "education_level": ddl.EDUCATION_LEVELS, "area_type": ddl.AREA_TYPES,
    "home_type": ddl.HOME_TYPES, "org_type": ddl.ORG_TYPES, "country": ddl.COUNTRIES,
    "event_type": ddl.EVENT_TYPES, "event_category": ddl.EVENT_CATEGORIES,
    "classification_source": ddl.CLASSIFICATION_SOURCES,
}


def test_required_names(catalog: Catalog) -> None:
    assert REQUIRED_METRICS <= {m.name for m in catalog.metrics()}
    assert REQUIRED_DIMENSIONS <= {d.name for d in catalog.dimensions()}


def test_enriched_and_sensitive_flags(catalog: Catalog) -> None:
    assert {d.name for d in catalog.dimensions() if d.enriched} == ENRICHED
    # A survey question is one organization's own (its text names the organization's events).
    assert {d.name for d in catalog.dimensions() if d.sensitive} == {"organization", "event", "survey_question"}


@pytest.mark.parametrize("dimension", sorted(VOCABULARIES))
def test_buckets_follow_the_warehouse_vocabulary_in_order(catalog: Catalog, dimension: str) -> None:
    assert catalog.dimension(dimension).codes == VOCABULARIES[dimension]


def test_every_label_in_all_five_languages(catalog: Catalog) -> None:
    objects: list[Any] = [*catalog.metrics(), *catalog.dimensions()]
    objects += [b for d in catalog.dimensions() for b in catalog.buckets(d.name)]
    for d in catalog.dimensions():
        objects += [*catalog.granularities(d.name), *catalog.date_parts(d.name)]
    for obj in objects:
        for lang in LANGUAGES:
            assert obj.label.get(lang, "").strip(), f"{obj} has no {lang} label"
    for m in catalog.metrics():
        assert set(m.description) >= set(LANGUAGES)


def test_label_locale_and_fallback(catalog: Catalog) -> None:
    gender = catalog.dimension("gender")
    assert catalog.label(gender, "fi") == "Sukupuoli"
    assert catalog.label(gender, "nb-NO") == "Kjønn"
    assert catalog.label(gender, "no") == "Kjønn"
    assert catalog.label(gender, "de") == "Gender"
    assert catalog.value_label("age_group", "75+", "da") == "75 år og derover"
    assert catalog.value_label("region", "unknown", "sv") == "Okänd"
    assert catalog.value_label("region", "NO-46", "sv") is None


def test_units_formats_and_time_units(catalog: Catalog) -> None:
    assert catalog.unit("revenue_eur") == "eur"
    assert catalog.format("buyers_share") == ("percent", 1)
    assert [g.name for g in catalog.granularities("purchased_at")] == ["day", "week", "month", "quarter", "year"]
    assert {"weekday", "hour", "month"} <= {p.name for p in catalog.date_parts("purchased_at")}
    weekday = catalog.date_part("weekday")
    assert (weekday.low, weekday.high) == (1, 7)
    assert catalog.label(weekday.buckets[6], "nb") == "søndag"
    assert (catalog.date_part("hour").low, catalog.date_part("hour").high) == (0, 23)
    assert catalog.granularities("gender") == ()


def test_unknown_names_list_valid_ones(catalog: Catalog) -> None:
    with pytest.raises(QueryError) as info:
        catalog.metric("buyer")
    assert info.value.code == "BAD_QUERY"
    assert "unknown metric 'buyer'" in info.value.message
    assert "buyers" in (info.value.hint or "") and "tickets_per_buyer" in (info.value.hint or "")
    with pytest.raises(QueryError, match="unknown dimension 'sex'"):
        catalog.dimension("sex")


@pytest.mark.parametrize(("dimension", "value"), [
    ("gender", "female"), ("age_group", "75+"), ("country", "NO"), ("region", "NO-46"),
    ("region", "SE-AB"), ("region", "unknown"), ("buyer_region", "FI-18"), ("buyer_country", "DE"),
    ("organization", "org-001"), ("event", "EV:2025/17"), ("purchased_at", "2025-03-30"),
    ("classification_source", "feedback"),
])
def test_valid_values(catalog: Catalog, dimension: str, value: str) -> None:
    assert catalog.validate_value(dimension, value) == value


@pytest.mark.parametrize(("dimension", "value", "hint"), [
    ("gender", "F", "one of male, female, unknown"),
    ("age_group", "18-25", "one of 0-17, 18-24"),
    ("country", "no", "one of NO, SE, DK, FI, IS"),
    ("region", "NO-46'; DROP TABLE buyers; --", "a value matching"),
    ("region", "Vestland", "or unknown"),
    ("organization", "' OR 1=1 --", "a value matching"),
    ("purchased_at", "30.03.2025", "an ISO date"),
    ("purchased_at", "2025-3-30", "an ISO date"),
])
def test_bad_values_are_rejected(catalog: Catalog, dimension: str, value: str, hint: str) -> None:
    with pytest.raises(QueryError) as info:
        catalog.validate_value(dimension, value)
    assert info.value.message == f"unknown value '{value}' for dimension {dimension}"
    assert hint in (info.value.hint or "")
