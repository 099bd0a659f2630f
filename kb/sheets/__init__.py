"""Spreadsheets in and out: templates, filled sheets and other people's matrices, reports."""

#: The workbooks ``kb report`` writes (:mod:`kb.sheets.report`), named here so that the command
#: line offers them without importing openpyxl.
REPORTS = ("overlaps", "gaps", "coverage", "cofunding")
