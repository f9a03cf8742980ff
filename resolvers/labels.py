"""Labels of dimension values in the five languages.

Bucket labels come from the semantic model; dynamic values (regions, the caller's own
organization and events) from the warehouse's value tables; date parts from here.

>>> weekday_label(1, "nb"), month_label(3, "fi"), hour_label(7)
('mandag', 'maaliskuu', '07:00')
"""

from __future__ import annotations

_WEEKDAYS = {
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "da": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "fi": ("maanantai", "tiistai", "keskiviikko", "torstai", "perjantai", "lauantai", "sunnuntai"),
}
_MONTHS = {
    "nb": ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "desember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"),
    "da": ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober", "november", "december"),
    "fi": ("tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu", "heinäkuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu"),
}
_QUARTER = {"nb": "kvartal", "en": "Q", "sv": "kvartal", "da": "kvartal", "fi": "neljännes"}


def language(locale: str | None) -> str:
    """The model language of a locale or Accept-Language value: ``nb-NO`` → ``nb``, ``no`` → ``nb``."""
    if not locale:
        return "en"
    first = locale.split(",")[0].split(";")[0].strip().lower().replace("_", "-")
    lang = first.split("-")[0]
    if lang in ("no", "nn", "nb"):
        return "nb"
    return lang if lang in _WEEKDAYS else "en"


def weekday_label(iso_weekday: int, lang: str) -> str:
    return _WEEKDAYS.get(lang, _WEEKDAYS["en"])[int(iso_weekday) - 1]


def month_label(month: int, lang: str) -> str:
    return _MONTHS.get(lang, _MONTHS["en"])[int(month) - 1]


def hour_label(hour: int) -> str:
    return f"{int(hour):02d}:00"


def period_label(iso_date: str, granularity: str, lang: str) -> str:
    """A bucket start date as people read it: ``mars 2025``, ``2025 Q1``, ``2025-03-03``."""
    year, month = int(iso_date[:4]), int(iso_date[5:7])
    if granularity == "month":
        return f"{month_label(month, lang)} {year}"
    if granularity == "quarter":
        q = (month - 1) // 3 + 1
        return f"{year} Q{q}" if lang == "en" else f"{q}. {_QUARTER.get(lang, 'Q')} {year}"
    if granularity == "year":
        return str(year)
    return iso_date
