"""Publish: what goes under reports/: which reports to make again, the records, the published
figures, the index, provenance and PDFs.

May import every other layer; nothing imports it but the workflow and the CLI.
"""
