"""The api package's docstring examples run (pytest's doctest collection covers kb/ and graph_schema/)."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("name", ["api.deps", "api.pages.render"])
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0 and result.attempted > 0
