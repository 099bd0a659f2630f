"""IATI activity XML (versions 1.0x and 2.0x) imported as projects, funders, implementers and amounts.

Modules: :mod:`~kb.importers.iati.parse` (safe streaming), :mod:`~kb.importers.iati.activity`
(one activity read into plain Python), :mod:`~kb.importers.iati.codes` (codelists, 1.0x → 2.0x),
:mod:`~kb.importers.iati.pillars` (pillar rules, a data file), :mod:`~kb.importers.iati.orgs`
(organisations and countries), :mod:`~kb.importers.iati.mapping` (activity → records),
:mod:`~kb.importers.iati.importer` (the run) and :mod:`~kb.importers.iati.report`.
The mapping is documented in ``docs/iati-mapping.md``.
"""

from kb.importers.iati.importer import IatiImport, Options, collect_files, parse_countries, run_import
from kb.importers.iati.report import Report

__all__ = ["IatiImport", "Options", "Report", "collect_files", "parse_countries", "run_import"]
