"""Per-message overheads of Rasa 3.6 removed inside the Rasa process (``python -m bot.servers rasa …``).

Rasa validates every action-server response with ``jsonschema.validate``, which checks the
schema itself again on every call (RasaHQ/rasa#11717): a tenth of Rasa's time per message here.
The schema is Rasa's own constant, so it is checked once and its validator kept; responses are
validated exactly as before and an invalid one raises the same error.

Rasa also sends the action server every event of the conversation on every call. Our actions
(actions/actions.py) read the slots, the latest message and its input channel only, so the events
sent start at the latest user message: what a call costs no longer grows with the conversation.
The domain is not sent either (``enable_selective_domain`` in endpoints.yml).

Rasa finds an event's class by its type name by walking every subclass of ``Event`` (with an
``inspect.isabstract`` test each) for every event it deserialises: a twentieth of Rasa's time
per message here, loading the tracker. The class found for a name is remembered.

The model's first parse builds the classifier's graph (about 0.4 s); it is done when the model
is loaded, not on the first user's message.

Rasa opens a new HTTP connection to the action server for every action call (a new aiohttp
session each time). The sessions now share one connection pool per event loop, so calls reuse
kept-alive connections; an idle connection is closed after ``KEEPALIVE_S``, before the action
server (Sanic: 5 s) or nginx (4 s upstream) would close it under a request.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

KEEPALIVE_S = 2.0


def install() -> None:
    """Patch Rasa's action-response validation to reuse one validator."""
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is not None:
            assert isinstance(error, ValidationError)
            error.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    RemoteAction._validate_action_result = validate_action_result
    RemoteAction._action_call_format = _action_call_format
    _remember_event_classes()
    _pool_connections()
    _warm_up_on_start()


def _warm_up_on_start() -> None:
    """Parse one message when the model is loaded: the classifier's first call builds its graph
    (about 0.4 s), which the first user of a restarted server would otherwise wait for."""
    import logging

    from rasa.core import run

    original = run.load_agent_on_start
    if getattr(original, "_bot_warming", False):
        return

    async def load_agent_on_start(*args: Any, **kwargs: Any) -> Any:
        agent = await original(*args, **kwargs)
        try:
            await agent.parse_message("占道经营能不能处罚")
        except Exception:  # noqa: BLE001 — the first real message meets and reports the same failure
            logging.getLogger(__name__).warning("warm-up parse failed", exc_info=True)
        return agent

    load_agent_on_start._bot_warming = True  # type: ignore[attr-defined]
    run.load_agent_on_start = load_agent_on_start


def _pool_connections() -> None:
    """``EndpointConfig.session`` on one shared connector per event loop (see the module docstring)."""
    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    original = EndpointConfig.session
    if getattr(original, "_bot_pooled", False):
        return
    connectors: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aiohttp.TCPConnector] = weakref.WeakKeyDictionary()

    def session(self: EndpointConfig) -> aiohttp.ClientSession:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not inside a coroutine: Rasa's own
            return original(self)
        connector = connectors.get(loop)
        if connector is None or connector.closed:
            connector = connectors[loop] = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S)
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        return aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=connector,
            connector_owner=False,
        )

    session._bot_pooled = True  # type: ignore[attr-defined]
    EndpointConfig.session = session


def _remember_event_classes() -> None:
    """``Event.resolve_by_type`` with the class found for each type name kept.

    Unknown names (and the legacy ``topic``) still go through Rasa's own lookup, so its
    defaults and errors are unchanged; event classes are all defined when Rasa has started.
    """
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    found: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        cls = found.get(type_name)
        if cls is None:
            cls = original(type_name, default)
            if cls is not None and cls is not default and getattr(cls, "type_name", None) == type_name:
                found[type_name] = cls
        return cls

    Event.resolve_by_type = staticmethod(resolve_by_type)


def _action_call_format(self: Any, tracker: Any, domain: Any) -> dict[str, Any]:
    """Rasa's request to the action server, with the events from the latest user message on."""
    import rasa
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import EventVerbosity

    state = tracker.current_state(EventVerbosity.NONE)
    events = list(tracker.events)
    start = next((i for i in range(len(events) - 1, -1, -1) if isinstance(events[i], UserUttered)), 0)
    state["events"] = [event.as_dict() for event in events[start:]]
    result = {"next_action": self._name, "sender_id": tracker.sender_id, "tracker": state, "version": rasa.__version__}
    if not self._is_selective_domain_enabled() or domain.does_custom_action_explicitly_need_domain(self.name()):
        result["domain"] = domain.as_dict()
    return result
