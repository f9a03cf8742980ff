"""Generating the shipped training corpus (``corpus.csv``) from templates and name lists.

The corpus is generated once by the team and committed; this module documents how, and
regenerates it byte for byte (fixed seeds)::

    python -m warehouse.classify.corpus_build warehouse/classify/corpus.csv

Organization types and venues are attached with deliberate noise (a concert at a culture house,
a talk at a museum), so that the model learns from the title first and treats the
organization's type as a hint, not the answer.
"""

from __future__ import annotations

import csv
import random
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from string import Formatter

from warehouse.classify.corpus_names import THEATRES, VENUES_SPORT
from warehouse.classify.corpus_recipes import LANGS, RECIPES, SLOTS, Recipe

COLUMNS = ("title", "language", "country", "org_type", "venue", "event_type", "event_category",
           "source")
COUNTRIES = ("NO", "SE", "DK", "FI", "IS")

_VENUES: dict[str, dict[str, tuple[str, ...]]] = {
    "music": {"NO": ("Grieghallen", "Oslo Konserthus", "Stavanger konserthus", "Olavshallen", "Rockefeller",
                     "Sentrum Scene", "USF Verftet", "Kulturkirken Jakob", "Nasjonal jazzscene"),
              "SE": ("Konserthuset", "Göteborgs Konserthus", "Malmö Live", "Berwaldhallen", "Debaser",
                     "Nalen", "Fasching", "Pustervik"),
              "DK": ("DR Koncerthuset", "Musikhuset Aarhus", "Tivolis Koncertsal", "Vega", "Store Vega",
                     "Train", "Musikkens Hus", "Jazzhus Montmartre"),
              "FI": ("Musiikkitalo", "Sibeliustalo", "Tampere-talo", "Tavastia", "Savoy-teatteri",
                     "Kulttuuritalo", "G Livelab", "Pakkahuone"),
              "IS": ("Harpa", "Eldborg", "Hof", "Gamla Bíó", "Iðnó", "Salurinn", "Mengi")},
    "film_screening": {"NO": ("Vika kino", "Saga kino", "Cinemateket", "Colosseum kino", "Bergen kino", "Nova kino"),
                       "SE": ("Filmstaden", "Bio Capitol", "Zita Folkets Bio", "Hagabion", "Spegeln"),
                       "DK": ("Grand Teatret", "Empire Bio", "Cinemateket", "Palads", "Øst for Paradis"),
                       "FI": ("Finnkino Tennispalatsi", "Kino Regina", "Orion", "Kino Engel", "Niagara"),
                       "IS": ("Bíó Paradís", "Smárabíó", "Háskólabíó", "Sambíóin")},
    "festival": {"NO": ("Tøyenparken", "Festningen", "Koengen", "Kalvøya"), "SE": ("Slottsskogen", "Gärdet"),
                 "DK": ("Dyrskuepladsen", "Refshaleøen", "Tangkrogen"), "FI": ("Suvilahti", "Kaisaniemi", "Ruissalo"),
                 "IS": ("Laugardalur", "Hljómskálagarður")},
    "museum_heritage": {"NO": ("Nasjonalmuseet", "KODE", "Maihaugen", "Norsk Folkemuseum"),
                        "SE": ("Nationalmuseum", "Skansen", "Moderna Museet"),
                        "DK": ("Louisiana", "Nationalmuseet", "ARoS"), "FI": ("Ateneum", "Kansallismuseo", "Amos Rex"),
                        "IS": ("Listasafn Íslands", "Þjóðminjasafnið")},
    "other": {"NO": ("Kulturhuset", "Litteraturhuset", "Folken", "Union Scene", "Kulturhuset Banken", "Samfundet"),
              "SE": ("Kulturhuset Stadsteatern", "Folkets hus", "Kulturens hus", "Stora Teatern"),
              "DK": ("Kulturhuset Islands Brygge", "Bremen Teater", "Dokk1", "Godsbanen"),
              "FI": ("Kulttuurikeskus Caisa", "Savoy", "Korjaamo", "Kulttuuritalo"),
              "IS": ("Iðnó", "Menningarhúsið Hof", "Tjarnarbíó", "Hannesarholt")},
    "theatre_performing_arts": THEATRES,
    "sports": VENUES_SPORT,
}

#: Organization types that also host each event type (a kulturhus counts as ``other``).
_NOISE: dict[str, tuple[str, ...]] = {
    "concert": ("other", "theatre_performing_arts", "festival", "museum_heritage"),
    "play": ("other", "music", "festival"),
    "opera_ballet": ("music", "other", "festival"),
    "screening": ("other", "museum_heritage", "festival", "theatre_performing_arts"),
    "festival": ("music", "other", "film_screening", "theatre_performing_arts"),
    "sports_event": ("other",),
    "exhibition": ("other", "theatre_performing_arts", "music"),
    "talk": ("museum_heritage", "theatre_performing_arts", "festival", "music", "film_screening"),
    "standup_comedy": ("theatre_performing_arts", "music", "festival"),
    "family_show": ("other", "museum_heritage", "music", "film_screening", "festival"),
    "other": ("music", "theatre_performing_arts", "museum_heritage", "film_screening", "sports", "festival"),
}


def pick(source: object, lang: str, country: str, rng: random.Random) -> str:
    """One name from a list that is universal, by language, or by country (plus ``*``)."""
    if isinstance(source, tuple):
        return str(rng.choice(source))
    assert isinstance(source, Mapping)
    options: list[str] = []
    if lang in source:
        options += source[lang]
    elif country in source:
        options += source[country]
    options += source.get("*", ())
    if not options:
        options = [v for vs in source.values() for v in vs]
    return str(rng.choice(options))


def _country(lang: str, rng: random.Random) -> str:
    if lang in ("nb", "nn"):
        return "NO"
    if lang == "sv":
        return "FI" if rng.random() < 0.15 else "SE"
    return {"da": "DK", "fi": "FI", "is": "IS"}.get(lang) or rng.choice(COUNTRIES)


def _title(recipe: Recipe, lang: str, country: str, rng: random.Random) -> str:
    template = rng.choice(recipe.templates[lang])
    values: dict[str, str] = {}
    teams = list(recipe.teams[country]) if recipe.teams else []
    if teams:
        values["home"], values["away"] = rng.sample(teams, 2)
    for _, name, _, _ in Formatter().parse(template):
        if not name or name in values:
            continue
        if name == "league":
            values[name] = pick(recipe.leagues or {}, lang, country, rng)
        elif name == "fest":
            values[name] = pick(recipe.festivals or {}, lang, country, rng)
        else:
            values[name] = pick(recipe.extra.get(name) or SLOTS[name], lang, country, rng)
    for a, b in (("nation", "nation2"), ("edm", "edm2"), ("author", "author2"), ("comedian", "comedian2")):
        while a in values and values[a] == values.get(b):
            values[b] = pick(SLOTS[b], lang, country, rng)
    if "composer" in values and values["composer"] == values.get("composer2"):
        values["composer2"] = "Mozart" if values["composer"] != "Mozart" else "Haydn"
    title = template.format(**values)
    if rng.random() < 0.04:
        title = title.upper()  # some ticketing systems shout
    return title


def generate() -> Iterator[dict[str, str]]:
    """Yield the corpus rows, deterministically."""
    seen: set[str] = set()
    for recipe in RECIPES:
        for lang in LANGS:
            rng = random.Random(f"{recipe.event_type}/{recipe.event_category}/{lang}")
            made = 0
            for _ in range(recipe.per_lang * 20):
                if made >= recipe.per_lang:
                    break
                country = _country(lang, rng)
                title = _title(recipe, lang, country, rng)
                if title.casefold() in seen:
                    continue
                seen.add(title.casefold())
                made += 1
                org_type = recipe.org_type
                if rng.random() < 0.35:
                    org_type = rng.choice(_NOISE[recipe.event_type])
                venue = ""
                if rng.random() < 0.5:
                    venue = pick(_VENUES[org_type], lang, country, rng)
                yield {"title": title, "language": lang, "country": country, "org_type": org_type,
                       "venue": venue, "event_type": recipe.event_type,
                       "event_category": recipe.event_category, "source": "team"}


def write(path: Path) -> int:
    """Write the corpus to ``path``; returns the number of rows."""
    rows = list(generate())
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return len(rows)


if __name__ == "__main__":  # pragma: no cover
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("corpus.csv")
    print(write(out), "rows →", out)
