"""The /proc/net/tcp reader behind the "listens on loopback only" tests can tell the difference."""

from __future__ import annotations

import socket

import pytest

from tests.security.sockets import listening_hosts


@pytest.mark.parametrize(
    "family, host",
    [(socket.AF_INET, "0.0.0.0"), (socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"), (socket.AF_INET6, "::")],
)
def test_listening_hosts(family: int, host: str):
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, 0))
        except OSError:
            pytest.skip(f"{host} unavailable here")
        port = sock.getsockname()[1]
        assert listening_hosts(port) == set()  # bound, not listening
        sock.listen()
        assert listening_hosts(port) == {host}
