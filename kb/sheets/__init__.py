"""Spreadsheets in and out: templates, filled sheets and other people's matrices, reports."""
