"""The framework-free core of genrelens.

Nothing below this package imports Django: the pipeline runs and is tested on plain dataclasses,
DataFrames and file paths. The Django apps next to it (catalog, api, jobs, accounts) wrap it.
"""
