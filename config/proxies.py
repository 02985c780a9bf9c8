"""Which address a request came from, trusting X-Forwarded-For only from configured proxies."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_ip(request: HttpRequest) -> str | None:
    """The client's address by the rule the API throttles use (REST_FRAMEWORK["NUM_PROXIES"], set
    from GENRELENS_TRUSTED_PROXIES), so the login limit and the throttles count the same caller.

    None when the request has no address (Django's test logins); the connection's own address
    when a forwarded value is not an IP address (django-axes stores it in an address column).
    """
    ident = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(str(ident))) if ident else None
    except ValueError:
        return request.META.get("REMOTE_ADDR") or None
