"""Rasa's REST channel, with an answer for every message and a body limit.

When a custom action fails (the action server is down or crashed), Rasa logs
it and replies nothing: the widget and REST callers would wait for an answer
that never comes. This channel sends the apology instead
(:func:`inbox.with_apology`). It keeps Rasa's name and URL
(``/webhooks/rest/webhook``) and lowers the Rasa server's body limit
(:func:`limits.cap_server_body`).
"""

from __future__ import annotations

from rasa.core.channels import rest
from sanic import Blueprint

from bot.channels import inbox, limits


class RestInput(rest.RestInput):
    def blueprint(self, on_new_message: inbox.OnNewMessage) -> Blueprint:
        hook = super().blueprint(inbox.with_apology(on_new_message))
        limits.cap_server_body(hook)
        return hook
