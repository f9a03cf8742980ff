"""Every setting is documented in the README, with its environment variable; bad values fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from cid_graph.errors import ConfigError
from cid_graph.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name,env,default,help_text", Settings.documentation(), ids=lambda v: str(v)[:30])
def test_setting_is_documented(name, env, default, help_text):
    assert f"`{env}`" in README, f"{env} is missing from README.md's configuration table"
    assert help_text


def test_precedence_env_then_dotenv_then_default(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("CID_GRAPH_PORT=9001\nCID_GRAPH_PRIVACY_K=12\n")
    s = Settings.load(env={"CID_GRAPH_PORT": "9002"}, dotenv=dotenv)
    assert (s.port, s.privacy_k, s.host) == (9002, 12, "127.0.0.1")
    assert Settings.load(env={"CID_GRAPH_PORT": "9002"}, dotenv=dotenv, port=9003).port == 9003


@pytest.mark.parametrize("env,message", [
    ({"CID_GRAPH_PRIVACY_K": "4"}, "never allows k below 5"),
    ({"CID_GRAPH_PORT": "eighty"}, "not a int"),
    ({"CID_GRAPH_PRIVACY_ROUNDING_BASE": "1"}, "at least 3"),
    ({"CID_GRAPH_REPORT_TIMEOUT_S": "0"}, "needs time to print"),
])
def test_bad_settings_fail_clearly(env, message):
    with pytest.raises(ConfigError) as info:
        Settings.load(env=env, dotenv=None)
    assert message in str(info.value) and info.value.hint


def test_cache_serves_the_same_protected_answer(gql, demo_warehouse):
    q = "{ insights(query: {metrics: [BUYERS, FEMALE_SHARE], groupBy: [{dimension: AGE_GROUP}]}) { rows { metrics { value suppressed reason } } } }"
    first = gql.data(q, demo_warehouse.tokens["partner"])
    second = gql.data(q, demo_warehouse.tokens["partner"])
    assert first == second
