"""Labelling a table of events with the classifier, for ingest and retrain.

The rule: an event's type is the model's when its confidence reaches the threshold
(``classification_source = 'model'``); below it the event stays ``other``/``other`` with
``model_low_confidence``. When the type is confident but the category is not, the category is
``other`` (source still ``model``). ``classification_confidence`` is the type's confidence; the
category's is returned beside it.

>>> import duckdb
>>> from warehouse.classify.labels import LabelledRow
>>> from warehouse.classify.model import train
>>> model = train([LabelledRow("Hedda Gabler", "play", "drama"),
...                LabelledRow("Rosenborg – Molde", "sports_event", "football")])
>>> con = duckdb.connect()
>>> _ = con.execute("CREATE TABLE events_to_classify AS SELECT 'o1' AS org_id, 'e1' AS event_id, "
...                 "'Hedda Gabler' AS event_name, 'other' AS org_type, 'NO' AS country, "
...                 "NULL AS venue_postal")
>>> classify_events(con, model, 0.5).to_pylist()[0]["event_type"]
'play'
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
import sqlglot
from sqlglot import exp

from warehouse.classify.labels import SOURCE_LOW_CONFIDENCE, SOURCE_MODEL
from warehouse.classify.model import EventClassifier

#: Below this type confidence an event stays ``other`` (``model_low_confidence``).
CONFIDENCE_THRESHOLD = 0.5

RESULT_SCHEMA = pa.schema([
    ("org_id", pa.string()), ("event_id", pa.string()), ("event_type", pa.string()),
    ("event_category", pa.string()), ("classification_source", pa.string()),
    ("classification_confidence", pa.float64()), ("category_confidence", pa.float64()),
])


def classify_events(con: duckdb.DuckDBPyConnection, model: EventClassifier,
                    threshold: float = CONFIDENCE_THRESHOLD,
                    table: str = "events_to_classify") -> pa.Table:
    """Predict a type and category for every row of ``table``.

    ``table`` has ``org_id, event_id, event_name, org_type, country`` (``venue_postal`` may be
    there; a ``venue`` column with the venue's *name*, where a source profile gives one, is
    used as a feature when present). Returns an Arrow table of :data:`RESULT_SCHEMA`, one row
    per input row, in ``(org_id, event_id)`` order, ready to join onto ``events``.
    """
    probe = sqlglot.select("*").from_(exp.to_table(table)).limit(0).sql(dialect="duckdb")
    columns = {d[0] for d in con.execute(probe).description}
    venue = exp.column("venue") if "venue" in columns else exp.Null()
    query = (sqlglot.select("org_id", "event_id", "event_name", "org_type", "country",
                            exp.alias_(venue, "venue"))
             .from_(exp.to_table(table)).order_by("org_id", "event_id"))
    data = con.sql(query.sql(dialect="duckdb")).to_arrow_table()
    titles = data.column("event_name").to_pylist()
    preds = model.predict(titles, data.column("org_type").to_pylist(),
                          data.column("country").to_pylist(), data.column("venue").to_pylist())
    types, cats, sources, type_conf, cat_conf = [], [], [], [], []
    for p in preds:
        confident = p.event_type_confidence >= threshold
        types.append(p.event_type if confident else "other")
        cats.append(p.event_category if confident and p.event_category_confidence >= threshold
                    else "other")
        sources.append(SOURCE_MODEL if confident else SOURCE_LOW_CONFIDENCE)
        type_conf.append(p.event_type_confidence)
        cat_conf.append(p.event_category_confidence)
    return pa.table({
        "org_id": data.column("org_id").cast(pa.string()),
        "event_id": data.column("event_id").cast(pa.string()),
        "event_type": pa.array(types, pa.string()),
        "event_category": pa.array(cats, pa.string()),
        "classification_source": pa.array(sources, pa.string()),
        "classification_confidence": pa.array(type_conf, pa.float64()),
        "category_confidence": pa.array(cat_conf, pa.float64()),
    }, schema=RESULT_SCHEMA)
