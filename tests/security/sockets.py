"""Which addresses a local TCP port listens on, from /proc/net/tcp{,6} (no psutil)."""

from __future__ import annotations

import ipaddress
import socket
import struct
from pathlib import Path

LISTEN = "0A"


def _address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, struct.pack("<I", int(hex_address, 16)))
    # IPv6: four 32-bit words, each in host (little-endian) order
    words = struct.unpack(">4I", raw)
    return str(ipaddress.IPv6Address(struct.pack("<4I", *words)))


def listening_hosts(port: int) -> set[str]:
    """The local addresses with a listening socket on ``port`` (``0.0.0.0`` / ``::`` mean every interface)."""
    hosts = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, _, port_hex = local.partition(":")
            if state == LISTEN and int(port_hex, 16) == port:
                hosts.add(_address(address))
    return hosts
