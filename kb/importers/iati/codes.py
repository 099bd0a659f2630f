"""IATI codes: the shipped codelists, and the 1.0x words and letters as their 2.0x codes.

The codelists in ``codelists/`` (IATI Standard 2.03, CC BY 4.0) give the names of sectors and
countries and the codes the importer accepts. The 1.0x forms (roles as words, date types such
as ``start-planned``, transaction types as letters) never collide with the 2.0x numeric codes,
so both forms are accepted whatever version a file declares.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from lxml import etree

CODELIST_DIR = Path(__file__).with_name("codelists")

#: The six Western Balkans partners, as IATI country codes.
WB_PARTNERS = ("AL", "BA", "XK", "ME", "MK", "RS")

#: participating-org role: 1.0x word → 2.0x code.
ROLE_WORDS = {"funding": "1", "accountable": "2", "extending": "3", "implementing": "4"}
#: Role code → the word kept on IMPLEMENTS edges (1 gives a FUNDS edge instead).
ROLE_NAMES = {"1": "funding", "2": "accountable", "3": "extending", "4": "implementing"}

#: activity-date type: 1.0x word → 2.0x code (1 planned start, 2 actual start, 3 planned end, 4 actual end).
DATE_TYPE_WORDS = {"start-planned": "1", "start-actual": "2", "end-planned": "3", "end-actual": "4"}

#: transaction-type: 1.0x letter → 2.0x code.
TRANSACTION_TYPE_LETTERS = {
    "IF": "1",
    "C": "2",
    "D": "3",
    "E": "4",
    "IR": "5",
    "LR": "6",
    "R": "7",
    "QP": "8",
    "QS": "9",
    "CG": "10",
}
#: Transaction codes imported as amounts, and the FUNDS kind each becomes.
TRANSACTION_KINDS = {"2": "commitment", "3": "disbursement"}

#: activity-status code → Project status.
STATUS = {
    "1": "pipeline",
    "2": "implementation",
    "3": "finalisation",
    "4": "closed",
    "5": "cancelled",
    "6": "suspended",
}
#: activity-status words (1.0x names and 2.0x names, lower case) → code, for files that give only text.
STATUS_WORDS = {
    "pipeline/identification": "1",
    "pipeline": "1",
    "identification": "1",
    "implementation": "2",
    "completion": "3",
    "finalisation": "3",
    "post-completion": "4",
    "closed": "4",
    "cancelled": "5",
    "suspended": "6",
}

#: Sector vocabularies that mean DAC 5-digit codes: absent, 2.0x ``1``, 1.0x ``DAC``.
DAC5_VOCABULARIES = frozenset({"", "1", "DAC"})
_DAC5 = re.compile(r"^\d{5}$")

#: OrganisationType code → Organisation ``kind``.
ORG_KIND = {
    "10": "government",
    "11": "government",
    "15": "other",
    "21": "ngo",
    "22": "ngo",
    "23": "ngo",
    "24": "ngo",
    "30": "other",
    "40": "international",
    "60": "ngo",
    "70": "company",
    "71": "company",
    "72": "company",
    "73": "company",
    "80": "other",
    "90": "other",
}

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@functools.cache
def codelist(name: str) -> dict[str, str]:
    """Code → English name of one shipped codelist.

    >>> codelist("OrganisationRole")["4"]
    'Implementing'
    """
    root = etree.parse(str(CODELIST_DIR / f"{name}.xml"), _PARSER).getroot()
    names: dict[str, str] = {}
    for item in root.iter("codelist-item"):
        code = (item.findtext("code") or "").strip()
        label = ""
        for narrative in item.iterfind("name/narrative"):
            if narrative.get(_XML_LANG, "en").lower() == "en" and narrative.text:
                label = " ".join(narrative.text.split())
                break
        if code:
            names[code] = label or code
    return names


def sector_name(code: str) -> str:
    """The DAC sector's name, or ``""`` when the code is not in the codelist.

    >>> sector_name("15210")
    'Security system management and reform'
    """
    return codelist("Sector").get(code, "")


def country_name(code: str) -> str:
    """The country's name in the IATI codelist, or ``""``.

    >>> country_name("XK")
    'Kosovo'
    """
    return codelist("Country").get(code, "")


def is_dac5(code: str) -> bool:
    """Whether ``code`` has the form of a DAC 5-digit sector code."""
    return bool(_DAC5.match(code))


def role_code(value: str | None) -> str | None:
    """A participating-org role as its 2.0x code (``Funding`` → ``1``), or ``None`` if unknown.

    >>> role_code("Implementing"), role_code("2"), role_code("lead")
    ('4', '2', None)
    """
    if not value:
        return None
    value = value.strip()
    if value in ROLE_NAMES:
        return value
    return ROLE_WORDS.get(value.lower())


def date_type_code(value: str | None) -> str | None:
    """An activity-date type as its 2.0x code (``start-planned`` → ``1``).

    >>> date_type_code("end-actual"), date_type_code("3")
    ('4', '3')
    """
    if not value:
        return None
    value = value.strip()
    if value in ("1", "2", "3", "4"):
        return value
    return DATE_TYPE_WORDS.get(value.lower())


def transaction_type_code(value: str | None) -> str | None:
    """A transaction type as its 2.0x code (``C`` → ``2``, ``D`` → ``3``).

    >>> transaction_type_code("D"), transaction_type_code("2")
    ('3', '2')
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return value
    return TRANSACTION_TYPE_LETTERS.get(value.upper())


def status_code(code: str | None, text: str | None) -> str | None:
    """An activity-status as its code, from ``@code`` or, failing that, its words.

    >>> status_code(None, "Post-completion"), status_code("2", None), status_code("9", None)
    ('4', '2', None)
    """
    if code and code.strip() in STATUS:
        return code.strip()
    if text:
        return STATUS_WORDS.get(" ".join(text.split()).lower())
    return None


def version_family(version: str | None) -> str:
    """``"1"`` or ``"2"``: a missing version and ``1.0``/``1.00`` count as 1.0x.

    >>> version_family(None), version_family("1.00"), version_family("2.03")
    ('1', '1', '2')
    """
    return "2" if (version or "").strip().startswith("2") else "1"
