"""Connect the demo's QuickBooks connection through the real OAuth pages, then Import all.

What a person does in the browser, done by a script: log in to Odoo, press Connect, accept
on the sandbox's Intuit consent page, come back to Odoo's callback; then press Import all and
wait until the job queue has brought the company in.

Usage: demo_connect.py ODOO_URL DB

Every wait has a deadline (``DEMO_CONNECT_WAIT`` seconds in all, default 600) and survives slow
answers: a request that times out or finds the server still starting is tried again until the
deadline. A failure prints one message saying what to do and exits 1; success ends with the line
``Demo ready: ...`` (the smoke check of ``make test`` waits for it).
"""

import os
import re
import sys
import time

import requests

LOG_HINT = (
    "Odoo keeps running: connect by hand under Invoicing > Configuration > Connectors > Connections"
    " (Connect, then Import all)."
)
WAITING = ["wait_dependencies", "pending", "enqueued", "started"]


class DemoError(Exception):
    """One step of the demo could not be done; the message says which and why."""


class Demo:
    def __init__(self, odoo_url, db, wait):
        self.url = odoo_url.rstrip("/")
        self.db = db
        self.deadline = time.monotonic() + wait
        self.session = requests.Session()

    def left(self):
        return self.deadline - time.monotonic()

    def retrying(self, what, attempt, pause=1.0):
        """Call ``attempt()`` until it returns something truthy or the deadline passes.

        A timeout, a refused connection or a server error is tried again; the last one is named
        in the failure message.
        """
        last = "no answer"
        while self.left() > 0:
            try:
                result = attempt()
                if result:
                    return result
            except (requests.RequestException, ValueError) as exc:
                last = f"{type(exc).__name__}: {exc}"
            time.sleep(min(pause, max(self.left(), 0)))
        raise DemoError(f"{what} did not happen within the deadline (last: {last})")

    def timeout(self, at_most):
        """A request timeout that never runs past the overall deadline."""
        return max(1.0, min(at_most, self.left()))

    def call(self, model, method, args, kwargs=None):
        answer = self.session.post(
            f"{self.url}/web/dataset/call_kw",
            timeout=self.timeout(120),
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
            },
        ).json()
        if answer.get("error"):
            raise DemoError(f"{model}.{method}: {answer['error']['data']['message']}")
        return answer.get("result")  # a method that returns None gets no "result" key

    def login(self):
        # the first login page after the database was created compiles assets: it can take a while
        self.retrying(
            "Odoo's login page answering",
            lambda: self.session.get(f"{self.url}/web/login", timeout=self.timeout(60)).status_code == 200,
        )

        def authenticate():
            answer = self.session.post(
                f"{self.url}/web/session/authenticate",
                timeout=self.timeout(60),
                json={
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {"db": self.db, "login": "admin", "password": "admin"},
                },
            ).json()
            return (answer.get("result") or {}).get("uid")

        self.retrying("Logging in to Odoo as admin", authenticate)

    def connect(self):
        found = self.call("connector.backend", "search_read", [[("provider", "=", "quickbooks")], ["id", "state"]])
        if not found:
            raise DemoError("the demo database has no QuickBooks connection (tools/demo_setup.py did not run)")
        backend = found[0]
        if backend["state"] != "draft":
            # the sandbox starts afresh with every `make run`: the tokens Odoo kept are unknown to it
            self.call("connector.backend", "action_disconnect", [[backend["id"]]])
        action = self.call("connector.backend", "action_connect", [[backend["id"]]])
        consent = self.session.get(action["url"], timeout=self.timeout(30))
        ticket = re.search(r'name="ticket" value="([^"]+)"', consent.text)
        realm = re.search(r'<option value="([^"]+)"', consent.text)
        if not (ticket and realm):
            raise DemoError(f"the sandbox's consent page ({consent.url}) has no company to choose")
        back = self.session.post(
            consent.url.split("/connect/")[0] + "/connect/oauth2",
            allow_redirects=False,
            timeout=self.timeout(30),
            data={"ticket": ticket.group(1), "realmId": realm.group(1), "decision": "connect"},
        )
        if "Location" not in back.headers:
            raise DemoError(f"the sandbox's consent page answered {back.status_code} without sending back to Odoo")
        self.session.get(back.headers["Location"], timeout=self.timeout(120))  # Odoo's callback stores the tokens
        state = self.state(backend["id"])
        if state["state"] != "connected":
            raise DemoError(f"the connection is '{state['state']}' after the OAuth callback")
        print(f"  QuickBooks sandbox connection: connected to {state['display_name']}", flush=True)
        return backend["id"]

    def state(self, backend_id):
        return self.call("connector.backend", "read", [[backend_id], ["state", "display_name"]])[0]

    def import_all(self, backend_id):
        self.call("connector.backend", "action_import_all", [[backend_id]])
        print("  Import all queued: watch Invoicing > Configuration > Connectors > Connections", flush=True)

        def finished():
            waiting = self.call("queue.job", "search_count", [[("state", "in", WAITING)]])
            return waiting == 0 and self.call("connector.binding", "search_count", [[("backend_id", "=", backend_id)]])

        self.retrying("The initial import finishing", finished, pause=2.0)
        counts = self.call(
            "connector.binding",
            "read_group",
            [[("backend_id", "=", backend_id)], ["external_type"], ["external_type"]],
            {"lazy": False},
        )
        quarantined = self.call(
            "connector.quarantine", "search_count", [[("backend_id", "=", backend_id), ("state", "=", "open")]]
        )
        summary = ", ".join(f"{row['__count']} {row['external_type']}" for row in counts)
        print(
            f"Demo ready: QuickBooks sandbox connected and imported ({summary}; {quarantined} in quarantine)",
            flush=True,
        )


def main(argv):
    odoo_url, db = argv[1], argv[2]
    demo = Demo(odoo_url, db, float(os.environ.get("DEMO_CONNECT_WAIT", "600")))
    try:
        demo.login()
        demo.import_all(demo.connect())
    except (DemoError, requests.RequestException) as exc:
        print(f"\nERROR: the demo connection was not connected and imported: {exc}.", file=sys.stderr)
        print(f"       {LOG_HINT}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
