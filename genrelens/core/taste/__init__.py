"""Taste: feature distributions on fixed grids, percentiles, and similarity between two tastes.

grid (the fixed ranges), density (the fast KDE), documents (what the API stores and serves).
See docs/taste.md for what each number means.
"""
