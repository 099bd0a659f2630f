"""Reading IATI XML: streamed, and hostile or broken files refused with one clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.errors import ImportFormatError
from kb.importers.iati.activity import read_activity
from kb.importers.iati.parse import iter_activities
from tests.iati.conftest import BAD, fixture


def read_all(path: Path) -> list[str]:
    return [element.findtext("iati-identifier") for _info, element in iter_activities(path)]


def test_iter_activities_yields_each_activity_with_the_root_version():
    seen = [
        (info.version, element.findtext("iati-identifier"))
        for info, element in iter_activities(fixture("dportal_92_excerpt.xml"))
    ]
    assert len(seen) == 7
    assert {version for version, _ in seen} == {"2.03"}


def test_iter_activities_clears_each_activity_once_the_next_is_asked_for():
    elements = []
    for _info, element in iter_activities(fixture("dportal_92_excerpt.xml")):
        assert len(element) > 0  # complete while the caller holds it
        elements.append(element)
    assert all(len(e) == 0 for e in elements)
    root = elements[-1].getroottree().getroot()
    assert len(root) <= 1  # earlier siblings removed: memory stays flat


def test_iter_activities_reports_progress_in_bytes():
    done = []
    path = fixture("dportal_92_excerpt.xml")
    list(iter_activities(path, on_progress=done.append))
    assert done == sorted(done) and 0 < done[-1] <= path.stat().st_size


def test_activities_in_a_namespace_are_read(tmp_path):
    path = tmp_path / "ns.xml"
    path.write_text(
        '<x:iati-activities xmlns:x="urn:example" version="2.03"><x:iati-activity>'
        "<x:iati-identifier>A-1</x:iati-identifier></x:iati-activity></x:iati-activities>"
    )
    assert [read_activity(e).identifier for _info, e in iter_activities(path)] == ["A-1"]


def test_a_file_without_activities_is_read_as_empty(tmp_path):
    path = tmp_path / "none.xml"
    path.write_text('<iati-activities version="2.03"/>')
    assert read_all(path) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("billion_laughs.xml", "entity"),
        ("external_entity.xml", "declares a DTD"),
        ("external_dtd.xml", "declares a DTD"),
        ("truncated.xml", "truncated"),
        ("not_xml.xml", "not XML"),
        ("empty.xml", "not XML: the file is empty"),
        ("not_iati.xml", "not IATI activity XML (root element <rss>"),
        ("organisation_file.xml", "an IATI organisation file"),
    ],
)
def test_bad_input_is_refused_with_one_line(name, message):
    with pytest.raises(ImportFormatError) as caught:
        read_all(BAD / name)
    text = str(caught.value)
    assert message in text and "\n" not in text
    assert text.startswith(name)


def test_billion_laughs_is_refused_without_expanding_its_entities():
    """How fast it is refused is a figure of ``python -m bench refusals``, not an assertion here."""
    with pytest.raises(ImportFormatError):
        read_all(BAD / "billion_laughs.xml")


def test_external_entity_is_never_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    path = tmp_path / "xxe.xml"
    path.write_text(
        f'<?xml version="1.0"?><!DOCTYPE iati-activities [<!ENTITY s SYSTEM "{secret.as_uri()}">]>'
        '<iati-activities version="2.03"><iati-activity><iati-identifier>&s;</iati-identifier>'
        "</iati-activity></iati-activities>"
    )
    with pytest.raises(ImportFormatError) as caught:
        read_all(path)
    assert "TOP-SECRET" not in str(caught.value)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ImportFormatError, match="cannot read"):
        read_all(tmp_path / "missing.xml")


def test_each_file_gets_its_own_error_not_the_previous_files():
    with pytest.raises(ImportFormatError):
        read_all(BAD / "not_xml.xml")
    with pytest.raises(ImportFormatError) as caught:
        read_all(BAD / "truncated.xml")
    assert "Start tag expected" not in str(caught.value) and "truncated" in str(caught.value)
