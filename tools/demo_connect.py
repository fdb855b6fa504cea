"""Connect the demo's QuickBooks connection through the real OAuth pages, then Import all.

What a person does in the browser, done by a script: log in to Odoo, press Connect, accept
on the sandbox's Intuit consent page, come back to Odoo's callback; then press Import all.
Usage: demo_connect.py ODOO_URL DB"""

import re
import sys
import time

import requests

odoo_url, db = sys.argv[1].rstrip("/"), sys.argv[2]
session = requests.Session()
for _attempt in range(120):
    try:
        if session.get(f"{odoo_url}/web/login", timeout=5).status_code == 200:
            break
    except requests.ConnectionError:
        pass
    time.sleep(1)


def call(model, method, args, kwargs=None):
    answer = session.post(
        f"{odoo_url}/web/dataset/call_kw",
        timeout=60,
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        },
    ).json()
    if answer.get("error"):
        raise SystemExit(f"{model}.{method}: {answer['error']['data']['message']}")
    return answer.get("result")  # a method that returns None gets no "result" key


session.post(
    f"{odoo_url}/web/session/authenticate",
    timeout=30,
    json={"jsonrpc": "2.0", "method": "call", "params": {"db": db, "login": "admin", "password": "admin"}},
)
backend = call("connector.backend", "search_read", [[("provider", "=", "quickbooks")], ["id", "state"]])[0]
if backend["state"] != "draft":
    # the sandbox starts afresh with every `make run`: the tokens Odoo kept are unknown to it
    call("connector.backend", "action_disconnect", [[backend["id"]]])
action = call("connector.backend", "action_connect", [[backend["id"]]])
consent = session.get(action["url"], timeout=10)
ticket = re.search(r'name="ticket" value="([^"]+)"', consent.text).group(1)
realm = re.search(r'<option value="([^"]+)"', consent.text).group(1)
back = session.post(
    consent.url.split("/connect/")[0] + "/connect/oauth2",
    allow_redirects=False,
    timeout=10,
    data={"ticket": ticket, "realmId": realm, "decision": "connect"},
)
session.get(back.headers["Location"], timeout=60)  # Odoo's callback stores the tokens
backend = call("connector.backend", "search_read", [[("id", "=", backend["id"])], ["id", "state"]])[0]
print(f"  QuickBooks sandbox connection: {backend['state']}")
if backend["state"] == "connected":
    call("connector.backend", "action_import_all", [[backend["id"]]])
    print("  Import all queued: watch Invoicing > Configuration > Connectors > Connections")
