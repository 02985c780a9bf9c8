"""Settings for bench/bench_load.py only: the app's own, with a URLconf that adds the bare view."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "load_urls"
