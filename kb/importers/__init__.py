"""Importers: files from outside (IATI XML, spreadsheets) turned into validated batches."""
