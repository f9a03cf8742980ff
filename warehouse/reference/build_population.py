"""Build ``population.csv`` and the ``population`` column of ``regions.csv``.

The region totals below are **facts copied by hand** from the sources named beside each
batch (statistics offices, read through the pages named in ``SOURCES.md``); nothing here
is estimated. A region whose figure could not be read from a source is left out (its
``population`` in ``regions.csv`` stays empty) rather than guessed: see ``MISSING``. Where a
country's regions come at different reference dates each row carries its own ``year`` and
``source``: see ``MIXED_DATES``.

The age x gender rows are **SYNTHETIC**. No source at hand publishes population per region
(or even per country) in the project's age buckets (0-17, 18-24, ... 75+; single years of
age would be needed), so every region total is split by a fixed, documented structure:
uniform by year of age over ages 0-89 (so ``0-17`` gets 18/90 of the total, ``75+`` gets
15/90, every ten-year bucket 10/90, ``18-24`` 7/90) and 50/50 by sex. Counts are integers
by largest remainder, so the 16 rows of a region sum exactly to its total. The rows carry
``source = SYNTHETIC: ...``; an operator replaces them with licensed data in the same
format (one row per region, age group and gender).

Rebuild (standard library only; rewrites ``population.csv`` and the ``population`` column
of ``regions.csv``, leaving every other column as it is)::

    .venv/bin/python warehouse/reference/build_population.py
    .venv/bin/python warehouse/reference/build_population.py --check   # no writes; exit 1 if stale
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = ("country", "region", "age_group", "gender", "population", "year", "source")

#: The project's age buckets (``warehouse.ddl.AGE_GROUPS`` without ``unknown``) with the
#: number of single years of age each covers in the synthetic structure (ages 0-89).
AGE_YEARS: dict[str, int] = {
    "0-17": 18, "18-24": 7, "25-34": 10, "35-44": 10, "45-54": 10, "55-64": 10,
    "65-74": 10, "75+": 15,
}
GENDERS = ("female", "male")

SYNTHETIC_SOURCE = ("SYNTHETIC: region total split uniformly by year of age 0-89 and 50/50 "
                    "by sex (build_population.py); not official statistics")

#: Batches of (country, year, source, {ISO 3166-2 region: population}), copied from the
#: sources. A country may have several batches when no single page gave all its regions at
#: one date (SE); every row of ``population.csv`` then carries its own year and source.
TOTALS: list[tuple[str, int, str, dict[str, int]]] = [
    # SSB, population 1 January 2024 by fylke (2024 structure); the 15 sum to SSB's
    # national figure 5,550,203 for 1 January 2024.
    ("NO", 2024, "Statistics Norway (SSB), population 1 January 2024", {
        "NO-03": 717710, "NO-11": 499417, "NO-15": 270624, "NO-18": 243081,
        "NO-31": 312152, "NO-32": 728803, "NO-33": 269819, "NO-34": 376304,
        "NO-39": 256432, "NO-40": 177093, "NO-42": 319850, "NO-46": 651299,
        "NO-50": 482956, "NO-55": 169610, "NO-56": 75053,
    }),
    # Danmarks Statistik, Statistikbanken (FOLK1A), 2024 as tabled in Wikipedia (nl)
    # "Regio's van Denemarken" ("Inwonertal 2024. Bron: Danmarks Statistik/Statistikbanken");
    # the page does not name the quarter. The five sum to its national 5,961,249.
    ("DK", 2024, "Statistics Denmark (Statistikbanken FOLK1A), 2024; quarter not stated "
                 "by the page read", {
        "DK-81": 593135, "DK-82": 1365688, "DK-83": 1238406, "DK-84": 1911067,
        "DK-85": 852953,
    }),
    # Hagstofa Islands, population 1 January 2024 by landshluti: IS-1..IS-6 as tabled in
    # Wikipedia (en) "Regions of Iceland" (Population 2024; IS-6 also on citypopulation.de,
    # 2024-01-01, source Statistics Iceland); IS-7 from the Wikipedia (en) "Eastern Region
    # (Iceland)" infobox (Population 2024, citing Statistics Iceland "Inhabitants -
    # Municipalities and urban nuclei", 1 January 2024); IS-8 from Wikipedia (en) "Southern
    # Region (Iceland)" ("34,076 (1 January 2024)"). The eight sum exactly to Hagstofa's
    # national 383,726 (news of 21 March 2024).
    ("IS", 2024, "Statistics Iceland (Hagstofa), population 1 January 2024", {
        "IS-1": 244177, "IS-2": 30933, "IS-3": 17419, "IS-4": 7168, "IS-5": 7294,
        "IS-6": 31574, "IS-7": 11085, "IS-8": 34076,
    }),
    # SCB, "Folkmängd i riket, län och kommuner 31 december 2024" (riket 10,587,710).
    ("SE", 2024, "Statistics Sweden (SCB), population 31 December 2024", {
        "SE-AB": 2473307,
    }),
    # SE, 31 December 2024 (SCB), one län per page read (see SOURCES.md for the addresses):
    # citypopulation.de county tables, column "Population Estimate 2024-12-31", "Source:
    # Statistiska Centralbyrån" (Blekinge, Dalarna on the Sweden page; Jönköping, Jämtland
    # on their county pages).
    ("SE", 2024, "Statistics Sweden (SCB), population 31 December 2024, as tabled on "
                 "citypopulation.de", {
        "SE-K": 157223, "SE-W": 286546, "SE-F": 370009, "SE-Z": 132839,
    }),
    # Wikipedia (de) län infoboxes "Einwohner: ... (31. Dezember 2024)", citing SCB
    # "Folkmängd i riket, län och kommuner 31 december 2024"; each total equals the sum of the
    # municipality figures (Stand 31. Dezember 2024) on the same page.
    ("SE", 2024, "Statistics Sweden (SCB), population 31 December 2024, as given by "
                 "Wikipedia (de)", {
        "SE-E": 472446, "SE-G": 203351, "SE-T": 308375, "SE-U": 281158,
    }),
    # RegionFakta (pages updated 21 February 2025, "Källa: Statistiska centralbyrån"):
    # Västerbotten from "Förändring av folkmängden 2023-2024" (column 2024; riket 10,587,710);
    # Västra Götaland from the header of its "Befolkningsförändring 25 år" page (table
    # 1999-2024), the same figure as on ekonomifakta.se.
    ("SE", 2024, "Statistics Sweden (SCB), population 31 December 2024, as given by "
                 "RegionFakta", {
        "SE-AC": 281138, "SE-O": 1772821,
    }),
    # News reports of SCB's 2024 year-end figures: svt.se ("I Kalmar län bor numera 246 352
    # personer", table "Befolkning per kommun i Kalmar och Kronoberg 2024-12-31");
    # haboportalen.se ("I hela Uppsala län bor nu 407 912 personer", SCB 2024 figures).
    ("SE", 2024, "Statistics Sweden (SCB), population 31 December 2024, as reported by "
                 "SVT / Håboportalen", {
        "SE-H": 246352, "SE-C": 407912,
    }),
    # SE, 31 December 2023 (SCB): no page with these eight län at 31 December 2024 was read.
    # Wikipedia (en) county infoboxes "Population (31 December 2023)" (Södermanland, Gotland,
    # Gävleborg, Västernorrland; Gotland also = the women + men of RegionFakta's 2023-12-31
    # age table, 30,632 + 30,397); Region Halland press release of 22 February 2024 ("Den 31
    # december 2023 hade Hallands län 343 746 invånare"); Region Skåne ("Under 2023 ökade
    # befolkning ... till den totala folkmängden 1 421 781"); RegionFakta, source SCB
    # (Värmland "Folkmängd 31 december 2023"; Norrbotten, column 2023 of "Förändring av
    # folkmängden under 25 år, 1998-2023").
    ("SE", 2023, "Statistics Sweden (SCB), population 31 December 2023 (no 2024 figure "
                 "read for this län)", {
        "SE-D": 301944, "SE-I": 61029, "SE-X": 285642, "SE-Y": 242148, "SE-N": 343746,
        "SE-M": 1421781, "SE-S": 283548, "SE-BD": 248480,
    }),
]

#: Countries whose regions carry more than one reference date (each row says which).
MIXED_DATES: dict[str, str] = {
    "SE": "13 län at 31 December 2024, 8 län (D, I, M, N, S, X, Y, BD) at 31 December 2023",
}

#: Regions without a sourced figure yet (no page with a stated date and publisher was read):
#: left empty, never guessed.
MISSING: dict[str, str] = {
    "FI": "all 19 maakunnat: no page tabling them at one date, with Statistics Finland named, "
          "was read (see SOURCES.md for the partial leads not used)",
}


def _figures() -> dict[tuple[str, str], tuple[int, int, str]]:
    """(country, region) -> (population, year, source), checking no region is given twice."""
    out: dict[tuple[str, str], tuple[int, int, str]] = {}
    for country, year, source, figures in TOTALS:
        for region, total in figures.items():
            if (country, region) in out:
                raise SystemExit(f"{region} is given twice in TOTALS")
            out[(country, region)] = (total, year, source)
    return out


def split(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` by largest remainder (sums exactly).

    >>> split(10, [1, 1, 1])
    [4, 3, 3]
    >>> sum(split(717710, [18, 7, 10, 10, 10, 10, 10, 15]))
    717710
    """
    whole = sum(weights)
    exact = [total * w for w in weights]
    counts = [e // whole for e in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] % whole), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def rows(region_order: list[tuple[str, str]]) -> list[tuple[str, ...]]:
    """The rows of ``population.csv`` in the order of ``regions.csv``."""
    figures = _figures()
    out: list[tuple[str, ...]] = []
    for country, region in region_order:
        if (country, region) not in figures:
            continue
        total, year, source = figures[(country, region)]
        out.append((country, region, "all", "all", str(total), str(year), source))
        cells = [(age, gender) for age in AGE_YEARS for gender in GENDERS]
        counts = split(total, [AGE_YEARS[age] for age, _ in cells])
        out += [(country, region, age, gender, str(n), str(year), SYNTHETIC_SOURCE)
                for (age, gender), n in zip(cells, counts, strict=True)]
    return out


def _csv(header: tuple[str, ...] | list[str], body: list[tuple[str, ...]] | list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(body)
    return buf.getvalue()


def build(reference_dir: Path = HERE) -> dict[Path, str]:
    """The new text of ``population.csv`` and ``regions.csv``."""
    with open(reference_dir / "regions.csv", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        regions = list(reader)
    known = {(r[0], r[1]) for r in regions}
    figures = _figures()
    unknown = set(figures) - known
    if unknown:
        raise SystemExit(f"regions not in regions.csv: {sorted(unknown)}")
    pop = header.index("population")
    for r in regions:
        r[pop] = str(figures[(r[0], r[1])][0]) if (r[0], r[1]) in figures else ""
    return {
        reference_dir / "population.csv": _csv(HEADER, rows([(r[0], r[1]) for r in regions])),
        reference_dir / "regions.csv": _csv(header, regions),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a file differs from the build")
    args = parser.parse_args(argv)
    stale = []
    for path, text in build().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path.name)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("stale: " + ", ".join(stale), file=sys.stderr)
        return 1
    print(("stale: " if args.check else "written: ") + (", ".join(stale) or "nothing"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
