"""genrelens: understand music through its audio features."""

__version__ = "0.1.0"
