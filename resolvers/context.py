"""What every resolver gets: the long-lived services and the caller."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from cid_graph.settings import Settings
from metrics.catalog import Catalog
from resolvers.cache import BoundedCache, RequestMemo, ResultCache
from resolvers.rollups import RollupRegistry
from warehouse.classify.corrections import CorrectionStore
from warehouse.serving import ServingEngine


class Applier(Protocol):
    """Publishes stored corrections in the background (warehouse.classify.applier)."""

    def notify(self) -> None: ...


class Auditor(Protocol):
    def audit(self, principal: Any, operation: str, shape: dict[str, Any], *, cells: int = 0,
              suppressed: int = 0, outcome: str = "ok", ms: int = 0) -> None: ...


@dataclass(frozen=True)
class Caller:
    token_id: str
    org_id: str | None
    role: str


@dataclass
class Services:
    """Made once when the app starts."""

    settings: Settings
    catalog: Catalog
    engine: ServingEngine
    auditor: Auditor | None = None
    cache: ResultCache | None = None
    corrections: CorrectionStore | None = None
    applier: Applier | None = None
    rollups: RollupRegistry | None = None  # None: rollups off (Settings.rollups)
    #: Published answers by (request, organization, role, warehouse version); None: off.
    answers: BoundedCache[Any] | None = None
    #: Compiled queries by (query, pooled, warehouse version): compiling is pure, so it is done once.
    compiled: BoundedCache[Any] = field(default_factory=lambda: BoundedCache(4096, lambda _: 1))
    _versioned: dict[tuple[int, str], Any] = field(default_factory=dict)
    _versioned_lock: threading.Lock = field(default_factory=threading.Lock)

    def value_labels(self, version: int, dimension: str, loader: Any) -> dict[str, dict[str, str]]:
        """Labels of a dynamic dimension's values, cached per warehouse version."""
        labels: dict[str, dict[str, str]] = self.per_version(version, "labels:" + dimension, loader)
        return labels

    def per_version(self, version: int, name: str, loader: Any) -> Any:
        """What ``loader`` reads of a warehouse version (labels, the population), cached per
        version: a newer version drops what was read of older ones."""
        key = (version, name)
        with self._versioned_lock:
            if key in self._versioned:
                return self._versioned[key]
        value = loader()
        with self._versioned_lock:
            self._versioned = {k: v for k, v in self._versioned.items() if k[0] == version}
            self._versioned[key] = value
        return value


@dataclass(frozen=True)
class RequestContext:
    services: Services
    caller: Caller
    locale: str = "en"
    memo: RequestMemo | None = None  # shared by the fields of one GraphQL request
