"""``cid-graph ingest``: contract files in, a new published warehouse version out.

>>> from warehouse.ingest import IngestResult
>>> IngestResult().reconciles()
True
"""

from __future__ import annotations

from warehouse.ingest.pipeline import IngestResult, ingest

__all__ = ["IngestResult", "ingest"]
