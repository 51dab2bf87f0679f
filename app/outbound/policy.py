"""Which addresses the service may connect to, decided once per connection.

A host name is resolved once, every address it resolves to is checked, and the caller
connects to exactly those checked addresses (see app/outbound/transports.py), so a DNS
answer that changes between the check and the connection (rebinding) reaches nothing new.

Refused: loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local, shared
(100.64/10), unspecified, multicast, reserved and documentation ranges, and IPv6 forms that
carry one of those IPv4 addresses (IPv4-mapped, NAT64, 6to4, Teredo). The allow-list
(`CONTRACTDESK_OUTBOUND_ALLOW`) lets named hosts or networks through; the cloud metadata
addresses are refused even then, for no receiver of ours lives there.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], list[str]]
"""host, port -> the addresses it resolves to, as text."""

METADATA = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")
LOOPBACK = "127.0.0.0/8, ::1"
"""The allow-list of the embedded default: a newcomer's local receiver."""

_NUMERIC_IPV4 = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}\.?$", re.I)


class OutboundRefused(Exception):
    """The service will not connect there; `reason` says why, in words for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses of `host` from the system's resolver (TCP answers, in its order)."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise LookupError(f"{host} does not resolve") from exc
    return list(dict.fromkeys(str(a[4][0]) for a in answers))


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as a number names, in any form a resolver accepts:
    dotted, bracketed IPv6, and the legacy decimal, octal and hex forms (`2130706433`,
    `0177.0.0.1`, `0x7f.1`) that resolvers still read as IPv4."""
    bare = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if _NUMERIC_IPV4.match(bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare.rstrip(".")))
        except OSError:
            return None
    return None


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return None


def refusal(address: IPAddress) -> str | None:
    """Why an address is not one to connect to, or None for a public address."""
    if address in METADATA:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None:
            why = refusal(inner)
            return f"an IPv6 form of {inner}, {why}" if why else None
    for test, why in (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "a loopback address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_reserved, "a reserved address"),
        (address.is_private, "a private address"),
        (not address.is_global, "not a public address"),
    ):
        if test:
            return why
    return None


@dataclass(frozen=True)
class AllowList:
    """Networks and host names let through although their addresses are not public."""

    networks: tuple[Network, ...] = ()
    names: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, text: str) -> AllowList:
        """Comma- or space-separated CIDRs, addresses and host names."""
        networks: list[Network] = []
        names: set[str] = set()
        for entry in re.split(r"[,\s]+", text.strip()):
            if not entry:
                continue
            try:
                networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            except ValueError:
                if not re.fullmatch(r"[A-Za-z0-9_.-]+", entry):
                    raise ValueError(f"{entry!r} is neither a network nor a host name") from None
                names.add(entry.lower().rstrip("."))
        return cls(tuple(networks), frozenset(names))

    def admits(self, host: str, address: IPAddress) -> bool:
        inner = _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
        if address in METADATA or inner in METADATA:
            return False
        if host.lower().rstrip(".") in self.names:
            return True
        return any(
            a.version == network.version and a in network
            for a in (address, inner)
            if a
            for network in self.networks
        )


@dataclass(frozen=True)
class Guard:
    """Resolves a host once and answers the addresses that may be connected to."""

    allow: AllowList = field(default_factory=AllowList)
    resolver: Resolver = system_resolver

    def addresses(self, host: str, port: int) -> list[IPAddress]:
        """Every address of `host`, each checked; refuses the host if any one is refused
        (a name that also points inward is not trusted for its other answers).
        LookupError when it does not resolve."""
        literal = literal_address(host)
        found = (
            [literal]
            if literal is not None
            else [ipaddress.ip_address(a.split("%", 1)[0]) for a in self.resolver(host, port)]
        )
        if not found:
            raise LookupError(f"{host} does not resolve")
        for address in found:
            why = refusal(address)
            if why and not self.allow.admits(host, address):
                shown = host.strip("[]")
                named = f"{shown} ({address})" if str(address) != shown else shown
                raise OutboundRefused(f"{named} is {why}")
        return found

    def allowed_name(self, host: str) -> bool:
        """Whether the allow-list names this host, or the address it is written as."""
        literal = literal_address(host)
        if literal is not None:
            return self.allow.admits(host, literal)
        return host.lower().rstrip(".") in self.allow.names

    def check_url(self, url: str) -> None:
        """Refuse a URL to send to: plain http only to hosts the allow-list lets through
        (a local or internal receiver), https everywhere else; and no address that is
        refused. A name that does not resolve now is let through (it may later)."""
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.scheme not in {"http", "https"} or not host:
            raise OutboundRefused("only http and https URLs with a host are sent to")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = self.addresses(host, port)
        except LookupError:
            addresses = []
        if parts.scheme == "http" and not (
            self.allowed_name(host)
            or (addresses and all(self.allow.admits(host, a) for a in addresses))
        ):
            raise OutboundRefused(
                "plain http is only for hosts in CONTRACTDESK_OUTBOUND_ALLOW; use https"
            )


def guard_from(allow: Iterable[str] | str, resolver: Resolver = system_resolver) -> Guard:
    text = allow if isinstance(allow, str) else ",".join(allow)
    return Guard(AllowList.parse(text), resolver)
