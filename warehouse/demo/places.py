"""Where the demo network lives: towns, regions and the real postal codes of the five countries.

Postal codes and regions come from ``warehouse/reference/postal_codes.csv`` and
``regions.csv`` when those files exist (the ingest enriches with the same files, so every
generated code resolves); a small built-in list of real codes stands in until they do.
Town names are built in, because the reference file does not name every municipality.

>>> places = load_places()
>>> sorted(places.codes)
['DK', 'FI', 'IS', 'NO', 'SE']
>>> "NO-03" in places.region_codes["NO"]
True
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"

#: Country -> currency (the organization's default; FI uses the euro).
CURRENCY = {"NO": "NOK", "SE": "SEK", "DK": "DKK", "FI": "EUR", "IS": "ISK"}
#: Country -> (standard UTC offset in hours, observes EU summer time).
UTC_OFFSET = {"NO": (1, True), "SE": (1, True), "DK": (1, True), "FI": (2, True), "IS": (0, False)}

# country region town weight(thousand inhabitants) a real central postal code
_TOWNS = """
NO NO-03 Oslo 700 0150
NO NO-46 Bergen 290 5015
NO NO-50 Trondheim 210 7011
NO NO-11 Stavanger 145 4006
NO NO-11 Sandnes 83 4306
NO NO-11 Haugesund 38 5525
NO NO-42 Kristiansand 116 4611
NO NO-42 Arendal 45 4836
NO NO-33 Drammen 103 3015
NO NO-33 Kongsberg 28 3611
NO NO-31 Fredrikstad 84 1606
NO NO-31 Sarpsborg 58 1706
NO NO-31 Halden 31 1771
NO NO-32 Lillestrøm 90 2000
NO NO-32 Sandvika 128 1337
NO NO-32 Asker 95 1383
NO NO-55 Tromsø 78 9008
NO NO-55 Harstad 25 9405
NO NO-18 Bodø 53 8006
NO NO-18 Narvik 22 8514
NO NO-18 Mo_i_Rana 26 8622
NO NO-15 Ålesund 67 6002
NO NO-15 Molde 32 6413
NO NO-15 Kristiansund 24 6509
NO NO-34 Hamar 32 2317
NO NO-34 Lillehammer 29 2609
NO NO-34 Gjøvik 30 2815
NO NO-34 Elverum 21 2406
NO NO-39 Tønsberg 58 3111
NO NO-39 Sandefjord 65 3210
NO NO-39 Larvik 48 3256
NO NO-40 Skien 55 3724
NO NO-40 Porsgrunn 37 3915
NO NO-56 Alta 21 9510
NO NO-56 Hammerfest 11 9600
NO NO-50 Steinkjer 24 7713
NO NO-46 Førde 23 6800
NO NO-46 Voss 16 5700
SE SE-AB Stockholm 980 11152
SE SE-O Göteborg 600 41103
SE SE-M Malmö 360 21122
SE SE-C Uppsala 240 75320
SE SE-E Linköping 165 58223
SE SE-E Norrköping 145 60224
SE SE-T Örebro 160 70210
SE SE-U Västerås 157 72211
SE SE-M Helsingborg 150 25221
SE SE-M Lund 128 22221
SE SE-F Jönköping 145 55318
SE SE-AC Umeå 130 90326
SE SE-X Gävle 103 80320
SE SE-O Borås 115 50330
SE SE-Y Sundsvall 99 85230
SE SE-S Karlstad 95 65224
SE SE-G Växjö 95 35230
SE SE-BD Luleå 80 97231
SE SE-H Kalmar 71 39231
SE SE-N Halmstad 104 30242
SE SE-W Falun 60 79171
SE SE-Z Östersund 64 83130
SE SE-D Eskilstuna 108 63220
SE SE-M Kristianstad 86 29131
SE SE-K Karlskrona 67 37130
SE SE-I Visby 24 62155
SE SE-AC Skellefteå 75 93131
SE SE-O Trollhättan 59 46130
SE SE-D Nyköping 57 61130
SE SE-BD Kiruna 23 98131
DK DK-84 København 650 1050
DK DK-84 Frederiksberg 104 2000
DK DK-82 Aarhus 360 8000
DK DK-83 Odense 205 5000
DK DK-81 Aalborg 220 9000
DK DK-83 Esbjerg 115 6700
DK DK-83 Vejle 120 7100
DK DK-82 Randers 99 8900
DK DK-83 Kolding 94 6000
DK DK-82 Horsens 96 8700
DK DK-82 Herning 90 7400
DK DK-82 Silkeborg 96 8600
DK DK-85 Roskilde 90 4000
DK DK-85 Næstved 84 4700
DK DK-84 Helsingør 63 3000
DK DK-84 Hillerød 52 3400
DK DK-82 Holstebro 59 7500
DK DK-82 Viborg 97 8800
DK DK-83 Svendborg 58 5700
DK DK-83 Sønderborg 74 6400
DK DK-81 Frederikshavn 59 9900
DK DK-81 Hjørring 64 9800
DK DK-85 Slagelse 80 4200
DK DK-85 Holbæk 72 4300
DK DK-83 Tønder 37 6270
DK DK-84 Rønne 39 3700
FI FI-18 Helsinki 660 00100
FI FI-18 Espoo 310 02100
FI FI-18 Vantaa 245 01300
FI FI-11 Tampere 250 33100
FI FI-19 Turku 200 20100
FI FI-14 Oulu 215 90100
FI FI-08 Jyväskylä 147 40100
FI FI-15 Kuopio 124 70100
FI FI-16 Lahti 121 15100
FI FI-17 Pori 83 28100
FI FI-13 Joensuu 77 80100
FI FI-02 Lappeenranta 73 53100
FI FI-06 Hämeenlinna 68 13100
FI FI-12 Vaasa 68 65100
FI FI-03 Seinäjoki 65 60100
FI FI-10 Rovaniemi 65 96100
FI FI-04 Mikkeli 52 50100
FI FI-04 Savonlinna 32 57100
FI FI-09 Kotka 51 48100
FI FI-05 Kajaani 36 87100
FI FI-07 Kokkola 48 67100
FI FI-01 Maarianhamina 12 22100
IS IS-1 Reykjavík 140 101
IS IS-1 Kópavogur 40 200
IS IS-1 Hafnarfjörður 30 220
IS IS-2 Reykjanesbær 22 230
IS IS-6 Akureyri 20 600
IS IS-6 Húsavík 2 640
IS IS-8 Selfoss 11 800
IS IS-8 Vestmannaeyjar 4 900
IS IS-3 Akranes 8 300
IS IS-3 Borgarnes 2 310
IS IS-4 Ísafjörður 4 400
IS IS-7 Egilsstaðir 3 700
IS IS-5 Sauðárkrókur 3 550
"""

# Region populations (thousands) used when regions.csv is absent or leaves population empty.
_REGION_POPULATION = {
    "NO-03": 718, "NO-11": 499, "NO-15": 271, "NO-18": 243, "NO-31": 312, "NO-32": 729,
    "NO-33": 270, "NO-34": 376, "NO-39": 256, "NO-40": 177, "NO-42": 320, "NO-46": 651,
    "NO-50": 483, "NO-55": 170, "NO-56": 75,
    "SE-AB": 2450, "SE-C": 400, "SE-D": 300, "SE-E": 470, "SE-F": 370, "SE-G": 205,
    "SE-H": 247, "SE-I": 61, "SE-K": 157, "SE-M": 1420, "SE-N": 340, "SE-O": 1750,
    "SE-S": 283, "SE-T": 305, "SE-U": 280, "SE-W": 288, "SE-X": 288, "SE-Y": 243,
    "SE-Z": 132, "SE-AC": 275, "SE-BD": 250,
    "DK-81": 590, "DK-82": 1340, "DK-83": 1230, "DK-84": 1870, "DK-85": 840,
    "FI-18": 1720, "FI-19": 485, "FI-17": 215, "FI-06": 170, "FI-11": 530, "FI-16": 205,
    "FI-09": 160, "FI-02": 125, "FI-04": 130, "FI-15": 250, "FI-13": 163, "FI-08": 275,
    "FI-03": 190, "FI-12": 177, "FI-07": 68, "FI-14": 415, "FI-05": 71, "FI-10": 177,
    "FI-01": 30,
    "IS-1": 245, "IS-2": 32, "IS-3": 17, "IS-4": 7, "IS-5": 7, "IS-6": 31, "IS-7": 11,
    "IS-8": 33,
}

# Real postal codes for when the reference file does not exist yet (with the towns' codes).
_FALLBACK_CODES = """
NO 0150 NO-03|NO 0354 NO-03|NO 0565 NO-03|NO 1337 NO-32|NO 5015 NO-46|NO 5009 NO-46
NO 7011 NO-50|NO 7030 NO-50|NO 9008 NO-55|NO 4006 NO-11|NO 4306 NO-11
SE 11152 SE-AB|SE 11433 SE-AB|SE 17163 SE-AB|SE 41103 SE-O|SE 41319 SE-O|SE 21122 SE-M
SE 22221 SE-M
DK 1050 DK-84|DK 2100 DK-84|DK 2300 DK-84|DK 8000 DK-82|DK 8200 DK-82|DK 5000 DK-83
FI 00100 FI-18|FI 00530 FI-18|FI 02100 FI-18|FI 33100 FI-11|FI 33500 FI-11|FI 20100 FI-19
IS 101 IS-1|IS 105 IS-1|IS 200 IS-1|IS 600 IS-6|IS 800 IS-8
"""


@dataclass(frozen=True)
class Town:
    """A town organizations are placed in."""

    country: str
    region: str
    name: str
    weight: float
    postal_code: str


@dataclass(frozen=True)
class Places:
    """Postal codes by country and region, towns, and region weights.

    ``codes[country]`` holds every known normalized postal code of the country and
    ``code_region[country]`` its region (aligned arrays); ``region_codes[country][region]``
    the codes of one region.
    """

    codes: dict[str, np.ndarray]
    code_region: dict[str, np.ndarray]
    region_codes: dict[str, dict[str, np.ndarray]]
    region_population: dict[str, float]
    towns: dict[str, list[Town]]
    from_reference: bool


def load_places(reference_dir: Path = REFERENCE_DIR) -> Places:
    """Read the reference postal codes and regions (or the built-in fallback)."""
    rows: list[tuple[str, str, str]] = []
    postal_file = reference_dir / "postal_codes.csv"
    from_reference = postal_file.exists()
    if from_reference:
        with postal_file.open(newline="", encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                if rec.get("region"):
                    rows.append((rec["country"], rec["postal_code"], rec["region"]))
    if not rows:
        from_reference = False
        for item in _FALLBACK_CODES.replace("\n", "|").split("|"):
            if item.strip():
                country, code, region = item.split()
                rows.append((country, code, region))
    population = {k: v * 1000.0 for k, v in _REGION_POPULATION.items()}
    regions_file = reference_dir / "regions.csv"
    if regions_file.exists():
        with regions_file.open(newline="", encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                if (rec.get("population") or "").strip():
                    population[rec["iso_3166_2"]] = float(rec["population"])
    rows.sort()
    codes: dict[str, np.ndarray] = {}
    code_region: dict[str, np.ndarray] = {}
    region_codes: dict[str, dict[str, np.ndarray]] = {}
    for country in ("NO", "SE", "DK", "FI", "IS"):
        mine = [(c, r) for k, c, r in rows if k == country]
        codes[country] = np.array([c for c, _ in mine], dtype=object)
        code_region[country] = np.array([r for _, r in mine], dtype=object)
        by_region: dict[str, list[str]] = {}
        for c, r in mine:
            by_region.setdefault(r, []).append(c)
        region_codes[country] = {r: np.array(v, dtype=object) for r, v in sorted(by_region.items())}
    towns: dict[str, list[Town]] = {}
    lookups = {k: dict(zip(codes[k], code_region[k], strict=True)) for k in codes}
    for line in _TOWNS.strip().splitlines():
        country, region, name, weight, code = line.split()
        known = region_codes[country]
        if from_reference:
            lookup = lookups[country]
            if code in lookup:
                region = lookup[code]
            elif region in known:
                code = str(known[region][0])
            else:
                continue
        if region not in known:
            # Fallback mode: a town whose region has no code yet still needs one.
            known[region] = np.array([code], dtype=object)
            codes[country] = np.append(codes[country], code)
            code_region[country] = np.append(code_region[country], region)
        towns.setdefault(country, []).append(
            Town(country, region, name.replace("_", " "), float(weight), code))
    return Places(codes, code_region, region_codes, population, towns, from_reference)
