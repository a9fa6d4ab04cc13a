"""Find date expressions in German, English and Russian text and resolve them to calendar dates.

Explicit dates ("6. Dezember 2024", "June 19, 2024", "19 июня 2024 г.", "6 дек. 2024", "2024-12-06",
"11.04.2023"), months and years ("im Juni 2024", "mid-October", "в 2025 году") and relative
expressions ("am Freitag", "last month", "last June", "в прошлом месяце"; "kürzlich", "recently",
"недавно" at year precision) resolved against a reference date
(the publication date). Without a reference date, expressions that need one resolve to nothing:
the pipeline never guesses today's date. All languages' month names are tried on every text,
because scraped news mixes languages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS: dict[int, tuple[str, ...]] = {
    1: ("januar", "jänner", "january", "jan", "январь", "января", "январе", "янв"),
    2: ("februar", "february", "feb", "февраль", "февраля", "феврале", "фев"),
    3: ("märz", "maerz", "march", "mär", "mar", "март", "марта", "марте"),
    4: ("april", "apr", "апрель", "апреля", "апреле", "апр"),
    5: ("mai", "may", "май", "мая", "мае"),
    6: ("juni", "june", "jun", "июнь", "июня", "июне"),
    7: ("juli", "july", "jul", "июль", "июля", "июле"),
    8: ("august", "aug", "август", "августа", "августе", "авг"),
    9: ("september", "sept", "sep", "сентябрь", "сентября", "сентябре", "сент", "сен"),
    10: ("oktober", "october", "okt", "oct", "октябрь", "октября", "октябре", "окт"),
    11: ("november", "nov", "ноябрь", "ноября", "ноябре", "нояб", "ноя"),
    12: ("dezember", "december", "dez", "dec", "декабрь", "декабря", "декабре", "дек"),
}
MONTH_BY_NAME = {name: number for number, names in _MONTHS.items() for name in names}
# English month names that are also common words: only capitalised they are months.
_AMBIGUOUS_MONTHS = {"may", "march", "mar", "jan", "dec"}
_WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("montag", "monday", "понедельник"), 0),
    **dict.fromkeys(("dienstag", "tuesday", "вторник"), 1),
    **dict.fromkeys(("mittwoch", "wednesday", "среда", "среду"), 2),
    **dict.fromkeys(("donnerstag", "thursday", "четверг"), 3),
    **dict.fromkeys(("freitag", "friday", "пятница", "пятницу"), 4),
    **dict.fromkeys(("samstag", "sonnabend", "saturday", "суббота", "субботу"), 5),
    **dict.fromkeys(("sonntag", "sunday", "воскресенье"), 6),
}

# Words after which a four-digit number is a year.
_YEAR_CUES = (
    "im jahr",
    "im jahre",
    "jahr",
    "jahres",
    "in",
    "im",
    "seit",
    "bis",
    "ab",
    "von",
    "vom",
    "anfang",
    "ende",
    "mitte",
    "frühjahr",
    "sommer",
    "herbst",
    "winter",
    "jahreshälfte",
    "quartal",
    "since",
    "by",
    "until",
    "of",
    "early",
    "late",
    "mid",
    "from",
    "during",
    "spring",
    "summer",
    "autumn",
    "fall",
    "half",
    "quarter",
    "в",
    "во",
    "с",
    "до",
    "к",
    "по",
    "начале",
    "конце",
    "середине",
    "весной",
    "летом",
    "осенью",
    "зимой",
    "году",
)
_MONTH_RE = "|".join(sorted((re.escape(name) for name in MONTH_BY_NAME), key=len, reverse=True))
_WEEKDAY_RE = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))
# A year is not followed by a digit or a letter (Russian "2024г." is the exception).
_YEAR = r"(?P<year>(?:19|20)\d{2})(?![^\W_г])"
_B = r"(?<![\w.])"  # no letter, digit or dot before: "30.000" is no date

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        ("iso", _B + r"(?P<year>(?:19|20)\d{2})-(?P<month>\d{1,2})-(?P<day>\d{1,2})(?!\d)"),
        ("numeric", _B + r"(?P<day>\d{1,2})\.\s?(?P<month>\d{1,2})\.\s?(?P<year>(?:19|20)\d{2})(?!\d)"),
        # 6. Dezember 2024 / 6 декабря 2024 г. / 6 December 2024 / am 6. April
        (
            "day_month",
            _B + r"(?P<day>\d{1,2})\.?\s+(?P<month_name>" + _MONTH_RE + r")\.?(?:\s+" + _YEAR + r")?(?!\w)",
        ),
        # December 6, 2024 / Dec. 6 / June 19th
        (
            "month_day",
            r"(?<!\w)(?P<month_name>"
            + _MONTH_RE
            + r")\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?!\d)(?:,?\s+"
            + _YEAR
            + r")?",
        ),
        # Mitte Oktober / Anfang Dezember / mid-October / late June / в середине октября
        (
            "mid_month",
            r"(?<!\w)(?:mitte|anfang|ende|mid-?|early|late|в середине|в начале|в конце)\s*(?P<month_name>"
            + _MONTH_RE
            + r")(?:\s+"
            + _YEAR
            + r")?(?!\w)",
        ),
        # Juni 2024 / June 2024 / июне 2024
        ("month_year", r"(?<!\w)(?P<month_name>" + _MONTH_RE + r")\.?\s+" + _YEAR),
        # last June / im vergangenen Juni / в прошлом июне: the latest such month before the reference
        (
            "last_month_name",
            r"(?<!\w)(?:last|im vergangenen|im letzten|vergangenen|letzten|в прошлом|в минувшем)\s+(?P<month_name>"
            + _MONTH_RE
            + r")(?!\w)",
        ),
        # a month alone after a preposition: in October / im Juli / seit März / в июле
        (
            "month",
            r"(?<!\w)(?:in|im|seit|since|during|until|bis|ab|в|во|с|до|к)\s+(?P<month_name>"
            + _MONTH_RE
            + r")(?!\w)(?!\.?\s*\d)",
        ),
        # weekday: am Freitag / on Monday / в пятницу
        # also German day parts: "am Mittwochabend", "Dienstagmorgen"
        (
            "weekday",
            r"(?<!\w)(?P<weekday>"
            + _WEEKDAY_RE
            + r")(?:abend|morgen|nachmittag|vormittag|mittag|nacht)?(?!\w)",
        ),
        (
            "relative_month",
            r"(?<!\w)(?:im vergangenen monat|im letzten monat|vergangenen monat|letzten monat|last month|в прошлом месяце|в минувшем месяце)(?!\w)",
        ),
        (
            "relative_year",
            r"(?<!\w)(?:im vergangenen jahr|im letzten jahr|vergangenes jahr|letztes jahr|last year|в прошлом году|в минувшем году)(?!\w)",
        ),
        ("relative_day", r"(?<!\w)(?P<rel>gestern|heute|yesterday|today|вчера|сегодня)(?!\w)"),
        # kürzlich / recently / недавно: the publication year, no more precise than that
        ("recent", r"(?<!\w)(?:kürzlich|jüngst|vor kurzem|neulich|recently|недавно|на днях)(?!\w)"),
        # A bare year needs a word that makes it one ("im Jahr 2022", "since 2014", "в 2022 году"):
        # "rund 2000 Soldaten" is a number.
        ("year", r"(?<!\w)(?:" + "|".join(_YEAR_CUES) + r")\s+" + _YEAR + r"(?![.,]?\d)"),
        ("year", r"(?<![\w.])" + _YEAR + r"(?=\s*(?:г\.|года?|году|годом|jahr|year)(?!\w))"),
    )
)


@dataclass(frozen=True)
class DateMention:
    """A date expression found in text and what it resolves to."""

    start: int
    end: int
    text: str
    value: date | None
    precision: str | None  # "day", "month", "year"


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _infer_year(month: int, day: int, reference: date | None) -> int | None:
    """A day and month without a year lie in the year before the reference, not after it."""
    if reference is None:
        return None
    candidate = _safe_date(reference.year, month, day)
    if candidate is not None and candidate > reference + timedelta(days=7):
        return reference.year - 1
    return reference.year


def _resolve(kind: str, match: re.Match[str], reference: date | None) -> tuple[date | None, str | None]:
    groups = match.groupdict()
    year = int(groups["year"]) if groups.get("year") else None
    if kind in ("iso", "numeric"):
        return _safe_date(year, int(groups["month"]), int(groups["day"])), "day"
    if kind in ("day_month", "month_day"):
        month = MONTH_BY_NAME[groups["month_name"].lower()]
        day = int(groups["day"])
        year = year or _infer_year(month, day, reference)
        return (_safe_date(year, month, day), "day") if year else (None, None)
    if kind == "last_month_name":
        if reference is None:
            return None, None
        month = MONTH_BY_NAME[groups["month_name"].lower()]
        year = reference.year if month < reference.month else reference.year - 1
        return date(year, month, 1), "month"
    if kind in ("mid_month", "month_year", "month"):
        month = MONTH_BY_NAME[groups["month_name"].lower()]
        year = year or _infer_year(month, 1, reference)
        return (_safe_date(year, month, 1), "month") if year else (None, None)
    if kind == "year":
        return date(year, 1, 1), "year"
    if reference is None:
        return None, None
    if kind == "weekday":
        back = (reference.weekday() - _WEEKDAYS[groups["weekday"].lower()]) % 7
        return reference - timedelta(days=back), "day"
    if kind == "relative_month":
        last = reference.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), "month"
    if kind == "recent":
        return date(reference.year, 1, 1), "year"
    if kind == "relative_year":
        return date(reference.year - 1, 1, 1), "year"
    rel = groups["rel"].lower()
    offset = 1 if rel in ("gestern", "yesterday", "вчера") else 0
    return reference - timedelta(days=offset), "day"


def find_dates(text: str, reference: date | None = None) -> list[DateMention]:
    """All date expressions in ``text``, most specific first where they overlap, in text order."""
    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            name = match.groupdict().get("month_name")
            if name and name.lower() in _AMBIGUOUS_MONTHS and not name[0].isupper():
                continue
            value, precision = _resolve(kind, match, reference)
            taken.append((start, end))
            found.append(DateMention(start, end, match.group(0), value, precision))
    return sorted(found, key=lambda mention: mention.start)
