"""Which address a request came from, trusting X-Forwarded-For only from configured proxies."""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_ip(request: HttpRequest) -> str:
    """The client's address by the rule the API throttles use (REST_FRAMEWORK["NUM_PROXIES"], set
    from GENRELENS_TRUSTED_PROXIES), so the login limit and the throttles count the same caller."""
    return str(BaseThrottle().get_ident(request))
