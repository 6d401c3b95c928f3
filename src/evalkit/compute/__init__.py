"""Compute: indicators, statistics and disclosure control as pure functions, and the build
that writes data/processed.

May import the base modules and evalkit.inputs; never report, execution or publish.
"""
