"""Execution: run a report notebook on a kernel and turn it into HTML (papermill engine, warm
kernels, their isolation, executors: threads or dask).

May import the base modules and report (its templates); never publish.
"""
