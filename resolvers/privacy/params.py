"""The privacy parameters, one frozen object made from the settings (PRIVACY.md, "Parameters").

>>> from cid_graph.settings import Settings
>>> p = PrivacyParams.from_settings(Settings.load(env={}, dotenv=None))
>>> (p.k, p.rounding_base, p.min_orgs, p.dominance_p, p.ratio_dominance)
(10, 5, 5, 0.15, 0.5)
"""

from __future__ import annotations

from dataclasses import dataclass

from cid_graph.settings import Settings

#: Largest share of a pooled ratio's denominator one organization may hold (P5, ratios): above it
#: the ratio is mostly that organization's own (tickets per buyer, average price).
RATIO_DOMINANCE = 0.5


@dataclass(frozen=True)
class PrivacyParams:
    k: int = 10  # P3 threshold
    rounding_base: int = 5  # P4 rounding base
    min_orgs: int = 5  # P5 organizations per pooled cell
    dominance_p: float = 0.15  # P5 p% rule
    ratio_dominance: float = RATIO_DOMINANCE  # P5 ratios

    @classmethod
    def from_settings(cls, settings: Settings) -> PrivacyParams:
        return cls(settings.privacy_k, settings.privacy_rounding_base, settings.privacy_min_orgs,
                   settings.privacy_dominance_p)
