"""Suite-wide fixtures: the Spotify sandbox plugin (a real local server in a subprocess)."""

pytest_plugins = ["tests.conftest_sandbox"]
