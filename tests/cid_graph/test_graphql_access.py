"""Auth, roles, limits and error shape of the GraphQL endpoint."""

from __future__ import annotations

import pytest

ME = "{ me { role organization { id } } }"
BUYERS = "{ insights(query: {metrics: [BUYERS]}) { rows { metrics { value suppressed } } meta { warehouseVersion } } }"


@pytest.mark.parametrize("token,reason", [
    (None, "no access token"), ("cidg_nope_nope", "not valid"), ("expired", "expired"), ("revoked", "revoked"),
])
def test_bad_tokens_get_401_with_json_error(gql, demo_warehouse, token, reason):
    token = demo_warehouse.tokens.get(token, token)
    r = gql.post(ME, token)
    assert r.status_code == 401
    assert r.headers["www-authenticate"].startswith("Bearer")
    err = r.json()["errors"][0]
    assert reason in err["message"] and err["extensions"]["code"] == "UNAUTHENTICATED" and err["extensions"]["hint"]


def test_malformed_authorization_header(gql):
    r = gql.client.post("/graphql", json={"query": ME}, headers={"Authorization": "Basic abc"})
    assert r.status_code == 401


@pytest.mark.parametrize("role", ["member", "partner", "admin"])
def test_each_role_sees_itself(gql, demo_warehouse, role):
    me = gql.data(ME, demo_warehouse.tokens[role])["me"]
    assert me["role"] == role.upper()
    assert (me["organization"] or {}).get("id") == (demo_warehouse.member_org if role == "member" else None)


def test_partner_has_no_own_scope(gql, demo_warehouse):
    r = gql.post("{ insights(query: {metrics: [BUYERS], scope: OWN}) { rows { dimensions { value } } } }",
                 demo_warehouse.tokens["partner"])
    err = r.json()["errors"][0]
    assert err["extensions"]["code"] == "FORBIDDEN" and "NETWORK" in err["extensions"]["hint"]


@pytest.mark.parametrize("dimension", ["ORGANIZATION", "EVENT"])
@pytest.mark.parametrize("role", ["member", "partner", "admin"])
def test_organization_and_event_only_in_own_scope(gql, demo_warehouse, role, dimension):
    q = f"{{ insights(query: {{metrics: [BUYERS], groupBy: [{{dimension: {dimension}}}]}}) {{ rows {{ dimensions {{ value }} }} }} }}"
    err = gql.post(q, demo_warehouse.tokens[role]).json()["errors"][0]
    assert err["extensions"]["code"] == "PRIVACY_RULE"
    assert demo_warehouse.other_org not in err["message"]


def test_explain_is_admin_only_and_hides_record_keys(gql, demo_warehouse):
    q = "{ explain(query: {metrics: [BUYERS, TICKETS], groupBy: [{dimension: REGION}]}) { sql protections pooledByOrganization } }"
    err = gql.post(q, demo_warehouse.tokens["member"]).json()["errors"][0]
    assert err["extensions"]["code"] == "FORBIDDEN"
    data = gql.data(q, demo_warehouse.tokens["admin"])["explain"]
    assert "GROUP BY" in data["sql"] and "record_key" not in data["sql"] and "p_ck" not in data["sql"]
    assert data["pooledByOrganization"] is True and any("P5" in p for p in data["protections"])


@pytest.mark.parametrize("query,code", [
    ("{ insights(query: {metrics: [BUYERS], limit: 100000}) { meta { rowCount } } }", "LIMIT_EXCEEDED"),
    ("{ insights(query: {metrics: [BUYERS], limit: 0}) { meta { rowCount } } }", "LIMIT_EXCEEDED"),
    ("{ insights(query: {metrics: [BUYERS], filters: [{dimension: GENDER, values: [\"x\"]}]}) { meta { rowCount } } }", "BAD_QUERY"),
    ("{ insights(query: {metrics: [BUYERS], filters: [{dimension: REGION, values: [\"NO-46; DROP TABLE buyers\"]}]}) { meta { rowCount } } }", "BAD_QUERY"),
    ("{ insights(query: {metrics: [BUYERS], groupBy: [{dimension: AGE_GROUP}, {dimension: GENDER}, {dimension: REGION}, {dimension: ORG_TYPE}]}) { meta { rowCount } } }", "PRIVACY_RULE"),
    ("{ insights(query: {metrics: [BUYERS], filters: [{dimension: GENDER, op: NOT_IN, values: [\"male\"]}]}) { meta { rowCount } } }", "PRIVACY_RULE"),
    ("{ insights(query: {metrics: [BUYERS], groupBy: [{dimension: PURCHASED_AT}]}) { meta { rowCount } } }", "BAD_QUERY"),
    ("{ insights(query: {metrics: [BUYERS], groupBy: [{dimension: GENDER, granularity: MONTH}]}) { meta { rowCount } } }", "BAD_QUERY"),
    ("{ insights(query: {metrics: []}) { meta { rowCount } } }", "BAD_QUERY"),
    ("{ insights(query: {metrics: [NOT_A_METRIC]}) { meta { rowCount } } }", "GRAPHQL_VALIDATION"),
    ("{ a1: me { role } a2: me { role } a3: me { role } a4: me { role } a5: me { role } a6: me { role } a7: me { role } a8: me { role } a9: me { role } a10: me { role } a11: me { role } a12: me { role } a13: me { role } a14: me { role } a15: me { role } a16: me { role } }", "GRAPHQL_VALIDATION"),
])
def test_limits_and_bad_queries_give_clear_errors(gql, demo_warehouse, query, code):
    r = gql.post(query, demo_warehouse.tokens["member"])
    assert r.status_code in (200, 400)
    errors = r.json()["errors"]
    assert errors[0]["extensions"]["code"] == code, errors
    assert errors[0]["extensions"]["hint"]
    assert "Traceback" not in r.text


def test_too_large_body_is_refused(gql, demo_warehouse):
    r = gql.post("{ me { role } }" + " " * 300_000, demo_warehouse.tokens["member"])
    assert r.status_code == 413


def test_limit_list_sizes(gql, demo_warehouse):
    values = ", ".join(f'"NO-{i:02d}"' for i in range(60))
    q = f"{{ insights(query: {{metrics: [BUYERS], filters: [{{dimension: REGION, values: [{values}]}}]}}) {{ meta {{ rowCount }} }} }}"
    err = gql.post(q, demo_warehouse.tokens["member"]).json()["errors"][0]
    assert err["extensions"]["code"] == "LIMIT_EXCEEDED"


def test_healthz(gql):
    r = gql.client.get("/healthz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_audit_log_records_shape_not_values(gql, demo_warehouse):
    from cid_graph.access import AccessStore
    from warehouse.store import WarehouseStore

    gql.data("{ insights(query: {metrics: [BUYERS], groupBy: [{dimension: GENDER}]}) { rows { metrics { value } } } }",
             demo_warehouse.tokens["partner"])
    rows = AccessStore(WarehouseStore(demo_warehouse.root).access_db).read_audit(limit=5)
    latest = rows[0]
    assert latest["role"] == "partner" and latest["operation"] == "insights" and "gender" in latest["shape"]
    assert latest["cells"] == 3


def test_depth_limit():
    from cid_graph.settings import Settings
    from metrics.catalog import Catalog
    from metrics.model import load_model
    from schema.build import build_schema

    settings = Settings.load(env={}, dotenv=None, max_query_depth=3)
    schema = build_schema(Catalog(load_model(settings.model_dir)), settings)
    result = schema.execute_sync(
        "{ insights(query: {metrics: [BUYERS]}) { rows { metrics { comparisons { kind } } } } }")
    assert result.errors and "exceeds maximum operation depth" in result.errors[0].message
