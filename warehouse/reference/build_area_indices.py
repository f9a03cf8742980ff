"""Build ``area_indices_synthetic.csv``: SYNTHETIC enrichment attributes per postal code.

THIS DATA IS SYNTHETIC. It exists so that the demo warehouse has plausible area type,
purchasing power, education level and home type per postal code; no licensed income,
education or dwelling statistics could be had. An operator replaces the file with licensed
data in the same format (``country,postal_code,area_type,purchasing_power,education_level,
home_type``), one row per postal code of ``postal_codes.csv``.

How it is made, deterministically (same input -> byte-identical output):

1. ``area_type`` comes from rough anchors: postal code ranges of the largest cities and their
   suburbs (NO, SE, DK) or municipality codes (FI, IS), listed below. Other codes are drawn
   as ``town`` or ``rural`` from a generator seeded with ``sha256("country:postal_code")``;
   Swedish codes ending in 90-99 (rural delivery routes) are always ``rural``.
2. ``purchasing_power``, ``education_level`` and ``home_type`` are drawn from the same
   seeded generator with probabilities that depend on the area type (``WEIGHTS``): big
   cities lean to apartments, high education and high purchasing power; rural areas to
   single-family homes and basic / middle education.

Rebuild (standard library only; reads ``postal_codes.csv`` beside this file)::

    .venv/bin/python warehouse/reference/build_area_indices.py
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = ("country", "postal_code", "area_type", "purchasing_power", "education_level",
          "home_type")

#: (first code, last code, area type) ranges of the big cities and their suburbs.
RANGES: dict[str, tuple[tuple[int, int, str], ...]] = {
    "NO": (
        (1, 1299, "large_city"),      # Oslo
        (1300, 1369, "large_city"),   # Bærum
        (5003, 5184, "large_city"),   # Bergen
        (5215, 5268, "large_city"),   # Bergen (Fana, Arna)
        (7010, 7099, "large_city"),   # Trondheim
        (4001, 4099, "large_city"),   # Stavanger
        (4604, 4639, "large_city"),   # Kristiansand
        (1370, 1399, "city"),         # Asker
        (1400, 1479, "city"),         # Nordre Follo, Lørenskog
        (1501, 1539, "city"),         # Moss
        (1601, 1639, "city"),         # Fredrikstad
        (1701, 1747, "city"),         # Sarpsborg
        (1751, 1798, "city"),         # Halden
        (2000, 2029, "city"),         # Lillestrøm
        (2050, 2069, "city"),         # Ullensaker
        (2301, 2325, "city"),         # Hamar
        (2601, 2636, "city"),         # Lillehammer
        (2801, 2827, "city"),         # Gjøvik
        (3001, 3050, "city"),         # Drammen
        (3101, 3128, "city"),         # Tønsberg
        (3181, 3192, "city"),         # Horten
        (3201, 3249, "city"),         # Sandefjord
        (3251, 3274, "city"),         # Larvik
        (3601, 3623, "city"),         # Kongsberg
        (3701, 3736, "city"),         # Skien
        (3901, 3949, "city"),         # Porsgrunn
        (4301, 4329, "city"),         # Sandnes
        (4801, 4849, "city"),         # Arendal
        (5300, 5310, "city"),         # Askøy
        (5501, 5539, "city"),         # Haugesund
        (6001, 6020, "city"),         # Ålesund
        (6401, 6422, "city"),         # Molde
        (8001, 8041, "city"),         # Bodø
        (9001, 9039, "city"),         # Tromsø
        (9401, 9419, "city"),         # Harstad
    ),
    "SE": (
        (10000, 12999, "large_city"),  # Stockholm
        (16000, 17999, "large_city"),  # Bromma, Solna, Sundbyberg, Kista
        (13000, 15999, "city"),        # Stockholm suburbs, Södertälje
        (18000, 19999, "city"),        # Täby, Lidingö, Sollentuna, Upplands Väsby
        (40000, 42999, "large_city"),  # Göteborg
        (43000, 43699, "city"),        # Mölndal, Partille, Kungsbacka
        (20000, 21999, "large_city"),  # Malmö
        (75000, 75699, "large_city"),  # Uppsala
        (22000, 22799, "city"),        # Lund
        (25000, 25699, "city"),        # Helsingborg
        (30000, 30299, "city"),        # Halmstad
        (35000, 35399, "city"),        # Växjö
        (50000, 50799, "city"),        # Borås
        (55000, 55699, "city"),        # Jönköping
        (58000, 58999, "city"),        # Linköping
        (60000, 60599, "city"),        # Norrköping
        (63000, 63699, "city"),        # Eskilstuna
        (65000, 65699, "city"),        # Karlstad
        (70000, 70399, "city"),        # Örebro
        (72000, 72599, "city"),        # Västerås
        (80000, 80699, "city"),        # Gävle
        (85000, 85799, "city"),        # Sundsvall
        (90000, 90799, "city"),        # Umeå
        (97000, 97599, "city"),        # Luleå
    ),
    "DK": (
        (1000, 2500, "large_city"),   # København, Frederiksberg
        (8000, 8210, "large_city"),   # Aarhus
        (5000, 5270, "large_city"),   # Odense
        (9000, 9220, "large_city"),   # Aalborg
        (2600, 2990, "city"),         # Copenhagen suburbs
        (3000, 3000, "city"),         # Helsingør
        (3400, 3400, "city"),         # Hillerød
        (4000, 4000, "city"),         # Roskilde
        (4200, 4200, "city"),         # Slagelse
        (4300, 4300, "city"),         # Holbæk
        (4600, 4600, "city"),         # Køge
        (4700, 4700, "city"),         # Næstved
        (5700, 5700, "city"),         # Svendborg
        (6000, 6000, "city"),         # Kolding
        (6100, 6100, "city"),         # Haderslev
        (6400, 6400, "city"),         # Sønderborg
        (6700, 6715, "city"),         # Esbjerg
        (7000, 7000, "city"),         # Fredericia
        (7100, 7100, "city"),         # Vejle
        (7400, 7400, "city"),         # Herning
        (7500, 7500, "city"),         # Holstebro
        (8600, 8600, "city"),         # Silkeborg
        (8700, 8700, "city"),         # Horsens
        (8800, 8800, "city"),         # Viborg
        (8900, 8960, "city"),         # Randers
        (9800, 9800, "city"),         # Hjørring
        (9900, 9900, "city"),         # Frederikshavn
    ),
}

#: Municipality code -> area type (FI: Statistics Finland kuntanumero; IS: sveitarfélagsnúmer).
MUNICIPALITIES: dict[str, dict[str, str]] = {
    "FI": {
        **dict.fromkeys(("091", "049", "092", "837", "853", "564"), "large_city"),
        # Helsinki, Espoo, Vantaa, Tampere, Turku, Oulu
        **dict.fromkeys((
            "179", "398", "297", "609", "286", "167", "405", "109", "905", "743", "698",
            "491", "285", "734", "638", "272", "444", "106", "543", "186", "684", "858",
            "257", "205", "245", "211", "536", "980", "202", "680", "927", "753", "235",
            "694", "740", "153", "678", "418", "604", "140", "908", "851", "240", "915",
            "478",
        ), "city"),
        # Jyväskylä, Lahti, Kuopio, Pori, Kouvola, Joensuu, Lappeenranta, Hämeenlinna,
        # Vaasa, Seinäjoki, Rovaniemi, Mikkeli, Kotka, Salo, Porvoo, Kokkola, Lohja,
        # Hyvinkää, Nurmijärvi, Järvenpää, Rauma, Tuusula, Kirkkonummi, Kajaani, Kerava,
        # Kangasala, Nokia, Ylöjärvi, Kaarina, Raisio, Vihti, Sipoo, Kauniainen,
        # Riihimäki, Savonlinna, Imatra, Raahe, Lempäälä, Pirkkala, Iisalmi, Valkeakoski,
        # Tornio, Kemi, Varkaus, Maarianhamina
    },
    "IS": {
        "0000": "large_city",  # Reykjavík
        **dict.fromkeys(("1000", "1100", "1300", "1400", "1604", "2000", "6000"), "city"),
        # Kópavogur, Seltjarnarnes, Garðabær, Hafnarfjörður, Mosfellsbær, Reykjanesbær,
        # Akureyri
        **dict.fromkeys(("3000", "4200", "8000", "8200", "2300", "2510", "7300", "7400"),
                        "town"),
        # Akranes, Ísafjörður, Vestmannaeyjar, Árborg, Grindavík, Suðurnesjabær,
        # Fjarðabyggð, Múlaþing
    },
}

#: Probability of ``town`` (else ``rural``) for a code outside every anchor.
P_TOWN = {"NO": 0.35, "SE": 0.70, "DK": 0.45, "FI": 0.35, "IS": 0.0}

#: Bucket -> weight, per attribute, per area type.
WEIGHTS: dict[str, dict[str, dict[str, float]]] = {
    "purchasing_power": {
        "large_city": {"low": 0.12, "medium": 0.38, "high": 0.50},
        "city": {"low": 0.20, "medium": 0.47, "high": 0.33},
        "town": {"low": 0.30, "medium": 0.50, "high": 0.20},
        "rural": {"low": 0.43, "medium": 0.45, "high": 0.12},
    },
    "education_level": {
        "large_city": {"basic": 0.10, "middle": 0.30, "high": 0.60},
        "city": {"basic": 0.15, "middle": 0.45, "high": 0.40},
        "town": {"basic": 0.25, "middle": 0.53, "high": 0.22},
        "rural": {"basic": 0.38, "middle": 0.50, "high": 0.12},
    },
    "home_type": {
        "large_city": {"single_family": 0.12, "row_house": 0.10, "apartment": 0.70, "other": 0.08},
        "city": {"single_family": 0.33, "row_house": 0.17, "apartment": 0.45, "other": 0.05},
        "town": {"single_family": 0.55, "row_house": 0.18, "apartment": 0.22, "other": 0.05},
        "rural": {"single_family": 0.80, "row_house": 0.07, "apartment": 0.05, "other": 0.08},
    },
}


def _rng(country: str, postal_code: str) -> random.Random:
    digest = hashlib.sha256(f"{country}:{postal_code}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def area_type(country: str, postal_code: str, municipality_code: str,
              rng: random.Random) -> str:
    """The (synthetic) area type of one postal code.

    >>> area_type("NO", "0150", "", random.Random(0))
    'large_city'
    >>> area_type("SE", "98499", "", random.Random(0))
    'rural'
    """
    number = int(postal_code)
    for first, last, kind in RANGES.get(country, ()):
        if first <= number <= last:
            return kind
    anchored = MUNICIPALITIES.get(country, {}).get(municipality_code)
    if anchored:
        return anchored
    if country == "SE" and number % 100 >= 90:
        return "rural"
    return "town" if rng.random() < P_TOWN[country] else "rural"


def indices(country: str, postal_code: str, municipality_code: str) -> tuple[str, ...]:
    """One output row: the attributes of one postal code, seeded from the code itself.

    >>> indices("NO", "0150", "") == indices("NO", "0150", "")
    True
    """
    rng = _rng(country, postal_code)
    kind = area_type(country, postal_code, municipality_code, rng)
    drawn = [_pick(rng, WEIGHTS[attribute][kind]) for attribute in
             ("purchasing_power", "education_level", "home_type")]
    return (country, postal_code, kind, *drawn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postal-codes", type=Path, default=HERE / "postal_codes.csv")
    parser.add_argument("--out", type=Path, default=HERE / "area_indices_synthetic.csv")
    args = parser.parse_args()
    with open(args.postal_codes, encoding="utf-8", newline="") as f:
        rows = [indices(r["country"], r["postal_code"], r["municipality_code"])
                for r in csv.DictReader(f)]
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(Counter((r[0], r[2]) for r in rows))


if __name__ == "__main__":
    main()
