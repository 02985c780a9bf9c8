"""Suite-wide fixtures: the Spotify sandbox plugin (a real local server in a subprocess) and the
job broker and worker (tests/conftest_jobs.py)."""

pytest_plugins = ["tests.conftest_sandbox", "tests.conftest_jobs"]

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

#: In-process tests (the live server and the job worker are threads here) keep answers in one
#: process's memory, so every API test also checks that each write retires the answers it changes.
#: Under scripts/with-redis.sh (make test-celery) GENRELENS_CACHE_URL may point at Redis instead.
_LOCAL_CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
                 "shared": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"}}


@pytest.fixture(autouse=True, scope="session")
def _shared_cache_in_memory() -> Iterator[None]:
    if settings.GENRELENS_CACHE_URL:
        yield
        return
    with override_settings(CACHES=_LOCAL_CACHES):
        yield


@pytest.fixture(autouse=True)
def _caches_cleared(_shared_cache_in_memory: None) -> Iterator[None]:
    """Each test starts with empty caches: the database rolls back between tests, the cache does not."""
    from genrelens.api.throttles import forget_local_counts

    for alias in ("default", "shared"):
        caches[alias].clear()
    forget_local_counts()
    yield
