"""What a person does in the browser, done by a script: Odoo's JSON-RPC as the web client calls
it (in the company of the connection at hand), a provider's consent page (the sandboxes' kit
page: a hidden ticket, a company to choose, Connect), and waits with a deadline.

Every wait has a deadline and survives slow answers: a request that times out or finds the
server still starting is tried again until the deadline; the failure names the last error."""

import html
import re
import time
import urllib.parse

import requests


class DemoError(Exception):
    """One step of the demo could not be done; the message says which and why."""


class Browser:
    def __init__(self, odoo_url, db, wait):
        self.url = odoo_url.rstrip("/")
        self.db = db
        self.deadline = time.monotonic() + wait
        self.session = requests.Session()
        self.company_ids = None  # the companies the web client works in (its company switcher)
        self.user_id = None

    def left(self):
        return self.deadline - time.monotonic()

    def timeout(self, at_most):
        """A request timeout that never runs past the overall deadline."""
        return max(1.0, min(at_most, self.left()))

    def retrying(self, what, attempt, pause=1.0):
        """Call ``attempt()`` until it returns something truthy or the deadline passes."""
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

    def call(self, model, method, args, kwargs=None):
        kwargs = dict(kwargs or {})
        if self.company_ids:
            kwargs["context"] = dict(kwargs.get("context") or {}, allowed_company_ids=self.company_ids)
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs}
        answer = self.jsonrpc("/web/dataset/call_kw", params, 120)
        if answer.get("error"):
            raise DemoError(f"{model}.{method}: {answer['error']['data']['message']}")
        return answer.get("result")  # a method that returns None gets no "result" key

    def jsonrpc(self, path, params, at_most):
        """One JSON-RPC call to Odoo, as the web client makes it; the answer's JSON."""
        body = {"jsonrpc": "2.0", "method": "call", "params": params}
        return self.session.post(f"{self.url}{path}", timeout=self.timeout(at_most), json=body).json()

    def login(self):
        # the first login page after the database was created compiles assets: it can take a while
        self.retrying(
            "Odoo's login page answering",
            lambda: self.session.get(f"{self.url}/web/login", timeout=self.timeout(60)).status_code == 200,
        )

        def authenticate():
            answer = self.jsonrpc(
                "/web/session/authenticate", {"db": self.db, "login": "admin", "password": "admin"}, 60
            )
            return (answer.get("result") or {}).get("uid")

        self.user_id = self.retrying("Logging in to Odoo as admin", authenticate)

    def work_in(self, company_id):
        """Switch the web client to this company (first), the others still allowed."""
        self.company_ids = None
        allowed = self.call("res.users", "read", [[self.user_id], ["company_ids"]])[0]["company_ids"]
        self.company_ids = [company_id] + [c for c in allowed if c != company_id]

    def consent(self, url, choose=None):
        """A provider's consent page (the kit's): choose the company whose label starts with
        ``choose`` (else the one offered first), press Connect, and follow the redirect back to
        Odoo's callback. Returns the label chosen."""
        page = self.session.get(url, timeout=self.timeout(30))
        ticket = re.search(r'name="ticket" value="([^"]+)"', page.text)
        action = re.search(r'<form method="post" action="([^"]+)"', page.text)
        if not (page.status_code == 200 and ticket and action):
            raise DemoError(f"the consent page ({page.url}) answered {page.status_code} without its form")
        data = {"ticket": ticket.group(1), "decision": "connect"}
        label = None
        select = re.search(r'<select name="([^"]+)">(.*?)</select>', page.text, re.S)
        if select:
            options = [
                (html.unescape(value), html.unescape(text))
                for value, text in re.findall(r'<option value="([^"]*)">([^<]*)</option>', select.group(2))
            ]
            picked = [o for o in options if choose and o[1].startswith(choose)] or options[:1]
            if not picked:
                raise DemoError(f"the consent page ({page.url}) has no company to choose")
            data[html.unescape(select.group(1))] = picked[0][0]
            label = picked[0][1]
        back = self.session.post(
            urllib.parse.urljoin(page.url, html.unescape(action.group(1))),
            allow_redirects=False,
            timeout=self.timeout(30),
            data=data,
        )
        if "Location" not in back.headers:
            raise DemoError(f"the consent page answered {back.status_code} without sending back to Odoo")
        self.session.get(back.headers["Location"], timeout=self.timeout(120))  # Odoo's callback keeps the tokens
        return label
