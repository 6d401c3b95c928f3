"""Inputs: read and validate data/raw (the agreement as data and each year's files).

May import only evalkit's base modules (errors, paths, files, fmt, domain); never compute, report,
execution or publish. Nothing here writes under data/raw except new_year, on request.
"""
