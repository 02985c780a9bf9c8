"""A local Spotify (accounts + Web API) and ReccoBeats compatible server, for tests and benchmarks.

Run it with `python -m genrelens.core.sandbox --port 0 --profile legacy|devmode-2026`; see
docs/sandbox.md for the profiles, control endpoints and fault knobs.
"""

from genrelens.core.sandbox.config import SandboxConfig, parse_config
from genrelens.core.sandbox.server import main, make_server, serve, start_in_thread

__all__ = ["SandboxConfig", "main", "make_server", "parse_config", "serve", "start_in_thread"]
