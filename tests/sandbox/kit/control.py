"""The control API, ``/_sandbox/<action>``: what tests, the demo and the benchmark drive.

Shared actions (POST unless said):

* ``reset``: back to the initial state (one empty tenant, no tokens, no faults);
* ``seed``: ``{"directory": DIR}`` or ``{"documents": {"<Entity>": [...]}}``, in the provider's shape;
* ``generate``: ``{"size": {...}}``, a generated company;
* ``faults``: fault switches (``faults.Faults``); ``limits``: request limits (``limits.Limits``);
* ``expire_tokens``: every OAuth access token expires now (static ones do not); ``clients``: register
  an OAuth client;
* GET ``stats``: counters; GET ``docs/<Entity>``: a tenant's documents as stored.

The tenant is named by ``tenant_key`` in the body or the query (``realm``, ``book``), else the
first one. A provider subclasses ``Control``, adds ``do_<action>(tenant, body, args)`` methods
(and names its GET actions in ``READS``), and lists its own error types in ``errors``.
"""


class Control:
    READS = ("docs", "stats")
    tenant_key = "tenant"
    #: exception types a control action may raise, answered by ``error``
    errors = ()

    def __init__(self, sandbox):
        self.sandbox = sandbox

    def dispatch(self, handler, method, rest):
        body = handler.json_body() if method == "POST" else {}
        tenant_id = body.get(self.tenant_key) or handler.query.get(self.tenant_key)
        tenant = self.sandbox.tenant(tenant_id)
        action = rest[0] if rest else ""
        function = getattr(self, f"do_{action}", None)
        if function is None or (method == "GET") != (action in self.READS):
            return handler.send(404, {"error": f"unknown control {method} {action}"})
        try:
            return handler.send(200, function(tenant, body, rest[1:]))
        except self.errors as exc:
            return self.error(handler, tenant, exc)

    def error(self, handler, tenant, exc):
        return handler.send(400, {"error": str(exc)})

    # ------------------------------------------------------------------ shared actions
    def do_reset(self, tenant, body, args):
        self.sandbox.reset()
        return {self.tenant_key: self.sandbox.tenant_id(self.sandbox.tenant())}

    def do_seed(self, tenant, body, args):
        tenant_id = self.sandbox.tenant_id(tenant)
        if body.get("directory"):
            return {"seeded": self.sandbox.seed_directory(body["directory"], tenant_id)}
        return {"seeded": self.sandbox.seed_documents(body.get("documents") or {}, tenant_id)}

    def do_generate(self, tenant, body, args):
        return {"generated": self.sandbox.generate(self.sandbox.tenant_id(tenant), **body.get("size", {}))}

    def do_docs(self, tenant, body, args):
        return {args[0]: tenant.snapshot(args[0])}

    def do_faults(self, tenant, body, args):
        self.sandbox.faults.update(body)
        return {"ok": True}

    def do_limits(self, tenant, body, args):
        limits = self.sandbox.limits
        limits.configure({k: v for k, v in body.items() if k in limits.names()})
        return {"ok": True}

    def do_expire_tokens(self, tenant, body, args):
        self.sandbox.oauth.expire_access_tokens()
        return {"ok": True}

    def do_clients(self, tenant, body, args):
        self.sandbox.oauth.clients[body["client_id"]] = body["client_secret"]
        return {"ok": True}

    def do_stats(self, tenant, body, args):
        with self.sandbox.lock:
            return dict(self.sandbox.stats)
