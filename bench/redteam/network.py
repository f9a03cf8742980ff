"""A seeded 60-organization Nordic network written as data-contract files.

Independent of ``warehouse/demo``: written from docs/data-contract.md. Organizations span the five
countries, with a few dominant members per country, several regions that hold 1-3 organizations
(one of them reached only by a touring theatre), varied organization types and per-organization
tickets-per-buyer and price profiles (so ratios differ between organizations). Two years of
purchases (2024-2025, local time, no offsets). A handful of deliberately bad rows (not a whole
number of tickets, unknown organization) exercise the rejects path.

``generate(out_dir, scale=1.0, seed=7)`` writes ``organizations.csv`` and ``transactions.csv`` and
returns their paths; ``scale=1.0`` gives about 400k transactions, tests use ``scale`` ≈ 0.06.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import random
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2] / "warehouse" / "reference" / "postal_codes.csv"

CURRENCY = {"NO": "NOK", "SE": "SEK", "DK": "DKK", "FI": "EUR", "IS": "ISK"}
UNITS_PER_EUR = {"NOK": 11.5, "SEK": 11.3, "DKK": 7.46, "EUR": 1.0, "ISK": 150.0}  # rough, for prices

# (country, region, org_type, weight, name stem). Weight sets the organization's size.
# Dominant members: weight >= 8. Regions with 1-3 organizations: NO-11, NO-42, NO-55, NO-50,
# SE-C, SE-AC, SE-E, DK-81, DK-83, FI-14, FI-10, FI-11, IS-6 (and NO-15, where only the touring
# theatre no-rtt plays).
ORGS: list[tuple[str, str, str, float, str]] = [
    # Norway (14)
    ("NO", "NO-03", "music", 12.0, "Oslo Filharmoniske Selskap"),
    ("NO", "NO-03", "theatre_performing_arts", 4.0, "Teater Grünerløkka"),
    ("NO", "NO-03", "film_screening", 2.5, "Kino Sagene"),
    ("NO", "NO-03", "festival", 3.0, "Øyafest"),
    ("NO", "NO-03", "museum_heritage", 1.5, "Byhistorisk Museum Oslo"),
    ("NO", "NO-46", "music", 5.0, "Bergen Konsertsal"),
    ("NO", "NO-46", "theatre_performing_arts", 2.0, "Vestlandsscenen"),
    ("NO", "NO-46", "sports", 3.0, "Brann Idrettslag"),
    ("NO", "NO-50", "theatre_performing_arts", 2.0, "Trøndelag Riksteater"),  # touring: NO-15 too
    ("NO", "NO-50", "sports", 2.5, "Rosenborg Sportsklubb"),
    ("NO", "NO-11", "festival", 1.5, "Stavanger Vinterfest"),
    ("NO", "NO-55", "music", 1.0, "Nordlysfestivalen Tromsø"),
    ("NO", "NO-42", "film_screening", 0.8, "Kristiansand Kino"),
    ("NO", "NO-34", "museum_heritage", 0.7, "Innlandet Friluftsmuseum"),
    # Sweden (16)
    ("SE", "SE-AB", "music", 10.0, "Stockholms Konserthusbolag"),
    ("SE", "SE-AB", "theatre_performing_arts", 6.0, "Kungliga Scenen"),
    ("SE", "SE-AB", "sports", 4.0, "Hammarby Idrottsförening"),
    ("SE", "SE-AB", "film_screening", 2.0, "Biografen Söder"),
    ("SE", "SE-AB", "museum_heritage", 2.0, "Stadsmuseet Stockholm"),
    ("SE", "SE-AB", "other", 1.0, "Föreläsningsföreningen"),
    ("SE", "SE-O", "music", 4.0, "Göteborgs Musikhus"),
    ("SE", "SE-O", "festival", 3.0, "Way Out Festival"),
    ("SE", "SE-O", "theatre_performing_arts", 1.5, "Backa Teater"),
    ("SE", "SE-M", "sports", 3.0, "Malmö Fotbollsklubb"),
    ("SE", "SE-M", "theatre_performing_arts", 1.5, "Malmö Stadsscen"),
    ("SE", "SE-M", "film_screening", 1.0, "Panora Bio"),
    ("SE", "SE-C", "music", 1.2, "Uppsala Konsertsal"),
    ("SE", "SE-AC", "festival", 1.0, "Umeå Jazzdagar"),
    ("SE", "SE-E", "museum_heritage", 0.8, "Östergötlands Länsmuseum"),
    ("SE", "SE-E", "sports", 1.2, "Linköpings Hockeyklubb"),
    # Denmark (12)
    ("DK", "DK-84", "music", 9.0, "Københavns Koncerthus"),
    ("DK", "DK-84", "theatre_performing_arts", 4.0, "Nørrebro Scene"),
    ("DK", "DK-84", "festival", 3.0, "Distortion Fest"),
    ("DK", "DK-84", "film_screening", 1.5, "Vester Bio"),
    ("DK", "DK-84", "sports", 3.0, "Brøndby Boldklub"),
    ("DK", "DK-84", "museum_heritage", 1.0, "Byens Museum"),
    ("DK", "DK-82", "music", 3.0, "Aarhus Musikhus"),
    ("DK", "DK-82", "festival", 2.0, "Aarhus Sommerfest"),
    ("DK", "DK-82", "theatre_performing_arts", 1.2, "Aarhus Teaterhus"),
    ("DK", "DK-83", "sports", 1.5, "Odense Boldklub"),
    ("DK", "DK-83", "film_screening", 0.7, "Odense Biograf"),
    ("DK", "DK-81", "music", 1.0, "Aalborg Koncertsal"),
    # Finland (12)
    ("FI", "FI-18", "music", 8.0, "Helsingin Musiikkitalo"),
    ("FI", "FI-18", "theatre_performing_arts", 3.0, "Kaupunginteatteri Helsinki"),
    ("FI", "FI-18", "sports", 3.0, "HIFK Urheiluseura"),
    ("FI", "FI-18", "festival", 2.0, "Flow Juhlat"),
    ("FI", "FI-18", "film_screening", 1.5, "Kino Kallio"),
    ("FI", "FI-18", "museum_heritage", 1.2, "Kaupunginmuseo"),
    ("FI", "FI-11", "theatre_performing_arts", 2.0, "Tampereen Työväen Teatteri"),
    ("FI", "FI-11", "sports", 2.0, "Tappara Ry"),
    ("FI", "FI-19", "music", 1.5, "Turun Konserttitalo"),
    ("FI", "FI-19", "festival", 1.5, "Ruisrock Juhlat"),
    ("FI", "FI-14", "music", 1.0, "Oulun Musiikkikeskus"),
    ("FI", "FI-10", "festival", 0.8, "Lapin Kesäjuhlat"),
    # Iceland (6)
    ("IS", "IS-1", "music", 4.0, "Harpa Tónleikahús"),
    ("IS", "IS-1", "theatre_performing_arts", 2.0, "Borgarleikhúsið"),
    ("IS", "IS-1", "festival", 1.5, "Airwaves Hátíð"),
    ("IS", "IS-1", "film_screening", 0.7, "Bíó Paradís"),
    ("IS", "IS-1", "sports", 1.0, "Knattspyrnufélag Reykjavíkur"),
    ("IS", "IS-6", "music", 0.8, "Menningarhúsið Hof"),
]
TOURING = {"no-008": "NO-15"}  # org -> a second region where only it plays (a share of its events)

# Event type, category, buyers per event (mean), title words per organization type.
PROFILE: dict[str, list[tuple[str, str, int, list[str]]]] = {
    "music": [("concert", "classical", 260, ["Symfoni nr.", "Requiem", "Kammerkonsert", "Sinfonia"]),
              ("concert", "pop_rock", 420, ["Tour", "Live", "Unplugged"]),
              ("concert", "jazz", 120, ["Jazz Night", "Big Band", "Trio"])],
    "theatre_performing_arts": [("play", "drama", 180, ["Hamlet", "Et dukkehjem", "Fröken Julie", "Peer Gynt"]),
                                ("play", "comedy", 150, ["Farse", "Komedie", "Revy"]),
                                ("play", "musical", 300, ["Musikal", "Cabaret", "Mamma Mia"]),
                                ("family_show", "children", 120, ["Barneforestilling", "Familieshow"])],
    "film_screening": [("screening", "feature_film", 45, ["Premiere", "Filmklubb", "Klassiker"]),
                       ("screening", "documentary", 30, ["Dokumentar", "Dokfilm"])],
    "festival": [("festival", "pop_rock", 1400, ["Festivalpass", "Dagpass"]),
                 ("festival", "electronic", 900, ["Klubbnatt", "Rave"])],
    "sports": [("sports_event", "football", 700, ["Seriekamp", "Cupkamp"]),
               ("sports_event", "handball", 250, ["Håndballkamp"]),
               ("sports_event", "ice_hockey", 450, ["Ishockeykamp"])],
    "museum_heritage": [("exhibition", "art", 350, ["Utstilling", "Retrospektiv"]),
                        ("exhibition", "history", 250, ["Historisk utstilling", "Vikingtid"])],
    "other": [("talk", "literature", 80, ["Forfattersamtale", "Foredrag"]),
              ("standup_comedy", "comedy", 150, ["Standup", "Humorkveld"])],
}
GENDER_CODES = {"NO": (["K", "kvinne", "F"], ["M", "mann"]), "SE": (["kvinna", "K"], ["man", "M"]),
                "DK": (["kvinde", "K"], ["mand", "M"]), "FI": (["nainen", "F"], ["mies", "M"]),
                "IS": (["female", "F"], ["male", "M"])}
START = dt.date(2024, 1, 1)
END = dt.date(2025, 12, 31)
FIRST_SALE = dt.datetime(2024, 1, 1, 7, 0)


@dataclasses.dataclass
class NetworkFiles:
    organizations: Path
    transactions: Path
    root: Path


def _postal_index() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    by_region: dict[str, list[str]] = {}
    by_country: dict[str, list[str]] = {}
    with REFERENCE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by_region.setdefault(row["region"], []).append(row["postal_code"])
            by_country.setdefault(row["country"], []).append(row["postal_code"])
    return by_region, by_country


def org_id(i: int) -> str:
    return f"{ORGS[i][0].lower()}-{i:03d}"


def generate(out_dir: Path | str, scale: float = 1.0, seed: int = 7) -> NetworkFiles:
    """Write the network's contract files into ``out_dir`` (deterministic for a seed and scale)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    orgs_path, tx_path = out / "organizations.csv", out / "transactions.csv"
    rng = random.Random(seed)
    by_region, by_country = _postal_index()
    total_w = sum(o[3] for o in ORGS)
    target_tx = 400_000 * scale

    with orgs_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["org_id", "name", "org_type", "country", "postal_code", "region"])
        for i, (country, region, otype, _wt, name) in enumerate(ORGS):
            spelled = {"theatre_performing_arts": "theatre"}.get(otype, otype) if i % 9 == 1 else otype
            postal = rng.choice(by_region[region])
            # Some organizations give only a postal code (the region then comes from it).
            w.writerow([org_id(i), name, spelled, country, postal, "" if i % 7 == 3 else region])

    with tx_path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["transaction_id", "org_id", "event_id", "event_name", "event_start", "venue_postal_code",
                    "event_type", "event_category", "purchased_at", "customer_id", "tickets", "amount",
                    "currency", "birth_year", "gender", "postal_code", "buyer_country"])
        for i, (country, region, otype, weight, name) in enumerate(ORGS):
            oid = org_id(i)
            orng = random.Random(f"{seed}:{oid}")
            n_tx = max(int(target_tx * weight / total_w), 60)
            tpb = orng.uniform(1.2, 3.6)  # the organization's tickets-per-buyer profile
            price_eur = orng.uniform(12, 140) if otype != "film_screening" else orng.uniform(9, 16)
            cur = CURRENCY[country]
            # Customers of this organization's ticketing system, with stable attributes.
            n_cust = max(int(n_tx * orng.uniform(0.35, 0.7)), 40)
            fem, male = GENDER_CODES[country]
            home = by_region[region]
            custs = []
            for c in range(n_cust):
                by = orng.randint(1938, 2012) if orng.random() > 0.05 else None
                g = orng.random()
                gender = orng.choice(fem) if g < 0.52 else orng.choice(male) if g < 0.96 else ""
                r = orng.random()
                if r < 0.02:  # a buyer from another Nordic country
                    bc = orng.choice([c2 for c2 in CURRENCY if c2 != country])
                    postal, bcountry = orng.choice(by_country[bc]), bc
                else:
                    postal = orng.choice(home) if r < 0.72 else orng.choice(by_country[country])
                    bcountry = ""
                if orng.random() < 0.02:
                    postal = ""
                custs.append((f"{oid[:2].upper()}{i:02d}-{c:06d}", by, gender, postal, bcountry))
            # Events: two years, sized by the profile's mean buyers.
            profiles = PROFILE[otype]
            mean_buyers = sum(p[2] for p in profiles) / len(profiles)
            size_factor = orng.uniform(0.5, 1.2) * min(1.0, max(scale * 3, 0.15))
            n_events = max(int(n_tx / 1.12 / (mean_buyers * size_factor)), 4)
            per_event = n_tx / 1.12 / n_events
            tid = 0
            for e in range(n_events):
                etype, ecat, _mb, words = profiles[e % len(profiles)] if e % 3 else orng.choice(profiles)
                day = START + dt.timedelta(days=orng.randint(10, (END - START).days - 1))
                hour = orng.choice([13, 18, 19, 19, 20])
                start = dt.datetime.combine(day, dt.time(hour, orng.choice([0, 30])))
                venue_region = region
                if oid in TOURING and e % 4 == 0:
                    venue_region = TOURING[oid]
                venue = orng.choice(by_region[venue_region])
                title = f"{orng.choice(words)} {name.split()[0]} {e + 1}"
                eid = f"E{i:02d}-{e:05d}"
                ev_price = price_eur * UNITS_PER_EUR[cur] * orng.uniform(0.7, 1.3)
                nb = max(1, int(orng.gammavariate(2.0, per_event / 2.0)))
                nb = min(nb, n_cust)
                sales_days = orng.randint(14, 120)
                for c in orng.sample(range(n_cust), nb):
                    cid, by, gender, postal, bcountry = custs[c]
                    anon = orng.random() < 0.01
                    n_t = max(1, min(10, int(orng.expovariate(1 / tpb)) + 1))
                    purchases = [n_t]
                    if orng.random() < 0.08:
                        purchases.append(orng.randint(1, 3))
                    if orng.random() < 0.03:
                        purchases.append(-orng.randint(1, sum(purchases)))
                    t0 = start - dt.timedelta(days=orng.uniform(0.05, sales_days))
                    if t0 < FIRST_SALE:
                        t0 = FIRST_SALE + dt.timedelta(minutes=orng.randint(0, 900))
                    t0 = min(t0, start - dt.timedelta(minutes=30))
                    for k, t in enumerate(purchases):
                        tid += 1
                        when = t0 + dt.timedelta(hours=k * orng.uniform(1, 200))
                        when = min(when, start - dt.timedelta(minutes=5))
                        amount = round(t * ev_price, 2)
                        currency = cur if orng.random() < 0.7 else ""
                        tickets: object = t
                        row_org = oid
                        if orng.random() < 0.0007:
                            tickets = "two"  # rejected: not a whole number
                        elif orng.random() < 0.0003:
                            row_org = "xx-999"  # rejected: unknown organization
                        w.writerow([f"T{tid:07d}", row_org, eid, title, start.isoformat(timespec="seconds"),
                                    venue, etype, ecat, when.isoformat(timespec="seconds"),
                                    "" if anon else cid, tickets, f"{amount:.2f}", currency,
                                    by if by is not None else "", gender, postal, bcountry])
    return NetworkFiles(orgs_path, tx_path, out)
