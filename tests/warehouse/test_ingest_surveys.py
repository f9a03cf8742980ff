"""Survey questions and responses (issue 14 §1-2): validation, duplicates, linking, P1, atomicity.

Expectations are written from docs/data-contract.md and the example files in docs/examples/,
checked against the version file with plain SQL.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from cid_graph.errors import InputFileError
from tests.warehouse.conftest import EXAMPLES
from warehouse.ingest import ingest
from warehouse.secret import Secret
from warehouse.store import WarehouseStore

ORGS, TX = EXAMPLES / "organizations.csv", EXAMPLES / "transactions.csv"
QUESTIONS, RESPONSES = EXAMPLES / "survey_questions.csv", EXAMPLES / "survey_responses.csv"
Q_HEADER = "survey_id,org_id,question_id,kind,scale_min,scale_max,text,choice_options\n"
R_HEADER = "response_id,survey_id,org_id,event_id,customer_id,answered_at,question_id,value\n"


def _rows(store: WarehouseStore, sql: str) -> list[tuple]:
    con = duckdb.connect(str(store.require_current().path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _load_all(store: WarehouseStore, secret: Secret):
    return ingest(store, secret, [ORGS], [TX], survey_questions=[QUESTIONS], survey_responses=[RESPONSES])


def test_the_example_loads_links_and_reconciles(store: WarehouseStore, secret: Secret) -> None:
    r = _load_all(store, secret)
    assert r.reconciles() and r.published
    assert (r.questions_read, r.questions_rejected) == (3, 0)
    # 8 answers: 1 exact repeat (r-2 nps), 1 NPS of 11 rejected, 6 loaded: r-1 (3) and r-2 (2) linked
    # to their purchases of ev-77, r-3 given without a purchase
    assert (r.responses_read, r.responses_loaded, r.responses_rejected, r.responses_duplicates) == (8, 6, 1, 1)
    assert (r.responses_linked, r.responses_unlinked) == (5, 1)
    answers = _rows(store, """
        SELECT survey_id, question_id, value_number, value_option, linked, age_group, gender,
               (SELECT event_id FROM events e WHERE e.event_sk = a.event_sk)
        FROM survey_answers a ORDER BY linked DESC, question_id, value_number, value_option""")
    # c-5521 was born 1979 and is a woman ("K"); c-0093 a boy born 2011 ("M")
    assert ("olt-2025", "nps", 9.0, None, True, "45-54", "female", "ev-77") in answers
    assert ("olt-2025", "heard", None, "Avis", True, "45-54", "female", "ev-77") in answers
    assert ("olt-2025", "nps", 6.0, None, True, "0-17", "male", "ev-77") in answers
    assert ("olt-2025", "nps", 10.0, None, False, "unknown", "unknown", None) in answers
    assert len(answers) == 6
    rejects = (store.rejects_dir.glob("*.csv"))
    text = "".join(p.read_text(encoding="utf-8") for p in rejects)
    assert "survey_responses.csv,9,value,value is not a whole number from 0 to 10" in text
    assert "c-9999" not in text and ",11\n" not in text  # no personal value in a rejects file


def test_no_customer_id_or_response_id_is_stored(store: WarehouseStore, secret: Secret) -> None:
    _load_all(store, secret)
    raw = store.require_current().path.read_bytes()
    for secret_value in (b"c-5521", b"c-0093", b"r-1", b"r-2", b"r-3"):
        assert secret_value not in raw
    columns = {c for (c,) in _rows(store, "SELECT column_name FROM information_schema.columns "
                                         "WHERE table_name = 'survey_answers'")}
    assert "response_key" not in columns and "customer_id" not in columns and "response_id" not in columns


def test_loading_the_same_survey_files_again_changes_nothing(store: WarehouseStore, secret: Secret) -> None:
    first = _load_all(store, secret)
    snapshot = store.require_current().path.read_bytes()
    again = ingest(store, secret, [], [], survey_questions=[QUESTIONS], survey_responses=[RESPONSES])
    assert not again.published and again.version == first.version
    assert again.responses_loaded == 0 and again.responses_duplicates == 7 and again.responses_rejected == 1
    assert store.require_current().path.read_bytes() == snapshot


def test_an_incremental_load_equals_a_single_one(tmp_path: Path, secret: Secret) -> None:
    whole = WarehouseStore(tmp_path / "whole")
    _load_all(whole, secret)
    inc = WarehouseStore(tmp_path / "inc")
    ingest(inc, secret, [ORGS], [TX])
    ingest(inc, secret, [], [], survey_questions=[QUESTIONS])
    lines = RESPONSES.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "a.csv").write_text("".join(lines[:4]), encoding="utf-8")
    (tmp_path / "b.csv").write_text(lines[0] + "".join(lines[4:]), encoding="utf-8")
    ingest(inc, secret, [], [], survey_responses=[tmp_path / "a.csv"])
    ingest(inc, secret, [], [], survey_responses=[tmp_path / "b.csv"])
    sql = "SELECT * EXCLUDE (event_sk) FROM survey_answer_rows ORDER BY ALL"
    assert _rows(inc, sql) == _rows(whole, sql)


@pytest.mark.parametrize(("row", "column", "reason"), [
    ("r-9,olt-2025,no-olt,,,2025-03-18T09:15:00+01:00,nps,11", "value", "whole number from 0 to 10"),
    ("r-9,olt-2025,no-olt,,,2025-03-18T09:15:00+01:00,satisfaction,4.5", "value", "whole number from 1 to 5"),
    ("r-9,olt-2025,no-olt,,,2025-03-18T09:15:00+01:00,heard,Radio", "value", "not one of the question's options"),
    ("r-9,olt-2025,no-olt,,,2025-03-18T09:15:00+01:00,nope,3", "question_id", "--survey-questions"),
    ("r-9,olt-2025,no-olt,ev-404,c-1,2025-03-18T09:15:00+01:00,nps,3", "event_id", "load its transactions first"),
    ("r-9,olt-2025,no-olt,,c-1,2025-03-18T09:15:00+01:00,nps,3", "event_id", "give both, or neither"),
    ("r-9,olt-2025,no-olt,,,18.03.2025,nps,3", "answered_at", "ISO 8601"),
    ("r-9,olt-2025,no-such-org,,,2025-03-18T09:15:00+01:00,nps,3", "org_id", "not a known organization"),
    ("r-1,olt-2025,no-olt,ev-77,c-5521,2025-03-16T10:02:00+01:00,nps,3", "response_id", "loaded earlier"),
    (",olt-2025,no-olt,,,2025-03-18T09:15:00+01:00,nps,3", "response_id", "response_id is empty"),
])
def test_a_bad_answer_is_rejected_with_its_line_and_a_reason(tmp_path: Path, store: WarehouseStore,
                                                             secret: Secret, row: str, column: str,
                                                             reason: str) -> None:
    _load_all(store, secret)
    before = store.require_current().path.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text(R_HEADER + "r-8,olt-2025,no-olt,,,2025-03-18T09:15:00+01:00,nps,8\n" + row + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    r = ingest(store, secret, [], [], survey_responses=[bad], rejects_path=rejects)
    assert (r.responses_read, r.responses_loaded, r.responses_rejected) == (2, 1, 1) and r.reconciles()
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and lines[1].startswith(f"bad.csv,3,{column},") and reason in lines[1], lines
    assert ",c-1" not in lines[1]  # personal values never in a rejects file
    assert before != store.require_current().path.read_bytes()  # the good row was loaded


def test_a_conflicting_answer_in_the_same_file_is_rejected(tmp_path: Path, store: WarehouseStore,
                                                           secret: Secret) -> None:
    _load_all(store, secret)
    f = tmp_path / "conflict.csv"
    f.write_text(R_HEADER + "r-7,olt-2025,no-olt,,,2025-03-18T09:15:00+01:00,nps,8\n"
                 "r-7,olt-2025,no-olt,,,2025-03-18T09:15:00+01:00,nps,2\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    r = ingest(store, secret, [], [], survey_responses=[f], rejects_path=rejects)
    assert (r.responses_loaded, r.responses_rejected) == (1, 1)
    assert "conflict.csv,3,response_id,conflicting duplicate" in rejects.read_text(encoding="utf-8")


@pytest.mark.parametrize(("row", "column", "reason"), [
    ("s2,no-olt,q,rating,,,Hvor fornøyd?,", "scale_min", "scale_min < scale_max"),
    ("s2,no-olt,q,choice,,,Hvor?,Bare ett", "choice_options", "at least two different options"),
    ("s2,no-olt,q,free_text,,,Kommentar?,", "kind", "not one of nps, rating, choice"),
    ("s2,no-olt,q,nps,1,5,Anbefale?,", "scale_min", "scale 0-10"),
    ("s2,no-such-org,q,nps,,,Anbefale?,", "org_id", "not a known organization"),
    ("olt-2025,no-olt,nps,rating,1,5,Anbefale?,", "question_id", "give a changed question a new question_id"),
    ("olt-2025,no-olt,nps2,nps,,,Anbefale igjen?,", "kind", "already has an nps question ('nps')"),
])
def test_a_bad_question_is_rejected(tmp_path: Path, store: WarehouseStore, secret: Secret, row: str,
                                    column: str, reason: str) -> None:
    _load_all(store, secret)
    f = tmp_path / "q.csv"
    f.write_text(Q_HEADER + row + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    r = ingest(store, secret, [], [], survey_questions=[f], rejects_path=rejects)
    assert (r.questions_read, r.questions_rejected) == (1, 1)
    line = rejects.read_text(encoding="utf-8").splitlines()[1]
    assert line.startswith(f"q.csv,2,{column},") and reason in line, line


def test_a_free_text_column_is_refused_and_nothing_changes(tmp_path: Path, store: WarehouseStore,
                                                          secret: Secret) -> None:
    _load_all(store, secret)
    before = store.require_current().path.read_bytes()
    f = tmp_path / "with_comments.csv"
    f.write_text(R_HEADER.strip() + ",comment\nr-9,olt-2025,no-olt,,,2025-03-18T09:15:00+01:00,nps,8,"
                 "\"Kari Nordmann på rad 3 var sur\"\n", encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        ingest(store, secret, [], [], survey_responses=[f])
    assert "comment" in err.value.message and "Free-text" in (err.value.hint or "")
    assert store.require_current().path.read_bytes() == before


def test_a_question_text_may_be_corrected(tmp_path: Path, store: WarehouseStore, secret: Secret) -> None:
    _load_all(store, secret)
    f = tmp_path / "q.csv"
    f.write_text(Q_HEADER + "olt-2025,no-olt,nps,nps,0,10,Hvor sannsynlig er det at du anbefaler oss?,\n",
                 encoding="utf-8")
    r = ingest(store, secret, [], [], survey_questions=[f])
    assert r.published and r.questions_rejected == 0
    assert _rows(store, "SELECT text FROM survey_questions WHERE question_id = 'nps'") == [
        ("Hvor sannsynlig er det at du anbefaler oss?",)]


def test_a_second_nps_question_in_one_file_is_rejected(tmp_path: Path, store: WarehouseStore,
                                                       secret: Secret) -> None:
    """NPS counts each respondent once: a survey has one NPS question; the later one is refused."""
    _load_all(store, secret)
    f = tmp_path / "q.csv"
    f.write_text(Q_HEADER + "s9,no-olt,a,nps,,,Anbefale?,\ns9,no-olt,b,nps,,,Anbefale igjen?,\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    r = ingest(store, secret, [], [], survey_questions=[f], rejects_path=rejects)
    assert (r.questions_read, r.questions_rejected) == (2, 1)
    line = rejects.read_text(encoding="utf-8").splitlines()[1]
    assert line.startswith("q.csv,3,kind,") and "already has an nps question ('a')" in line, line


def test_buyer_rows_learn_whether_their_event_was_surveyed_and_they_answered(
        tmp_path: Path, store: WarehouseStore, secret: Secret) -> None:
    """RESPONSE_RATE's base: both buyers of ev-77 answered (r-1, r-2); a buyer of ev-77 loaded
    after the answers is 'surveyed'; buyers of other events are 'not_surveyed'."""
    _load_all(store, secret)
    late = tmp_path / "late.csv"
    late.write_text(TX.read_text(encoding="utf-8").splitlines()[0] + "\n"
                    "t-9001,no-olt,ev-77,Hamlet – premiere,2025-03-14T19:30:00,0150,play,drama,"
                    "2025-03-01T12:00:00+01:00,c-7777,1,450.00,NOK,1990,M,0354,NO\n", encoding="utf-8")
    assert ingest(store, secret, [], [late]).published
    statuses = dict(_rows(store, """
        SELECT b.survey_status, count(*) FROM buyers b JOIN events e USING (event_sk)
        WHERE e.event_id = 'ev-77' GROUP BY 1"""))
    assert statuses == {"responded": 2, "surveyed": 1}
    others = _rows(store, """SELECT DISTINCT b.survey_status FROM buyers b JOIN events e USING (event_sk)
                             WHERE e.event_id <> 'ev-77'""")
    assert others == [("not_surveyed",)]
