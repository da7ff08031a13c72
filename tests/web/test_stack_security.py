"""The real stack as an attacker meets it: what listens where, and a hostile question in the browser."""

from __future__ import annotations

import socket

import pytest
from playwright.sync_api import expect

from bot import servers
from tests.security.sockets import listening_hosts
from tests.web.test_widget import Widget

XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'


def _own_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses (none on a machine with only loopback)."""
    addresses = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            addresses.add(str(info[4][0]))
    except socket.gaierror:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outgoing interface
            addresses.add(probe.getsockname()[0])
        except OSError:
            pass
    return sorted(a for a in addresses if not a.startswith("127."))


def test_every_server_listens_on_loopback_only(web_stack: servers.Servers):
    ports = {"action": web_stack.action_port, "rasa": web_stack.rasa_port, "web": web_stack.web_port}
    for name, port in ports.items():
        assert port and listening_hosts(port) == {"127.0.0.1"}, name
        for address in _own_addresses():
            with socket.socket() as sock:
                sock.settimeout(2)
                assert sock.connect_ex((address, port)) != 0, f"{name} answers on {address}:{port}"


def test_the_action_server_of_the_stack_wants_the_token(web_stack: servers.Servers):
    import urllib.error
    import urllib.request

    forged = b'{"next_action": "action_forget_unit", "tracker": {"sender_id": "wecom:zhangsan"}}'
    request = urllib.request.Request(
        f"{web_stack.action_url}/webhook", data=forged, headers={"Content-Type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 401


def test_a_hostile_question_is_shown_as_text_and_runs_nothing(page, web_url: str):
    widget = Widget(page, web_url).open()
    widget.ask(XSS)  # waits until the question is shown and the reply has arrived
    expect(page.locator(".zq-bubble-user").last).to_have_text(XSS)
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x']").count() == 0  # not even an inert element was made from it
    assert page.locator(".zq-bubble-user script").count() == 0
    # a hostile unit name comes back inside an error message: shown as text as well
    page.get_by_role("button", name="设置所在镇街").click()
    unit_box = page.get_by_label("所在镇街", exact=True)
    unit_box.fill('<img src=x onerror="window.__xss=3">')
    unit_box.press("Enter")
    expect(page.locator(".zq-unit-status")).to_contain_text('没有找到“<img src=x onerror="window.__xss=3">”')
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x']").count() == 0
