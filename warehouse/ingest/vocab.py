"""Harmonization vocabularies: the spellings ticketing systems use, mapped to the model's codes.

Keys are compared after lower-casing and trimming (and, for the word lists, with ``-``, ``/``
and spaces folded to ``_``). Anything not listed maps to ``unknown`` (gender) or is rejected
(organization type) or is left to the event classifier (event type and category: see
``warehouse/classify``).

>>> GENDER["kvinne"], GENDER["mies"], GENDER["k"]
('female', 'male', 'female')
>>> ORG_TYPE["teater"], EVENT_TYPE["konsert"]
('theatre_performing_arts', 'concert')
"""

from __future__ import annotations

from warehouse.ddl import EVENT_CATEGORIES, EVENT_TYPES, ORG_TYPES


def _spread(groups: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, words in groups.items():
        out[code] = code
        for w in words:
            out[w] = code
    return out


GENDER: dict[str, str] = _spread({
    "male": ("m", "male", "man", "men", "mann", "menn", "mand", "mies", "miespuolinen",
             "karl", "karlkyns", "kk", "herr", "hr", "mr", "gutt", "pojke", "dreng", "1"),
    "female": ("f", "female", "woman", "women", "k", "kvinne", "kvinner", "kvinna", "kvinde",
               "nainen", "naispuolinen", "n", "kona", "kvenkyns", "kvk", "w", "fru", "frk",
               "mrs", "ms", "dame", "jente", "flicka", "pige", "2"),
})
GENDER.pop("unknown", None)

ORG_TYPE: dict[str, str] = _spread({
    "music": ("musikk", "musik", "musiikki", "tónlist", "tonlist", "konserthus", "konserthuset",
              "concert_hall", "concert_venue", "orchestra", "orkester", "orkesteri"),
    "theatre_performing_arts": ("theatre", "theater", "teater", "teatteri", "leikhús",
                                "leikhus", "scenekunst", "scenkonst", "performing_arts",
                                "scene", "opera", "dans", "dance", "esittävät_taiteet"),
    "film_screening": ("film", "kino", "cinema", "bio", "biograf", "elokuva",
                       "elokuvateatteri", "kvikmyndahús", "screening", "movies"),
    "festival": ("festivaali", "hátíð", "hatid", "festivals", "festivaler"),
    "sports": ("sport", "idrett", "idrott", "idræt", "urheilu", "íþróttir", "ithrottir",
               "sports_club", "idrettslag", "club", "klubb"),
    "museum_heritage": ("museum", "museer", "museet", "museo", "museot", "safn", "heritage",
                        "kulturarv", "kulturminne", "kulturary", "museum_and_heritage",
                        "gallery", "galleri", "kunsthall"),
    "other": ("annet", "annat", "andet", "muu", "annað", "misc", "miscellaneous"),
})

EVENT_TYPE: dict[str, str] = _spread({
    "concert": ("konsert", "konserter", "konsertti", "tónleikar", "koncert", "gig", "music",
                "musikk", "musik", "koncerter", "konsertit", "concerts"),
    "play": ("teater", "theatre", "theater", "skuespill", "teaterforestilling", "pjäs",
             "skådespel", "teaterstykke", "skuespil", "näytelmä", "leikrit", "drama",
             "forestilling", "föreställning", "teatteri", "teaterföreställning"),
    "opera_ballet": ("opera", "ballett", "ballet", "balett", "baletti", "ooppera", "ópera",
                     "opera_and_ballet", "opera/ballet"),
    "screening": ("film", "kino", "movie", "cinema", "visning", "filmvisning", "elokuva",
                  "näytös", "bio", "kvikmynd"),
    "festival": ("festivaali", "hátíð"),
    "sports_event": ("sport", "sports", "kamp", "match", "ottelu", "leikur", "idrett",
                     "idrott", "game", "sportsarrangement"),
    "exhibition": ("utstilling", "utställning", "udstilling", "näyttely", "sýning",
                   "exhibit", "museum", "exhibitions"),
    "talk": ("foredrag", "föredrag", "föreläsning", "luento", "fyrirlestur", "lecture",
             "debatt", "debate", "seminar", "samtale"),
    "standup_comedy": ("standup", "stand_up", "stand_up_comedy", "komedie", "komik",
                       "komiikka", "uppistand", "comedy"),
    "family_show": ("familie", "familieforestilling", "familjeföreställning", "barn",
                    "børneforestilling", "perhe", "lastenesitys", "family", "children",
                    "kids", "barneforestilling"),
    "other": ("annet", "annat", "andet", "muu", "annað"),
})

EVENT_CATEGORY: dict[str, str] = _spread({
    "classical": ("klassisk", "klassinen", "klassík", "classical_music", "klassisk_musikk"),
    "pop_rock": ("pop", "rock", "pop/rock", "poprock", "pop_and_rock"),
    "jazz": ("jass",),
    "folk_world": ("folk", "folkemusikk", "folkmusik", "world", "verdensmusikk", "kansanmusiikki",
                   "världsmusik", "verdensmusik", "maailmanmusiikki", "folk_and_world"),
    "electronic": ("elektronisk", "edm", "electronica", "elektroninen", "techno", "house"),
    "drama": ("skuespill", "teater", "näytelmä"),
    "comedy": ("komedie", "komedi", "komiikka", "humor"),
    "musical": ("musikal", "musikaali", "söngleikur"),
    "dance": ("dans", "tanssi", "ballet", "ballett"),
    "opera": ("ooppera",),
    "documentary": ("dokumentar", "dokumentär", "dokumentti", "heimildarmynd", "dokumentarfilm",
                    "dokumentärfilm", "dokumenttielokuva"),
    "feature_film": ("spillefilm", "långfilm", "spillefilm", "elokuva", "film", "movie"),
    "children": ("barn", "børn", "lapset", "børneteater", "kids", "family", "familie"),
    "football": ("fotball", "fotboll", "fodbold", "jalkapallo", "fótbolti", "soccer"),
    "handball": ("håndball", "handboll", "håndbold", "käsipallo", "handbolti"),
    "ice_hockey": ("ishockey", "jääkiekko", "hockey", "íshokkí"),
    "other_sport": ("sport", "idrett", "idrott", "urheilu"),
    "art": ("kunst", "konst", "taide", "list", "visual_art", "fine_art"),
    "history": ("historie", "historia", "kulturhistorie", "saga"),
    "literature": ("litteratur", "kirjallisuus", "bókmenntir", "books"),
    "other": ("annet", "annat", "andet", "muu", "annað"),
})

CURRENCY_BY_COUNTRY = {"NO": "NOK", "SE": "SEK", "DK": "DKK", "FI": "EUR", "IS": "ISK"}

assert set(ORG_TYPE.values()) == set(ORG_TYPES)
assert set(EVENT_TYPE.values()) <= set(EVENT_TYPES)
assert set(EVENT_CATEGORY.values()) <= set(EVENT_CATEGORIES)


def fold(value: str) -> str:
    """The form vocabularies are keyed by: lower case, trimmed, separators as ``_``.

    >>> fold(" Stand-up  Comedy ")
    'stand_up_comedy'
    """
    out = value.strip().lower()
    for sep in ("-", " ", "/", "&"):
        out = out.replace(sep, "_")
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_")


def folded(table: dict[str, str]) -> list[tuple[str, str]]:
    """(folded spelling, code) pairs, for loading a vocabulary into a lookup table."""
    pairs = {fold(k): v for k, v in table.items()}
    return sorted(pairs.items())
