"""One ``iati-activity`` element read into plain Python, 1.0x and 2.0x alike.

Reading never raises on bad content: what cannot be understood is recorded in
:attr:`Activity.problems` as ``(reason, detail)``, so the importer can apply its filters first
and decide afterwards whether the activity is skipped. Only direct children of the activity
are read (``result`` and ``document-link`` carry titles of their own).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

from lxml import etree

from kb.importers.iati import codes

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_ISO_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})")
_PARAGRAPHS = re.compile(r"[ \t\r\f\v]*\n\s*\n\s*")
_LINE_SPACES = re.compile(r"[ \t\r\f\v]+")

#: Skip reasons that are data errors (``--strict`` rejects the file for these).
ERROR_REASONS = frozenset(
    {
        "no_identifier",
        "unparseable_date",
        "inconsistent_dates",
        "missing_code",
        "unknown_code",
        "unparseable_value",
        "invalid_record",
    }
)

Text = tuple[str, str]  # (language, text)


@dataclass(slots=True)
class Org:
    """A participating, reporting or provider organisation as the file gives it."""

    ref: str | None
    names: list[Text]
    type: str | None = None
    role: str | None = None

    @property
    def name(self) -> str | None:
        return self.names[0][1] if self.names else None


@dataclass(slots=True)
class Money:
    """A budget or an imported transaction: one value in one currency."""

    kind: str  # budget | commitment | disbursement
    value: float
    currency: str | None
    start: dt.date | None
    end: dt.date | None
    provider: Org | None = None
    budget_type: str = "1"


@dataclass(slots=True)
class Activity:
    identifier: str | None = None
    version: str | None = None
    last_updated: str | None = None
    lang: str = ""
    default_currency: str | None = None
    titles: list[Text] = field(default_factory=list)
    descriptions: list[tuple[str, str, str]] = field(default_factory=list)  # (type, lang, text)
    status: str | None = None
    dates: dict[str, dt.date] = field(default_factory=dict)  # date-type code → date
    reporting_org: Org | None = None
    orgs: list[Org] = field(default_factory=list)
    countries: list[tuple[str, float | None]] = field(default_factory=list)
    transaction_countries: list[str] = field(default_factory=list)
    sectors: list[tuple[str, float | None]] = field(default_factory=list)
    transaction_sectors: list[str] = field(default_factory=list)
    budgets: list[Money] = field(default_factory=list)
    transactions: list[Money] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: ``related-activity`` links: (type code, iati-identifier); 1 parent, 2 child, 3 sibling.
    related: list[tuple[str, str]] = field(default_factory=list)

    def recipient_codes(self) -> list[str]:
        """Recipient countries: the activity's own, else those its transactions name."""
        if self.countries:
            return [c for c, _ in self.countries]
        return list(dict.fromkeys(self.transaction_countries))

    def sector_codes(self) -> list[str]:
        """DAC 5-digit sectors: the activity's own, else those its transactions name."""
        if self.sectors:
            return list(dict.fromkeys(c for c, _ in self.sectors))
        return list(dict.fromkeys(self.transaction_sectors))


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2] if tag[0] == "{" else tag


#: C1 control characters: in real IATI files, Windows-1252 punctuation read as Latin-1 (U+0092 for ’).
_C1 = re.compile("[\x80-\x9f]")


def _cp1252(match: re.Match[str]) -> str:
    """The character a Windows-1252 byte meant (``\x92`` → ``’``); nothing for the five it leaves undefined."""
    try:
        return match.group().encode("latin-1").decode("cp1252")
    except UnicodeDecodeError:
        return ""


def repair(text: str) -> str:
    """Text with Windows-1252 mojibake repaired, so a stray C1 control never reaches the store.

    >>> repair("Children\x92s rights \x96 phase II")
    'Children’s rights – phase II'
    """
    return text if text.isascii() else _C1.sub(_cp1252, text)


def _clean(text: str | None) -> str:
    return " ".join(repair(text).split()) if text else ""


def _clean_paragraphs(text: str | None) -> str:
    if not text:
        return ""
    text = repair(text)
    if "\n" not in text:
        return " ".join(text.split())
    text = _PARAGRAPHS.sub("\n\n", text.strip())
    return "\n".join(_LINE_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def texts(element: etree._Element, default_lang: str, *, paragraphs: bool = False) -> list[Text]:
    """The (language, text) pairs of an element: its ``narrative`` children (2.0x) or its own text (1.0x)."""
    lang = (element.get(XML_LANG) or default_lang).lower()
    clean = _clean_paragraphs if paragraphs else _clean
    found: list[Text] = []
    has_narratives = False
    for child in element.iterchildren("{*}narrative"):
        has_narratives = True
        text = clean(child.text)
        if text:
            found.append(((child.get(XML_LANG) or lang).lower(), text))
    if not has_narratives:
        text = clean(element.text)
        if text:
            found.append((lang, text))
    return found


def parse_date(value: str | None) -> dt.date | None:
    """An ISO date, or the date part of an ISO date-time; ``ValueError`` otherwise.

    >>> parse_date("2012-04-15"), parse_date("2014-09-10T07:15:37Z"), parse_date("")
    (datetime.date(2012, 4, 15), datetime.date(2014, 9, 10), None)
    """
    if value is None:
        return None
    if len(value) == 10 and value[4] == value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    if not value.strip():
        return None
    match = _ISO_DATE.match(value)
    if not match:
        raise ValueError(value)
    return dt.date.fromisoformat(match.group(1))


def parse_number(value: str | None) -> float | None:
    """A decimal number as IATI files write it (``-5e-10``, ``1000.50``); ``ValueError`` if not one."""
    if value is None or not value.strip():
        return None
    number = float(value.strip())
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _percentage(value: str | None) -> float | None:
    try:
        number = parse_number(value)
    except ValueError:
        return None
    if number is None or number < -0.01 or number > 100.01:
        return None
    return min(max(round(number, 4), 0.0), 100.0)


class _Reader:
    """Reads the children of one activity; one method per element that matters."""

    def __init__(self, element: etree._Element, file_version: str | None) -> None:
        self.a = Activity(lang=(element.get(XML_LANG) or "").lower())
        self.a.version = activity_version(element, file_version)
        self.a.last_updated = element.get("last-updated-datetime")
        currency = (element.get("default-currency") or "").strip().upper()
        self.a.default_currency = currency or None

    def problem(self, reason: str, detail: str) -> None:
        self.a.problems.append((reason, detail))

    def date(self, value: str | None, what: str) -> dt.date | None:
        try:
            return parse_date(value)
        except ValueError:
            self.problem("unparseable_date", f"{what}: {value!r}")
            return None

    def org(self, element: etree._Element) -> Org:
        ref = (element.get("ref") or "").strip() or None
        return Org(
            ref=ref, names=texts(element, self.a.lang), type=(element.get("type") or "").strip() or None
        )

    # -- elements -------------------------------------------------------------------------
    def iati_identifier(self, el: etree._Element) -> None:
        self.a.identifier = _clean(el.text) or None

    def reporting_org(self, el: etree._Element) -> None:
        self.a.reporting_org = self.org(el)

    def title(self, el: etree._Element) -> None:
        self.a.titles.extend(texts(el, self.a.lang))

    def description(self, el: etree._Element) -> None:
        kind = (el.get("type") or "1").strip()
        self.a.descriptions.extend(
            (kind, lang, text) for lang, text in texts(el, self.a.lang, paragraphs=True)
        )

    def participating_org(self, el: etree._Element) -> None:
        org = self.org(el)
        raw = el.get("role")
        org.role = codes.role_code(raw)
        if org.role is None:
            self.a.notes.append(f"participating-org without a known role ({raw!r})")
            return
        if org.ref or org.names:
            self.a.orgs.append(org)

    def related_activity(self, el: etree._Element) -> None:
        ref, kind = el.get("ref"), el.get("type")
        if ref and kind:  # some activities list hundreds: the common case stays cheap
            ref, kind = _clean(ref), kind.strip()
            if ref and kind:
                self.a.related.append((kind, ref))

    def activity_status(self, el: etree._Element) -> None:
        code = el.get("code")
        self.a.status = codes.status_code(code, el.text or " ".join(t for _, t in texts(el, self.a.lang)))
        if self.a.status is None:
            if code and code.strip():
                self.problem("unknown_code", f"activity-status {code.strip()!r}")
            else:
                self.problem("missing_code", "activity-status has no code")

    def activity_date(self, el: etree._Element) -> None:
        kind = codes.date_type_code(el.get("type"))
        if kind is None:
            self.a.notes.append(f"activity-date of unknown type {el.get('type')!r}")
            return
        value = el.get("iso-date")
        if not (value or "").strip():
            value = el.text  # 1.0x gave the date as text
        day = self.date(value, f"activity-date type {kind}")
        if day is not None and kind not in self.a.dates:
            self.a.dates[kind] = day

    def recipient_country(self, el: etree._Element) -> None:
        code = (el.get("code") or "").strip().upper()
        if not code:
            self.a.notes.append("recipient-country without a code")
        elif not codes.country_name(code):
            self.a.notes.append(f"recipient-country with an unknown code {code!r}")
        else:
            self.a.countries.append((code, _percentage(el.get("percentage"))))

    def sector(self, el: etree._Element) -> None:
        code = _dac5(el)
        if code:
            self.a.sectors.append((code, _percentage(el.get("percentage"))))

    def budget(self, el: etree._Element) -> None:
        start = end = None
        value_el = None
        for child in el:
            name = _local(child.tag)
            if name == "period-start":
                start = self.date(child.get("iso-date") or child.text, "budget period-start")
            elif name == "period-end":
                end = self.date(child.get("iso-date") or child.text, "budget period-end")
            elif name == "value":
                value_el = child
        money = self.value(value_el, "budget", start, end)
        if money is not None:
            money.budget_type = (el.get("type") or "1").strip()
            self.a.budgets.append(money)

    def transaction(self, el: etree._Element) -> None:
        kind_code = day = value_el = provider = None
        for child in el:
            name = _local(child.tag)
            if name == "transaction-type":
                kind_code = codes.transaction_type_code(child.get("code"))
            elif name == "transaction-date":
                day = self.date(child.get("iso-date") or child.text, "transaction-date")
            elif name == "value":
                value_el = child
            elif name == "provider-org":
                provider = self.org(child)
            elif name == "recipient-country":
                code = (child.get("code") or "").strip().upper()
                if codes.country_name(code):
                    self.a.transaction_countries.append(code)
            elif name == "sector":
                code = _dac5(child)
                if code:
                    self.a.transaction_sectors.append(code)
        kind = codes.TRANSACTION_KINDS.get(kind_code or "")
        if kind is None:
            return
        if day is None and value_el is not None:
            day = self.date(value_el.get("value-date"), "transaction value-date")
        money = self.value(value_el, kind, day, day)
        if money is not None:
            if provider is not None and (provider.ref or provider.names):
                money.provider = provider
            self.a.transactions.append(money)

    def value(
        self, el: etree._Element | None, kind: str, start: dt.date | None, end: dt.date | None
    ) -> Money | None:
        if el is None:
            return None
        try:
            number = parse_number(el.text)
        except ValueError:
            self.problem("unparseable_value", f"{kind} value {el.text!r}")
            return None
        if number is None:
            return None
        currency = (el.get("currency") or "").strip().upper() or self.a.default_currency
        if currency is None:
            self.problem(
                "missing_code", f"{kind} value {el.text.strip()!r} has no currency and no default-currency"
            )
            return None
        if currency not in codes.codelist("Currency"):
            self.problem("unknown_code", f"currency {currency!r}")
            return None
        return Money(kind=kind, value=number, currency=currency, start=start, end=end)


def _dac5(el: etree._Element) -> str | None:
    vocabulary = (el.get("vocabulary") or el.get("vocab") or "").strip().upper()
    code = (el.get("code") or "").strip()
    if vocabulary in codes.DAC5_VOCABULARIES and codes.is_dac5(code):
        return code
    return None


def _namespaced_version(element: etree._Element) -> str | None:
    """A ``version`` attribute in some other namespace (d-portal keeps the original version so)."""
    for name, value in element.attrib.items():
        if name[0] == "{" and name.endswith("}version"):
            return value
    return None


_HANDLERS = {
    "iati-identifier": _Reader.iati_identifier,
    "reporting-org": _Reader.reporting_org,
    "title": _Reader.title,
    "description": _Reader.description,
    "participating-org": _Reader.participating_org,
    "activity-status": _Reader.activity_status,
    "activity-date": _Reader.activity_date,
    "recipient-country": _Reader.recipient_country,
    "sector": _Reader.sector,
    "budget": _Reader.budget,
    "transaction": _Reader.transaction,
    "related-activity": _Reader.related_activity,
}

_ANY_NAMESPACE = tuple("{*}" + tag for tag in _HANDLERS)


def read_activity(element: etree._Element, file_version: str | None = None) -> Activity:
    """Read one ``iati-activity`` element (never raises on bad content; see ``problems``)."""
    reader = _Reader(element, file_version)
    namespaced = element.tag[0] == "{"
    for child in element.iterchildren(*(_ANY_NAMESPACE if namespaced else _HANDLERS)):  # filtered in C
        handler = _HANDLERS[_local(child.tag) if namespaced else child.tag]
        handler(reader, child)
    if reader.a.status is None and not any("activity-status" in d for _, d in reader.a.problems):
        reader.problem("missing_code", "no activity-status")
    return reader.a


def activity_version(element: etree._Element, file_version: str | None) -> str | None:
    """The version an activity follows: its own ``@version``, a namespaced one, else the file's."""
    return element.get("version") or _namespaced_version(element) or file_version


def identifier_of(element: etree._Element) -> str | None:
    """The activity's ``iati-identifier``, read without reading the rest."""
    return _clean(element.findtext("{*}iati-identifier")) or None


def recipients_of(element: etree._Element) -> list[str]:
    """Recipient country codes as :meth:`Activity.recipient_codes` gives them, without reading the rest.

    Lets the importer apply the country filter before the full read.
    """
    known = codes.codelist("Country")
    found = [
        c
        for c in ((e.get("code") or "").strip().upper() for e in element.iterfind("{*}recipient-country"))
        if c in known
    ]
    if found:
        return found
    in_transactions = (
        (e.get("code") or "").strip().upper() for e in element.iterfind("{*}transaction/{*}recipient-country")
    )
    return list(dict.fromkeys(c for c in in_transactions if c in known))
