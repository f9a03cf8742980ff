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
    _labels: dict[tuple[int, str], dict[str, dict[str, str]]] = field(default_factory=dict)
    _labels_lock: threading.Lock = field(default_factory=threading.Lock)

    def value_labels(self, version: int, dimension: str, loader: Any) -> dict[str, dict[str, str]]:
        """Labels of a dynamic dimension's values, cached per warehouse version."""
        key = (version, dimension)
        with self._labels_lock:
            if key in self._labels:
                return self._labels[key]
        labels = loader()
        with self._labels_lock:
            self._labels = {k: v for k, v in self._labels.items() if k[0] == version}
            self._labels[key] = labels
        return labels


@dataclass(frozen=True)
class RequestContext:
    services: Services
    caller: Caller
    locale: str = "en"
    memo: RequestMemo | None = None  # shared by the fields of one GraphQL request
