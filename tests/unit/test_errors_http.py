import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from odoo.addons.connector_base.lib import errors
from odoo.addons.connector_base.lib.http import HttpClient, RetryPolicy, parse_retry_after
from odoo.addons.connector_base.lib.ratelimit import RateLimiter


class Script:
    """A loopback server answering from a script of (status, headers, body, delay)."""

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        script = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                script.requests.append((self.command, self.path, self.rfile.read(length)))
                status, headers, body, delay = script.answers.pop(0) if script.answers else (200, {}, b"{}", 0)
                if delay:
                    threading.Event().wait(delay)
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server(request):
    servers = []

    def make(*answers):
        s = Script(answers)
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.close()


def client(**kw):
    sleeps = []
    c = HttpClient(retry=RetryPolicy(max_attempts=4, base_delay=0.01, rand=lambda: 1.0), sleep=sleeps.append, **kw)
    return c, sleeps


def test_retries_429_honouring_retry_after_then_succeeds(server):
    s = server((429, {"Retry-After": "3"}, b"slow down", 0), (503, {}, b"", 0), (200, {}, b'{"ok": 1}', 0))
    c, sleeps = client()
    assert c.request("GET", s.url + "/x").json() == {"ok": 1}
    assert len(s.requests) == 3
    assert sleeps == [3.0, 0.02]  # Retry-After, then exponential backoff (2nd attempt)


def test_gives_up_with_a_typed_error_after_max_attempts(server):
    s = server(*[(429, {}, b"", 0)] * 5)
    c, _ = client()
    with pytest.raises(errors.RateLimitedError):
        c.request("GET", s.url)
    assert len(s.requests) == 4


def test_validation_error_is_not_retried(server):
    s = server((400, {}, b"bad field", 0))
    c, _ = client()
    with pytest.raises(errors.ProviderValidationError, match="bad field"):
        c.request("POST", s.url, json={})
    assert len(s.requests) == 1


def test_401_is_an_auth_error(server):
    s = server((401, {}, b"expired", 0))
    with pytest.raises(errors.AuthError):
        client()[0].request("GET", s.url)


def test_write_timeout_is_outcome_unknown_and_not_repeated(server):
    s = server((200, {}, b"{}", 1.0))
    c, _ = client(timeout=(1.0, 0.2))
    with pytest.raises(errors.OutcomeUnknownError):
        c.request("POST", s.url, json={"a": 1})
    assert len(s.requests) == 1


def test_idempotent_write_timeout_is_retried(server):
    s = server((200, {}, b"{}", 1.0), (200, {}, b'{"done": true}', 0))
    c, _ = client(timeout=(1.0, 0.2))
    assert c.request("POST", s.url, json={}, idempotent=True).json() == {"done": True}


def test_connection_refused_is_transient():
    c, sleeps = client()
    with pytest.raises(errors.TransientError):
        c.request("GET", "http://127.0.0.1:9/")
    assert len(sleeps) == 3


def test_no_timeout_is_refused():
    with pytest.raises(ValueError):
        HttpClient(timeout=None)


def test_retry_after_parsing():
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470) == 10.0
    assert parse_retry_after("soon") is None


def test_jitter_is_bounded_by_exponential_ceiling():
    policy = RetryPolicy(base_delay=1, max_delay=10, rand=lambda: 0.999)
    assert [round(policy.delay(n)) for n in (1, 2, 3, 4, 5, 6)] == [1, 2, 4, 8, 10, 10]


def test_rate_limiter_window():
    now = [0.0]
    waited = []

    def sleep(s):
        waited.append(s)
        now[0] += s

    limiter = RateLimiter(windows=[(3, 60)], clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        limiter.acquire()
        limiter.release()
    limiter.acquire()
    assert waited == [60.0]


def test_rate_limiter_caps_concurrency():
    limiter = RateLimiter(max_concurrent=2)
    limiter.acquire()
    limiter.acquire()
    with pytest.raises(TimeoutError):
        limiter.acquire(timeout=0.1)
    limiter.release()
    limiter.acquire(timeout=0.5)


def test_requests_session_used_has_timeout(server, monkeypatch):
    seen = {}
    original = requests.Session.request

    def spy(self, method, url, **kw):
        seen["timeout"] = kw.get("timeout")
        return original(self, method, url, **kw)

    monkeypatch.setattr(requests.Session, "request", spy)
    s = server((200, {}, b"{}", 0))
    client()[0].request("GET", s.url)
    assert seen["timeout"] == (5.0, 60.0)
