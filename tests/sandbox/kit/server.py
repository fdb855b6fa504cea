"""The sandboxes' HTTP plumbing: a threaded loopback server, routing, JSON that keeps Decimal.

A provider subclasses ``Handler`` with its ``routes`` and ``SandboxServer`` with its state::

    class _Handler(Handler):
        routes = (
            ("GET POST", "/connect/authorize", "authorize"),
            ("GET", "/{book}/customers/{id}", "customer"),   # {name}: one segment, passed by name
            ("GET POST", "/_sandbox/*", "control"),           # *: the rest of the path, passed as ``rest``
        )

        def customer(self, method, book, id): ...

A route's handler gets the method and the captured segments; it answers with ``send`` (a dict
or list is sent as JSON) or ``drop`` (no answer at all). ``authorize``, ``token``, ``revoke``
(the sandbox's ``oauth``) and ``control`` (its ``control``) are there for routes to name;
``shared_routes`` writes their four routes from the provider's paths::

    routes = (
        *shared_routes(authorize="/connect/authorize", token="/connect/token", revoke="/connect/revocation"),
        ("GET", "/{book}/customers/{id}", "customer"),
    )

A sandbox that cannot run on this machine (a document it needs is missing) raises
``CannotStart`` from its constructor or ``start``: ``cli.main`` reports it and exits 2.
"""

import copy
import json
import logging
import sys
import threading
import urllib.parse
from datetime import date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_logger = logging.getLogger(__name__)


def dumps(value):
    """JSON bytes; Decimal as a JSON number (an integer when it has no fraction), dates as ISO text."""

    def default(obj):
        if isinstance(obj, Decimal):
            return int(obj) if obj == obj.to_integral_value() and obj.as_tuple().exponent >= 0 else float(obj)
        if isinstance(obj, datetime | date):
            return obj.isoformat()
        raise TypeError(type(obj).__name__)

    return json.dumps(value, default=default).encode()


def loads(raw):
    """Parse JSON bytes (empty means ``{}``), numbers with a fraction as Decimal."""
    return json.loads(raw or b"{}", parse_float=Decimal)


class CannotStart(RuntimeError):
    """The sandbox cannot run here (a document it needs is missing, say); the message says what to do."""


def shared_routes(*, authorize, token, revoke, control="/_sandbox/*"):
    """The routes of the kit's shared endpoints, at the provider's paths (``authorize`` may end in ``/*``)."""
    return (
        ("GET POST", authorize, "authorize"),
        ("POST", token, "token"),
        ("POST", revoke, "revoke"),
        ("GET POST", control, "control"),
    )


def _compile(pattern):
    segments = [s for s in pattern.split("/") if s]
    rest = bool(segments) and segments[-1] == "*"
    return (segments[:-1] if rest else segments), rest


class Handler(BaseHTTPRequestHandler):
    """One request: read it whole, route it, answer it."""

    sandbox = None  # set by SandboxServer.start
    protocol_version = "HTTP/1.1"
    #: (methods separated by spaces, pattern, method name), tried in order
    routes = ()
    #: match literal path segments regardless of case (ASP.NET-style routing)
    case_insensitive = False

    def log_message(self, fmt, *args):
        _logger.debug("sandbox: " + fmt, *args)

    def do_GET(self):
        self.handle_request("GET")

    def do_POST(self):
        self.handle_request("POST")

    def do_PUT(self):
        self.handle_request("PUT")

    def do_PATCH(self):
        self.handle_request("PATCH")

    def do_DELETE(self):
        self.handle_request("DELETE")

    # ------------------------------------------------------------------ request
    def handle_request(self, method):
        # read the whole body first: an early answer must not leave it on a kept-alive connection
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        self.url_path = url.path
        self.query_pairs = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        self.query = dict(self.query_pairs)
        self.parts = [urllib.parse.unquote(p) for p in url.path.split("/") if p]
        try:
            match = self.match(method)
            if match is None:
                return self.not_found()
            name, params = match
            return getattr(self, name)(method, **params)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def match(self, method):
        """The first route for this method and path: (handler name, captured segments) or None."""
        for methods, pattern, name in self.routes:
            if method not in methods.split():
                continue
            segments, rest = _compile(pattern)
            if len(self.parts) < len(segments) or (not rest and len(self.parts) != len(segments)):
                continue
            params = {}
            for want, got in zip(segments, self.parts, strict=False):
                if want.startswith("{") and want.endswith("}"):
                    params[want[1:-1]] = got
                elif want != got and not (self.case_insensitive and want.lower() == got.lower()):
                    break
            else:
                if rest:
                    params["rest"] = self.parts[len(segments) :]
                return name, params
        return None

    def json_body(self):
        return loads(self.body)

    def form_body(self):
        return dict(urllib.parse.parse_qsl(self.body.decode(errors="replace")))

    def query_value(self, name, default=None):
        """A query parameter by name regardless of case (the last one wins)."""
        wanted = name.lower()
        found = default
        for key, value in self.query_pairs:
            if key.lower() == wanted:
                found = value
        return found

    # ------------------------------------------------------------------ shared endpoints, for routes to name
    def authorize(self, method, rest=()):
        return self.sandbox.oauth.authorize(self, method)

    def token(self, method):
        return self.sandbox.oauth.token(self)

    def revoke(self, method):
        return self.sandbox.oauth.revoke(self)

    def control(self, method, rest):
        return self.sandbox.control.dispatch(self, method, rest)

    # ------------------------------------------------------------------ answers
    def not_found(self):
        self.send(404, {"error": "not found"})

    def default_headers(self):
        """Headers every answer carries (a provider's trace id, say)."""
        return {}

    def send(self, status, body=b"", content_type="application/json", headers=None):
        if isinstance(body, dict | list):
            body = dumps(body)
        faults = getattr(self.sandbox, "faults", None)
        for marker, raw in getattr(faults, "raw_bytes", {}).items():  # bytes that are not UTF-8, on demand
            body = body.replace(marker.encode(), raw.encode("latin-1"))
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in {**self.default_headers(), **(headers or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def drop(self):
        """Close the connection without an answer: the request's outcome is unknown to the client."""
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that went away mid-request (a connector process SIGKILLed by the chaos run)
        is what a real service sees every day: not a traceback on the console."""
        if isinstance(sys.exc_info()[1], ConnectionResetError | BrokenPipeError):
            return
        super().handle_error(request, client_address)


class SandboxServer:
    #: where a connection finds this sandbox's API and OAuth endpoints: connection field -> path
    ENDPOINTS = {}

    @classmethod
    def endpoint_values(cls, url):
        """The connection's endpoint fields for a sandbox served at ``url``."""
        return {field: f"{url}{path}" for field, path in cls.ENDPOINTS.items()}

    """A loopback provider: its tenants (companies, books), lifecycle and background loops.

    Subclasses set ``handler_class`` and ``name``, add their first tenant (and reset their own
    state) in ``reset_state``, and may run loops (webhook delivery, say) by overriding ``loops``.
    ``entities`` names the ``<Entity>.json`` files ``seed_directory`` reads, in order, for the
    provider's ``seed_documents(documents, tenant_id)``.
    """

    name = "sandbox"
    handler_class = Handler
    #: the counters ``reset`` starts from
    initial_stats = {}
    #: the record types ``seed_directory`` reads, in order
    entities = ()

    def __init__(self):
        self.lock = threading.RLock()
        self.tenants = {}
        self.stats = {}
        self.server = None
        self.thread = None
        self._threads = []
        self._stop = threading.Event()

    # ------------------------------------------------------------------ tenants
    def tenant(self, tenant_id=None):
        """A tenant by id, else the first one."""
        if tenant_id:
            return self.tenants.get(str(tenant_id))
        return next(iter(self.tenants.values()), None)

    def tenant_id(self, tenant):
        return next((key for key, value in self.tenants.items() if value is tenant), None)

    def count(self, key, n=1):
        with self.lock:
            self.stats[key] = self.stats.get(key, 0) + n

    # ------------------------------------------------------------------ state
    def reset(self):
        """Back to the start: no tenants, the first counters, no tokens, no faults, nothing to notify."""
        with self.lock:
            self.tenants = {}
            self.stats = copy.deepcopy(self.initial_stats)
            for part in ("oauth", "faults", "notifier"):
                if getattr(self, part, None) is not None:
                    getattr(self, part).reset()
            self.reset_state()

    def reset_state(self):
        """The provider's own state back to its start, and its first tenant (the lock is held)."""

    def seed_directory(self, path, tenant_id=None):
        """Load ``<Entity>.json`` files (JSON arrays in the provider's shape) into a tenant."""
        from .seed import read_directory  # seed reads JSON with this module's loads

        return self.seed_documents(read_directory(path, self.entities), tenant_id)

    # ------------------------------------------------------------------ lifecycle
    def loops(self):
        """(callable, interval seconds) pairs run in background threads while serving."""
        return ()

    def start(self, host="127.0.0.1", port=0):
        handler = type("Handler", (self.handler_class,), {"sandbox": self})
        self.server = _Server((host, port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name=self.name, daemon=True)
        self.thread.start()
        self._stop.clear()
        self._threads = []
        for n, (function, interval) in enumerate(self.loops()):
            thread = threading.Thread(
                target=self._loop, args=(function, interval), name=f"{self.name}-loop{n}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self.url

    def _loop(self, function, interval):
        while not self._stop.wait(interval):
            try:
                function()
            except Exception:  # a loop must survive a receiver's oddities
                _logger.exception("%s: background loop failed", self.name)

    @property
    def url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self):
        self._stop.set()
        if self.server:
            self.server.shutdown()
            self.server.server_close()
