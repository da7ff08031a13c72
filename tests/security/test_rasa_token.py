"""The Rasa API token reaches Rasa's own argument parser intact, whatever characters it starts with."""

from __future__ import annotations

import sys

import pytest

from bot import servers


@pytest.mark.parametrize("token", ["-starts-with-a-dash", "plain_token-123"])
def test_rasa_gets_the_token_even_when_it_starts_with_a_dash(monkeypatch, token):
    """token_urlsafe() starts with "-" once in 64 runs; Rasa must not take it for an option."""
    import rasa.__main__

    seen = {}

    def fake_main() -> None:
        args = rasa.__main__.create_argument_parser().parse_args(sys.argv[1:])
        seen["token"] = args.auth_token

    monkeypatch.setenv("RASA_AUTH_TOKEN", token)
    monkeypatch.setattr(rasa.__main__, "main", fake_main)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    servers.run_rasa(["run", "--enable-api", "-p", "5005"])
    assert seen["token"] == token
