"""What the demo network is made of: event kinds and organization archetypes.

An *event kind* fixes an event's contract type and category, its audience (age, gender),
price, size, how early tickets sell and when it is scheduled. An *archetype* is a kind of
organization (an orchestra, a jazz club, a city theatre...) with its org type and the mix of
kinds it programmes.

>>> KINDS["opera"].event_type, KINDS["opera"].category
('opera_ballet', 'opera')
>>> sorted({a.org_type for a in ARCHETYPES.values()}) == sorted(ORG_TYPE_WEIGHTS)
True
"""

from __future__ import annotations

from dataclasses import dataclass

EVENING = ((19, 0), (19, 30), (18, 0))
ALL_WEEK = (1, 1, 1, 1, 1, 1, 1)
TUE_SAT = (0, 1, 1, 1, 1.3, 1.5, 0)
WED_SAT = (0, 0, 1, 1, 1.4, 1.6, 0)
WEEKEND = (0, 0, 0, 0, 0, 1, 1)

#: Month weights (Jan..Dec) of when events take place.
SEASONS: dict[str, tuple[float, ...]] = {
    "standard": (0.8, 1.0, 1.1, 1.0, 0.9, 0.45, 0.08, 0.5, 1.1, 1.2, 1.2, 0.9),
    "film": (1.0, 1.0, 0.95, 0.9, 0.8, 0.7, 0.6, 0.8, 0.9, 1.0, 1.0, 1.1),
    "summer": (0, 0, 0, 0, 0.2, 1.5, 2.0, 1.2, 0.1, 0, 0, 0),
    "spring_autumn": (0, 0, 0.5, 1.0, 1.0, 0, 0, 0, 1.0, 0.8, 0, 0),
    "film_festival": (1.5, 0.3, 0, 0, 0, 0, 0, 0.3, 1.0, 1.0, 0.5, 0),
    "football": (0, 0, 0.4, 1, 1, 1, 0.8, 1, 1, 1, 0.6, 0),
    "winter": (1, 1, 1, 0.6, 0, 0, 0, 0, 0.8, 1, 1, 0.9),
    "museum": (0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.2, 1.0, 0.9, 0.9, 0.8, 0.7),
}


@dataclass(frozen=True)
class Kind:
    """One kind of event.

    ``age`` is (mean, sd, female share[, share of a second group, its mean, its sd]);
    ``lead`` the median days between purchase and event (negative: sold during the run);
    ``runs`` the (min, max) performances of one production.
    """

    event_type: str
    category: str
    age: tuple[float, ...]
    price: float
    audience: float
    lead: float
    tickets: str
    hours: tuple[tuple[int, int], ...]
    weekdays: tuple[float, ...]
    season: str
    runs: tuple[int, int]
    daytime: bool = False


KINDS: dict[str, Kind] = {
    "drama": Kind("play", "drama", (52, 17, 0.66), 420, 250, 21, "pair", EVENING, TUE_SAT,
                  "standard", (6, 25)),
    "comedy_play": Kind("play", "comedy", (48, 16, 0.62), 390, 260, 18, "pair", EVENING,
                        TUE_SAT, "standard", (6, 30)),
    "musical": Kind("play", "musical", (42, 15, 0.68), 690, 500, 35, "pair",
                    ((19, 0), (19, 30), (14, 0)), (0, 1, 1, 1, 1.3, 1.6, 0.8), "standard",
                    (10, 40)),
    "dance": Kind("opera_ballet", "dance", (45, 17, 0.72), 500, 400, 30, "pair",
                  ((19, 30), (19, 0)), WED_SAT, "standard", (3, 10)),
    "opera": Kind("opera_ballet", "opera", (61, 13, 0.64), 690, 600, 40, "pair",
                  ((19, 0), (18, 30)), TUE_SAT, "standard", (3, 10)),
    "classical": Kind("concert", "classical", (58, 16, 0.58), 350, 450, 28, "pair",
                      ((19, 30), (19, 0), (12, 0)), (0, 0, 1, 1, 1.2, 0.8, 0), "standard",
                      (1, 2)),
    "pop_rock": Kind("concert", "pop_rock", (34, 12, 0.52), 450, 500, 35, "pair",
                     ((20, 0), (21, 0)), WED_SAT, "standard", (1, 2)),
    "jazz": Kind("concert", "jazz", (52, 15, 0.45), 300, 120, 14, "pair",
                 ((20, 0), (20, 30), (21, 0)), TUE_SAT, "standard", (1, 2)),
    "folk": Kind("concert", "folk_world", (50, 16, 0.56), 280, 150, 14, "pair",
                 ((19, 30), (20, 0)), (0, 0, 0, 1, 1, 1, 0), "standard", (1, 1)),
    "electronic": Kind("concert", "electronic", (26, 6, 0.45), 320, 300, 10, "single",
                       ((22, 0), (23, 0)), (0, 0, 0, 0, 1, 1, 0), "standard", (1, 1)),
    "standup": Kind("standup_comedy", "comedy", (33, 10, 0.45), 360, 220, 21, "pair",
                    ((20, 0), (21, 0)), WED_SAT, "standard", (1, 4)),
    "family": Kind("family_show", "children", (39, 5, 0.62, 0.15, 66, 6), 260, 250, 14,
                   "family", ((12, 0), (13, 0), (15, 0), (17, 0)), WEEKEND, "standard",
                   (4, 20)),
    "film": Kind("screening", "feature_film", (35, 15, 0.52), 150, 70, 2, "pair",
                 ((17, 0), (18, 30), (19, 0), (20, 30), (21, 0)), ALL_WEEK, "film", (3, 8)),
    "film_doc": Kind("screening", "documentary", (50, 17, 0.56), 140, 25, 3, "pair",
                     ((18, 0), (19, 0)), ALL_WEEK, "film", (1, 3)),
    "film_kids": Kind("screening", "children", (38, 6, 0.62), 120, 50, 3, "family",
                      ((11, 0), (13, 0), (15, 0), (16, 30)), (0, 0, 1, 0, 0, 1, 1), "film",
                      (3, 8)),
    "fest_pop": Kind("festival", "pop_rock", (28, 9, 0.52), 1400, 3000, 60, "single",
                     ((14, 0), (16, 0)), ALL_WEEK, "summer", (1, 1)),
    "fest_jazz": Kind("festival", "jazz", (50, 15, 0.48), 1100, 1200, 45, "pair",
                      ((14, 0), (17, 0)), ALL_WEEK, "summer", (1, 1)),
    "fest_folk": Kind("festival", "folk_world", (45, 16, 0.55), 900, 800, 40, "pair",
                      ((12, 0), (14, 0)), ALL_WEEK, "summer", (1, 1)),
    "fest_lit": Kind("festival", "literature", (55, 16, 0.68), 450, 600, 25, "single",
                     ((10, 0), (12, 0)), ALL_WEEK, "spring_autumn", (1, 1)),
    "fest_film": Kind("festival", "feature_film", (38, 15, 0.55), 700, 700, 30, "single",
                      ((10, 0), (12, 0)), ALL_WEEK, "film_festival", (1, 1)),
    "fest_chamber": Kind("festival", "classical", (60, 13, 0.6), 1000, 500, 50, "pair",
                         ((12, 0), (17, 0)), ALL_WEEK, "summer", (1, 1)),
    "fest_electronic": Kind("festival", "electronic", (25, 5, 0.46), 1300, 2500, 45,
                            "single", ((16, 0), (18, 0)), ALL_WEEK, "summer", (1, 1)),
    "football": Kind("sports_event", "football", (36, 15, 0.27), 280, 2500, 7, "pair",
                     ((18, 0), (19, 0), (17, 0), (15, 0)), (0.4, 0.3, 0.6, 0.6, 0.4, 1, 1.5),
                     "football", (1, 1)),
    "handball": Kind("sports_event", "handball", (38, 14, 0.42), 200, 600, 5, "family",
                     ((18, 0), (19, 30), (16, 0)), (0.3, 0.3, 0.8, 0.8, 0.4, 1, 1),
                     "winter", (1, 1)),
    "ice_hockey": Kind("sports_event", "ice_hockey", (34, 13, 0.3), 260, 1500, 5, "pair",
                       ((19, 0), (18, 0), (15, 0)), (0.2, 1, 0.6, 1, 0.8, 1.2, 0.4),
                       "winter", (1, 1)),
    "exhibition_art": Kind("exhibition", "art", (50, 18, 0.63), 160, 4000, -40, "pair",
                           ((10, 0), (11, 0)), (0, 1, 1, 1, 1, 1, 1), "museum", (1, 1),
                           daytime=True),
    "exhibition_history": Kind("exhibition", "history", (47, 19, 0.52), 130, 2500, -40,
                               "family", ((10, 0), (11, 0)), (0, 1, 1, 1, 1, 1, 1),
                               "museum", (1, 1), daytime=True),
    "talk_lit": Kind("talk", "literature", (57, 15, 0.66), 150, 60, 10, "single",
                     ((18, 0), (19, 0)), (0, 1, 1, 1, 0, 0, 0), "standard", (1, 1)),
    "talk_history": Kind("talk", "history", (60, 14, 0.55), 120, 50, 10, "single",
                         ((18, 0), (19, 0), (13, 0)), (0, 1, 1, 1, 0, 0.5, 0.5), "standard",
                         (1, 1)),
    "other": Kind("other", "other", (45, 18, 0.55), 200, 100, 10, "pair",
                  ((18, 0), (19, 0), (12, 0)), ALL_WEEK, "standard", (1, 1)),
}

#: Tickets in one purchase: (1, 2, 3, 4, 5, 6) probabilities by the kind's ``tickets``.
TICKET_MIX = {
    "single": (0.55, 0.35, 0.04, 0.05, 0.005, 0.005),
    "pair": (0.28, 0.50, 0.08, 0.10, 0.02, 0.02),
    "family": (0.08, 0.24, 0.25, 0.30, 0.08, 0.05),
}


@dataclass(frozen=True)
class Archetype:
    """A kind of organization: its org type, the kinds it programmes and how many a year."""

    org_type: str
    mix: dict[str, float]
    per_year: float
    size: float = 1.0


ARCHETYPES: dict[str, Archetype] = {
    "orchestra": Archetype("music", {"classical": 0.72, "opera": 0.04, "family": 0.1,
                                     "pop_rock": 0.08, "jazz": 0.06}, 30, 1.4),
    "jazz_club": Archetype("music", {"jazz": 0.85, "folk": 0.1, "pop_rock": 0.05}, 35, 0.6),
    "concert_hall": Archetype("music", {"pop_rock": 0.45, "classical": 0.15, "folk": 0.12,
                                        "jazz": 0.08, "standup": 0.1, "family": 0.1}, 50),
    "city_theatre": Archetype("theatre_performing_arts", {
        "drama": 0.45, "comedy_play": 0.2, "musical": 0.15, "family": 0.15, "dance": 0.05}, 9,
        1.3),
    "children_theatre": Archetype("theatre_performing_arts", {"family": 0.9, "drama": 0.1}, 6,
                                  0.6),
    "opera_house": Archetype("theatre_performing_arts", {"opera": 0.55, "dance": 0.35,
                                                         "family": 0.1}, 6, 1.2),
    "comedy_stage": Archetype("theatre_performing_arts", {"standup": 0.6, "comedy_play": 0.3,
                                                          "musical": 0.1}, 12, 0.8),
    "cinema": Archetype("film_screening", {"film": 0.78, "film_doc": 0.08, "film_kids": 0.14},
                        30),
    "fest_pop": Archetype("festival", {"pop_rock": 1.0}, 1, 1.6),
    "fest_jazz": Archetype("festival", {"jazz": 1.0}, 1),
    "fest_folk": Archetype("festival", {"folk": 1.0}, 1, 0.7),
    "fest_lit": Archetype("festival", {"talk_lit": 1.0}, 1, 0.6),
    "fest_film": Archetype("festival", {"film": 0.8, "film_doc": 0.2}, 1, 0.8),
    "fest_chamber": Archetype("festival", {"classical": 1.0}, 1, 0.6),
    "fest_electronic": Archetype("festival", {"electronic": 1.0}, 1, 1.2),
    "football": Archetype("sports", {"football": 1.0}, 15, 1.5),
    "handball": Archetype("sports", {"handball": 1.0}, 12, 0.8),
    "ice_hockey": Archetype("sports", {"ice_hockey": 1.0}, 25, 1.2),
    "art_museum": Archetype("museum_heritage", {"exhibition_art": 0.45, "talk_lit": 0.2,
                                                "family": 0.15, "other": 0.2}, 10),
    "history_museum": Archetype("museum_heritage", {"exhibition_history": 0.45,
                                                    "talk_history": 0.3, "family": 0.15,
                                                    "other": 0.1}, 10),
    "culture_house": Archetype("other", {"standup": 0.2, "pop_rock": 0.2, "talk_lit": 0.15,
                                         "family": 0.15, "other": 0.2, "drama": 0.1}, 40, 0.8),
}

#: Share of the network by organization type (every type occurs at least once).
ORG_TYPE_WEIGHTS = {"music": 0.22, "theatre_performing_arts": 0.22, "film_screening": 0.10,
                    "festival": 0.10, "sports": 0.14, "museum_heritage": 0.12, "other": 0.10}
#: Archetypes within an org type.
ARCHETYPE_WEIGHTS: dict[str, dict[str, float]] = {
    "music": {"orchestra": 0.35, "jazz_club": 0.25, "concert_hall": 0.4},
    "theatre_performing_arts": {"city_theatre": 0.5, "children_theatre": 0.15,
                                "opera_house": 0.15, "comedy_stage": 0.2},
    "film_screening": {"cinema": 1.0},
    "festival": {"fest_pop": 0.3, "fest_jazz": 0.2, "fest_folk": 0.12, "fest_lit": 0.12,
                 "fest_film": 0.12, "fest_chamber": 0.08, "fest_electronic": 0.06},
    "sports": {"football": 0.6, "handball": 0.2, "ice_hockey": 0.2},
    "museum_heritage": {"art_museum": 0.5, "history_museum": 0.5},
    "other": {"culture_house": 1.0},
}
#: Share of organizations by country.
COUNTRY_WEIGHTS = {"NO": 0.45, "SE": 0.25, "DK": 0.15, "FI": 0.12, "IS": 0.03}

#: How some ticketing systems spell an org type (the ingest normalizes these).
ORG_TYPE_SPELLINGS: dict[str, dict[str, str]] = {
    "music": {"NO": "musikk", "SE": "musik", "DK": "musik", "FI": "musiikki", "IS": "Music"},
    "theatre_performing_arts": {"NO": "teater", "SE": "teater", "DK": "Teater",
                                "FI": "teatteri", "IS": "theatre"},
    "film_screening": {"NO": "kino", "SE": "bio", "DK": "biograf", "FI": "elokuva",
                       "IS": "cinema"},
    "festival": {"NO": "Festival", "SE": "festival", "DK": "Festival", "FI": "festivaali",
                 "IS": "festival"},
    "sports": {"NO": "idrett", "SE": "idrott", "DK": "sport", "FI": "urheilu", "IS": "sport"},
    "museum_heritage": {"NO": "Museum", "SE": "museum", "DK": "Museum", "FI": "museo",
                        "IS": "museum"},
    "other": {"NO": "annet", "SE": "annat", "DK": "andet", "FI": "muu", "IS": "other"},
}
#: Local spellings of event types and categories some systems export.
EVENT_TYPE_SPELLINGS: dict[str, dict[str, str]] = {
    "concert": {"NO": "konsert", "SE": "konsert", "DK": "koncert", "FI": "konsertti",
                "IS": "tónleikar"},
    "play": {"NO": "teater", "SE": "teater", "DK": "teater", "FI": "näytelmä", "IS": "leikrit"},
    "exhibition": {"NO": "utstilling", "SE": "utställning", "DK": "udstilling",
                   "FI": "näyttely", "IS": "sýning"},
    "screening": {"NO": "kino", "SE": "film", "DK": "film", "FI": "elokuva", "IS": "kvikmynd"},
    "sports_event": {"NO": "kamp", "SE": "match", "DK": "kamp", "FI": "ottelu", "IS": "leikur"},
    "talk": {"NO": "foredrag", "SE": "föredrag", "DK": "foredrag", "FI": "luento",
             "IS": "fyrirlestur"},
    "family_show": {"NO": "familieforestilling", "SE": "familjeföreställning",
                    "DK": "familie", "FI": "perhe", "IS": "family"},
}
CATEGORY_SPELLINGS: dict[str, dict[str, str]] = {
    "classical": {"NO": "klassisk", "SE": "klassisk", "DK": "klassisk", "FI": "klassinen",
                  "IS": "klassík"},
    "football": {"NO": "fotball", "SE": "fotboll", "DK": "fodbold", "FI": "jalkapallo",
                 "IS": "fótbolti"},
    "children": {"NO": "barn", "SE": "barn", "DK": "børn", "FI": "lapset", "IS": "kids"},
    "drama": {"NO": "skuespill", "SE": "teater", "DK": "teater", "FI": "näytelmä",
              "IS": "drama"},
    "art": {"NO": "kunst", "SE": "konst", "DK": "kunst", "FI": "taide", "IS": "list"},
    "ice_hockey": {"NO": "ishockey", "SE": "ishockey", "DK": "ishockey", "FI": "jääkiekko",
                   "IS": "íshokkí"},
}
