"""Spreadsheet import of holdings: template, reading, row validation, bulk writing, jobs."""
