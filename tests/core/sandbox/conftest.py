"""Use the sandbox plugin here even before tests/conftest.py registers it for the whole suite."""

import sys

if "tests.conftest_sandbox" not in sys.modules:
    from tests.conftest_sandbox import (  # noqa: F401
        devmode_sandbox,
        legacy_sandbox,
        sandbox_factory,
        sandbox_user_token,
    )
