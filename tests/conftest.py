"""Suite-wide fixtures: the Spotify sandbox plugin (a real local server in a subprocess) and the
job broker and worker (tests/conftest_jobs.py)."""

pytest_plugins = ["tests.conftest_sandbox", "tests.conftest_jobs"]
