"""How a sandbox is started: the options of `python -m genrelens.core.sandbox`."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

PROFILES = ("legacy", "devmode-2026")
DEFAULT_CLIENT_ID = "genrelens-sandbox"
DEFAULT_CLIENT_SECRET = "genrelens-sandbox-secret"  # a public test value, not a secret of anything real


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    profile: str = "legacy"
    catalog: str = "synthetic"  # "synthetic" or a dataset file path
    seed: int = 0
    tracks: int = 6000
    latency_ms: float = 0.0
    #: ann's liked tracks (synthetic catalogs; None keeps the default 120): big libraries for benchmarks
    liked: int | None = None
    auto_approve: bool = False
    client_id: str = DEFAULT_CLIENT_ID
    client_secret: str = DEFAULT_CLIENT_SECRET
    verbose: bool = False
    exit_with_parent: bool = False

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {PROFILES}, got {self.profile!r}")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be 0..65535, got {self.port}")
        if self.latency_ms < 0:
            raise ValueError(f"latency must be >= 0 ms, got {self.latency_ms}")

    @property
    def legacy(self) -> bool:
        return self.profile == "legacy"


def build_parser(prog: str = "python -m genrelens.core.sandbox") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="A local Spotify (accounts + Web API) and ReccoBeats compatible server for tests.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--profile", choices=PROFILES, default="legacy")
    parser.add_argument("--catalog", default="synthetic", help="'synthetic' or a dataset file to serve")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tracks", type=int, default=6000, help="size of the synthetic catalog")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every counted request")
    parser.add_argument("--liked", type=int, default=None,
                        help="how many liked tracks the user ann has (default 120; at most the catalog's size)")
    parser.add_argument("--auto-approve", action="store_true",
                        help="/authorize redirects at once (user from login_hint, else the first user)")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--exit-with-parent", action="store_true",
                        help="stop when the process that started the sandbox dies (test runners)")
    return parser


def parse_config(argv: Sequence[str] | None = None, prog: str | None = None) -> SandboxConfig:
    args = (build_parser(prog) if prog else build_parser()).parse_args(argv)
    return SandboxConfig(
        host=args.host, port=args.port, profile=args.profile, catalog=args.catalog, seed=args.seed,
        tracks=args.tracks, latency_ms=args.latency_ms, liked=args.liked, auto_approve=args.auto_approve,
        client_id=args.client_id, client_secret=args.client_secret, verbose=args.verbose,
        exit_with_parent=args.exit_with_parent,
    )
