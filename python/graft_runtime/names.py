"""The addresses of a graft's replicas (replicas.py): an IP address as it
is, a name as the system's resolver gives it (all its addresses, in order,
each once), so a Kubernetes headless Service is all its pods."""

import asyncio
import socket
from typing import List, Optional, Sequence, Tuple

from .errors import Unavailable

Address = Tuple[str, int]
Found = List[Tuple[Address, Optional[str]]]  # each address, with the name it came from (None: given as an address)


async def resolve_all(targets: Sequence[Address]) -> Found:
    """The addresses of every target; raises the first failure when none resolves."""
    found: Found = []
    failed: List[Unavailable] = []
    for host, port in targets:
        try:
            found += await resolve(host, port)
        except Unavailable as e:
            failed.append(e)
    if failed and not found:
        raise failed[0]
    return found


async def resolve(host: str, port: int) -> Found:
    """(address, name) for each address of `host`: itself for an IP address."""
    if is_ip(host):
        return [((host, port), None)]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as e:
        raise Unavailable(host, port, "cannot resolve the name: %s" % (e.strerror or e)) from None
    seen: Found = []
    for _, _, _, _, sockaddr in infos:
        entry = ((str(sockaddr[0]), port), host)
        if entry not in seen:
            seen.append(entry)
    return seen


def is_ip(host: str) -> bool:
    """Whether `host` is an IPv4 or IPv6 address rather than a name."""
    try:
        socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
    except OSError:
        return False
    return True
