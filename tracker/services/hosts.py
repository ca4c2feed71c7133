"""Hosts a user names for the server to connect to (Settings → Mail's IMAP server): on a
shared instance, a way to reach the server's own network (SSRF) unless checked.

`checked_addresses` resolves the name ONCE and returns the addresses to connect to; the
caller connects to exactly those (never the name again), so a name that resolves to a
public address when checked and to 127.0.0.1 a moment later (DNS rebinding) gets nowhere.
TLS still checks the certificate against the NAME (the caller passes it as the server name).

Refused unless allowed: every address that is not globally routable (ipaddress'
`is_global`): loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with the
cloud metadata services, fe80::/10), shared (100.64/10), unspecified, reserved,
documentation; and multicast. An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged
as the IPv4 one.
"""
from __future__ import annotations

import ipaddress
import socket


class HostRefused(ValueError):
    """The host cannot be used; `message` says why, for the person who typed it; `unknown`:
    because the name does not resolve (now)."""

    def __init__(self, message: str, unknown: bool = False):
        super().__init__(message)
        self.message, self.unknown = message, unknown


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # a scoped IPv6 (fe80::1%eth0) is link-local
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def checked_addresses(host: str, port: int, *, allow_private: bool, setting: str) -> tuple[str, ...]:
    """The addresses `host` resolves to (in the resolver's order, each once), all of them
    public unless `allow_private`. Raises HostRefused when the name cannot be resolved or
    resolves to an address that is not public (`setting` names the setting that allows it)."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as e:
        raise HostRefused(f"The server “{host}” cannot be found. Check its name.", unknown=True) from e
    addresses = tuple(dict.fromkeys(info[4][0] for info in found))
    if not allow_private:
        inside = [a for a in addresses if not is_public(a)]
        if inside:
            # One private address is enough to refuse: a name that mixes them is not a
            # mail provider's, and trying the public ones only would hide the problem.
            raise HostRefused(f"“{host}” is on a private or local network ({inside[0]}); this tracker connects only "
                              f"to servers on the internet. Its administrator can allow local servers with {setting}.")
    return addresses
