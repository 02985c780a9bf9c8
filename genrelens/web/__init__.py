"""Serving the single-page app: its index page for every app route, its assets through WhiteNoise."""
