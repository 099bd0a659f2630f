"""docs/iati-mapping.md keeps up with the code: reasons, options, rule and alias file keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.cli.iati import import_iati
from kb.importers.iati.activity import ERROR_REASONS
from kb.importers.iati.orgs import AliasFile
from kb.importers.iati.pillars import RuleFile
from kb.importers.iati.report import REASONS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "iati-mapping.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_every_skip_reason_is_documented(reason):
    assert f"`{reason}`" in DOC


def test_every_error_reason_has_a_meaning():
    assert ERROR_REASONS <= set(REASONS)


@pytest.mark.parametrize(
    "option", ["--countries", "--all-countries", "--all-sectors", "--strict", "--json", "--pillar-rules"]
)
def test_every_option_is_documented(option):
    assert option in DOC


def test_the_documented_options_are_the_commands_options():
    import inspect

    names = set(inspect.signature(import_iati).parameters) - {"ctx", "paths", "as_json"}
    assert names == {"countries", "all_countries", "all_sectors", "strict", "pillar_rules"}


@pytest.mark.parametrize("key", sorted(RuleFile.model_fields))
def test_every_rule_file_key_is_documented(key):
    assert f"{key}:" in DOC


@pytest.mark.parametrize("key", sorted(AliasFile.model_fields))
def test_every_alias_file_key_is_documented(key):
    assert f"`{key}:`" in DOC
