"""Where the server may send requests of its own (webhooks): public addresses only.

A webhook URL is a request the server makes for whoever registered it; to 127.0.0.1, 169.254.169.254
(cloud metadata) or a private network it would turn the delivery log into a port scanner. The host is
resolved and every address it resolves to must be public, at registration and again before each send
(DNS may change in between). `ARGUARD_WEBHOOK_ALLOW_PRIVATE=true` lifts the rule for a receiver on the
same host or network.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from arguard.core.errors import ValidationError
from arguard.settings import get_settings


def refused_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified or not ip.is_global)


def check_public_url(url: str, at_registration: bool = False) -> None:
    """Raise `ValidationError` unless `url` is http(s) to a host whose every address is public (or the
    operator allowed private targets). A name that does not resolve (yet) may be registered; it is
    checked again before each send, where it must resolve."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("a webhook URL is http:// or https:// with a host", code="invalid_webhook")
    if parts.username or parts.password:
        raise ValidationError("a webhook URL carries no user name or password; sign with the secret instead",
                              code="invalid_webhook")
    if get_settings().webhook_allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError):
        if at_registration:
            return
        raise ValidationError(f"the webhook host {parts.hostname!r} does not resolve",
                              code="webhook_unresolvable") from None
    addresses = sorted({str(info[4][0]) for info in infos})
    bad = [a for a in addresses if refused_address(a)]
    if bad or not addresses:
        raise ValidationError(
            f"the webhook host {parts.hostname!r} resolves to a private, loopback or link-local address "
            f"({', '.join(bad)}); set ARGUARD_WEBHOOK_ALLOW_PRIVATE=true for a receiver on your own network",
            code="webhook_private_target")
