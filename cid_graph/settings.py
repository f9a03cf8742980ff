"""The one settings object.

Each setting is read from the environment (``CID_GRAPH_<NAME>``), then from a ``.env`` file in
the working directory, then falls back to its default. Command-line flags override all three
(the CLI passes them as ``overrides``). This is the only module that reads the environment.

>>> s = Settings.load(env={"CID_GRAPH_PRIVACY_K": "12"}, dotenv=None)
>>> s.privacy_k
12
>>> Settings.load(env={}, dotenv=None).privacy_k
10
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from cid_graph.errors import ConfigError

PREFIX = "CID_GRAPH_"
#: The serving engines (see warehouse/serving.py).
ENGINES = ("duckdb", "spark")


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every knob of CID Graph, each with its help text (see ``cid-graph settings``)."""

    warehouse: str = _setting(
        "data/warehouse",
        "Warehouse directory: published versions (versions/*.duckdb), the CURRENT pointer and "
        "access.sqlite (token hashes, audit log).",
    )
    secret_path: str = _setting(
        "~/.config/cid-graph/secret.key",
        "Where the pseudonymization secret (HMAC key for buyer keys) lives. Created on first "
        "ingest. Never inside the warehouse. Losing it means later loads cannot merge into "
        "earlier buyer rows.",
    )
    classifier_cache: str = _setting(
        "~/.cache/cid-graph", "Where trained event classifiers are cached (ingest, retrain, evaluate); one is "
        "trained from the shipped corpus and the stored corrections when missing, in about a second."
    )
    classification_threshold: float = _setting(
        0.8, "Confidence (0-1) the event classifier needs: a predicted type below it stays `other` "
        "(classification_source model_low_confidence), a predicted category below it (or below 0.6) is "
        "`other`. The confidence is the calibrated chance that the label is right.",
    )
    correction_delay_s: float = _setting(
        2.0, "Seconds the server collects event-label corrections before publishing them in one "
        "new warehouse version.",
    )
    correction_retry_s: float = _setting(
        10.0, "Seconds the server waits to publish corrections again while another process "
        "(an ingest, a retrain) is writing the warehouse.",
    )
    watch_inbox: str = _setting(
        "", "Drop folder `cid-graph serve` watches on a background thread, loading complete files as they "
        "arrive (as `cid-graph watch` does; `/healthz` shows the last load); empty turns the watcher off.",
    )
    watch_interval_s: float = _setting(5.0, "Seconds between two polls of the drop folder (`watch`, `serve`).")
    watch_profile: str = _setting(
        "canonical", "Source profile of the drop folder's files: `canonical`, or the path of a YAML profile.",
    )
    host: str = _setting("127.0.0.1", "Address `cid-graph serve` binds to.")
    port: int = _setting(8000, "Port `cid-graph serve` listens on.")
    model_path: str = _setting(
        "",
        "Folder of the semantic model's YAML files; empty means the model shipped in "
        "metrics/model.",
    )
    query_timeout_s: float = _setting(
        15.0, "Time limit of one warehouse query in seconds; past it the query is interrupted."
    )
    request_timeout_s: float = _setting(
        30.0, "Time budget of one GraphQL request (all its warehouse queries together), in seconds."
    )
    report_timeout_s: float = _setting(
        120.0, "Time limit of one printable report from the dashboard (`GET /report.pdf`) in seconds; past it "
        "the answer is a 504. The server prints one report at a time.",
    )
    max_result_cells: int = _setting(
        20000, "Most metric values (rows x metrics) one insights answer may hold; more rows are cut off and the result says truncated."
    )
    cache_max_cells: int = _setting(
        2_000_000, "Result cache size in cells (rows x columns) of raw query results; 0 turns the cache off."
    )
    rollups: bool = _setting(
        True, "Answer queries from the rollups declared in the semantic model (built with every "
        "warehouse version) whenever one covers the query; false reads the base tables only.",
    )
    answer_cache_max_cells: int = _setting(
        500_000, "Published-answer cache size in cells (rows x metrics) of protected insights answers "
        "(keyed by request, organization, role and warehouse version; a new version invalidates it); 0 turns it off.",
    )
    row_cap: int = _setting(
        5000, "Most rows one insights query may return (also the upper bound of `limit`)."
    )
    default_limit: int = _setting(1000, "Rows returned when a query gives no `limit`.")
    max_query_depth: int = _setting(10, "Deepest GraphQL selection accepted.")
    max_query_tokens: int = _setting(4000, "Most tokens one GraphQL document may have.")
    max_aliases: int = _setting(15, "Most aliased or repeated root fields in one document.")
    max_list_size: int = _setting(50, "Most items in any list argument (metrics, groupBy, filters, values).")
    worker_threads: int = _setting(4, "Threads that run warehouse queries (one cursor each).")
    max_running_requests: int = _setting(
        4, "GraphQL requests answered at once (their warehouse queries share the worker threads); "
        "more wait in the queue.",
    )
    max_queued_requests: int = _setting(
        64, "GraphQL requests that may wait for a slot; past that a request gets HTTP 503 (BUSY) "
        "with Retry-After at once.",
    )
    queue_timeout_s: float = _setting(
        30.0, "Longest a request waits in the queue for a slot before it gets HTTP 503 (BUSY) with Retry-After "
        "(as long as a request may run: CID_GRAPH_REQUEST_TIMEOUT_S).",
    )
    response_cache_mb: int = _setting(
        64, "Cache of whole GraphQL responses to read-only insights/catalog documents, in MiB (keyed by "
        "document, variables, organization, role, language and warehouse version); 0 turns it off.",
    )
    engine: str = _setting(
        "duckdb",
        "Serving engine: `duckdb` (the embedded version file) or `spark` (Apache Spark SQL over "
        "the Parquet export; needs `pip install 'cid-graph[spark]'` and Java 17+).",
    )
    parquet_dir: str = _setting(
        "",
        "Directory of the Parquet export (`cid-graph export`) that the spark engine reads; empty "
        "means PARQUET under the warehouse directory.",
    )
    spark_master: str = _setting(
        "local[2]",
        "Where Spark runs: `local[N]` (an embedded Spark on N cores) or a Spark Connect URL "
        "`sc://host:15002` (a cluster).",
    )
    spark_data_uri: str = _setting(
        "",
        "Where the Spark cluster reads the Parquet export (e.g. `s3a://bucket/cid` or a shared "
        "mount), when it sees it at another place than this machine; empty means parquet_dir.",
    )
    spark_conf: str = _setting(
        "",
        "Extra Spark settings, `key=value` pairs separated by `;` (e.g. "
        "`spark.driver.memory=4g;spark.sql.shuffle.partitions=16`).",
    )
    token_ttl_days: int = _setting(365, "Days a newly created access token stays valid.")
    privacy_k: int = _setting(
        10, "Threshold k (P3): fewest buyers in a cell and in the query population. Never below 5."
    )
    privacy_min_orgs: int = _setting(
        5, "Fewest organizations a pooled benchmark cell needs (P5)."
    )
    privacy_dominance_p: float = _setting(
        0.15, "p of the p% dominance rule (P5) for buyers, tickets and revenue."
    )
    privacy_rounding_base: int = _setting(
        5, "Counts are rounded to a multiple of this, up or down by the cell key (P4)."
    )
    max_group_by: int = _setting(3, "Most crossed group-by dimensions in one query (P7).")
    server_timing: bool = _setting(
        False, "Send Server-Timing: app;dur=<ms> with every /graphql response (benchmarks). Off in "
        "production: the server's own timing tells what the privacy layer did better than a client's clock."
    )
    demo_mode: bool = _setting(
        False, "Serve the demo organizations' tokens to the dashboard's sign-in picker."
    )
    log_level: str = _setting("INFO", "Logging level: DEBUG, INFO, WARNING, ERROR.")

    # ------------------------------------------------------------------------------------
    @classmethod
    def load(
        cls,
        env: dict[str, str] | os._Environ[str] | None = None,
        dotenv: str | Path | None = ".env",
        **overrides: Any,
    ) -> Settings:
        """Build settings: overrides, then environment, then ``.env``, then defaults."""
        env = os.environ if env is None else env
        file_values = _read_dotenv(Path(dotenv)) if dotenv else {}
        values: dict[str, Any] = {}
        for f in fields(cls):
            key = PREFIX + f.name.upper()
            if overrides.get(f.name) is not None:
                raw: Any = overrides[f.name]
            elif key in env:
                raw = env[key]
            elif key in file_values:
                raw = file_values[key]
            else:
                continue
            values[f.name] = _coerce(f.name, f.type, raw, key)
        settings = cls(**values)
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.privacy_k < 5:
            raise ConfigError(
                f"privacy_k is {self.privacy_k}; the privacy model never allows k below 5",
                hint=f"Set {PREFIX}PRIVACY_K to 5 or more.",
            )
        if self.privacy_rounding_base < 3 or self.privacy_min_orgs < 3:
            raise ConfigError(
                "privacy_rounding_base and privacy_min_orgs must be at least 3",
                hint="Rounding to multiples of 1 or pooling fewer than 3 organizations protects nobody.",
            )
        if not 0 < self.privacy_dominance_p < 1:
            raise ConfigError("privacy_dominance_p must lie between 0 and 1",
                              hint=f"Set {PREFIX}PRIVACY_DOMINANCE_P to e.g. 0.15.")
        if not 0 <= self.classification_threshold <= 1:
            raise ConfigError(f"classification_threshold is {self.classification_threshold}; it is a confidence",
                              hint=f"Set {PREFIX}CLASSIFICATION_THRESHOLD between 0 and 1, e.g. 0.8.")
        if self.correction_delay_s < 0 or self.correction_retry_s <= 0:
            raise ConfigError("correction_delay_s must be 0 or more and correction_retry_s more than 0",
                              hint=f"Set {PREFIX}CORRECTION_DELAY_S to e.g. 2 and {PREFIX}CORRECTION_RETRY_S to e.g. 10.")
        if self.report_timeout_s <= 0:
            raise ConfigError(f"report_timeout_s is {self.report_timeout_s}; a report needs time to print",
                              hint=f"Set {PREFIX}REPORT_TIMEOUT_S to e.g. 120.")
        if self.max_running_requests < 1 or self.max_queued_requests < 0 or self.queue_timeout_s <= 0:
            raise ConfigError("max_running_requests must be 1 or more, max_queued_requests 0 or more and "
                              "queue_timeout_s above 0",
                              hint="Fix CID_GRAPH_MAX_RUNNING_REQUESTS, CID_GRAPH_MAX_QUEUED_REQUESTS or "
                                   "CID_GRAPH_QUEUE_TIMEOUT_S.")
        if self.watch_interval_s <= 0:
            raise ConfigError("watch_interval_s must be above 0", hint=f"Set {PREFIX}WATCH_INTERVAL_S to e.g. 5.")
        if self.engine not in ENGINES:
            raise ConfigError(f"engine is {self.engine!r}, which is not a serving engine",
                              hint=f"Set {PREFIX}ENGINE (or --engine) to one of: " + ", ".join(ENGINES) + ".")
        if self.engine == "spark":
            self.spark_options()  # fails on a malformed spark_conf
        if self.default_limit > self.row_cap:
            raise ConfigError("default_limit is larger than row_cap",
                              hint="Lower CID_GRAPH_DEFAULT_LIMIT or raise CID_GRAPH_ROW_CAP.")

    def replace(self, **changes: Any) -> Settings:
        new = dataclasses.replace(self, **changes)
        new.validate()
        return new

    # Paths derived from the warehouse directory ------------------------------------------
    @property
    def warehouse_dir(self) -> Path:
        return Path(self.warehouse).expanduser()

    @property
    def parquet_path(self) -> Path:
        """The Parquet export directory (``cid-graph export``, read by the spark engine)."""
        if self.parquet_dir:
            return Path(self.parquet_dir).expanduser()
        return self.warehouse_dir / "parquet"

    def spark_options(self) -> dict[str, str]:
        """``spark_conf`` as a dict of Spark settings."""
        out: dict[str, str] = {}
        for part in self.spark_conf.split(";"):
            if not part.strip():
                continue
            key, sep, value = part.partition("=")
            if not sep or not key.strip().startswith("spark."):
                raise ConfigError(f"spark_conf has {part.strip()!r}, which is not a spark.key=value pair",
                                  hint=f"Write {PREFIX}SPARK_CONF as spark.key=value pairs separated by ';'.")
            out[key.strip()] = value.strip()
        return out

    @property
    def secret_file(self) -> Path:
        return Path(self.secret_path).expanduser()

    @property
    def model_dir(self) -> Path:
        if self.model_path:
            return Path(self.model_path).expanduser()
        import metrics

        return Path(metrics.__file__).parent / "model"

    @classmethod
    def documentation(cls) -> list[tuple[str, str, Any, str]]:
        """(name, environment variable, default, help) for every setting."""
        return [
            (f.name, PREFIX + f.name.upper(), f.default, f.metadata["help"]) for f in fields(cls)
        ]


def _read_dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        out[key.strip().removeprefix("export ").strip()] = value.strip().strip("'\"")
    return out


def _coerce(name: str, typ: Any, raw: Any, key: str) -> Any:
    typ = typ if isinstance(typ, str) else getattr(typ, "__name__", str(typ))
    try:
        if typ == "bool":
            if isinstance(raw, bool):
                return raw
            if str(raw).lower() in {"1", "true", "yes", "on"}:
                return True
            if str(raw).lower() in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        if typ == "int":
            return int(raw)
        if typ == "float":
            return float(raw)
        return str(raw)
    except ValueError:
        raise ConfigError(
            f"setting {name} has the value {raw!r}, which is not a {typ}",
            hint=f"Fix {key} in the environment or in .env.",
        ) from None
