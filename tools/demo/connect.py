"""Connect every demo connection as the accountant would, then Import all, and wait until the
job queue has brought each sandbox company in (tools/demo_connect.py).

Per connection: log in to Odoo, switch to its company, Connect (the provider's own way: a consent
page and its company choice, a sign-in form), check it is connected, then Import all. The imports
run side by side; the line ``Demo ready: ...`` says what each brought (the smoke check of
``make test`` waits for it).
"""

from . import available, providers
from .browser import DemoError

WAITING = ["wait_dependencies", "pending", "enqueued", "started"]


def connect(browser, provider):
    found = browser.call(
        "connector.backend",
        "search_read",
        [[("provider", "=", provider.KEY)], ["id", "state", "company_id", "display_name"]],
    )
    if not found:
        raise DemoError(f"the demo database has no {provider.LABEL} connection (tools/demo_setup.py did not run)")
    connection = found[0]
    browser.work_in(connection["company_id"][0])
    if connection["state"] != "draft":
        # the sandbox starts afresh with every `make run`: the tokens Odoo kept are unknown to it
        browser.call("connector.backend", "action_disconnect", [[connection["id"]]])
    chosen = provider.connect(browser, connection)
    state = browser.call("connector.backend", "read", [[connection["id"]], ["state", "tenant_name"]])[0]
    if state["state"] != "connected":
        raise DemoError(f"the {provider.LABEL} connection is '{state['state']}' after connecting")
    print(
        f"  {provider.LABEL} sandbox connection ({connection['company_id'][1]}): connected to "
        f"{state['tenant_name'] or chosen}",
        flush=True,
    )
    browser.call("connector.backend", "action_import_all", [[connection["id"]]])
    return connection


def wait_imported(browser, connections):
    browser.work_in(connections[0]["company_id"][0])  # every company allowed: the counts read them all

    def finished():
        waiting = browser.call("queue.job", "search_count", [[("state", "in", WAITING)]])
        return waiting == 0 and all(
            browser.call("connector.binding", "search_count", [[("backend_id", "=", c["id"])]]) for c in connections
        )

    browser.retrying("The initial imports finishing", finished, pause=2.0)
    parts = []
    for connection in connections:
        counts = browser.call(
            "connector.binding",
            "read_group",
            [[("backend_id", "=", connection["id"])], ["external_type"], ["external_type"]],
            {"lazy": False},
        )
        quarantined = browser.call(
            "connector.quarantine",
            "search_count",
            [[("backend_id", "=", connection["id"]), ("state", "=", "open")]],
        )
        summary = ", ".join(f"{row['__count']} {row['external_type']}" for row in counts)
        parts.append(f"{connection['label']} ({summary}; {quarantined} in quarantine)")
        print(f"  {connection['label']}: imported {summary}; {quarantined} in quarantine", flush=True)
    return parts


def run(browser):
    """Connect and import every provider whose sandbox runs; return the failures (provider
    label, what went wrong), after the others are imported."""
    browser.login()
    connections, failures = [], []
    for provider in providers():
        if not available(provider):
            print(f"  {provider.LABEL}: its sandbox is not running, not connected", flush=True)
            continue
        try:
            connection = connect(browser, provider)
        except DemoError as exc:
            failures.append((provider.LABEL, str(exc)))
            continue
        connection["label"] = provider.LABEL
        connections.append(connection)
    if connections:
        print("  Import all queued: watch Invoicing > Configuration > Connectors > Connections", flush=True)
        parts = wait_imported(browser, connections)
        if not failures:
            print(f"Demo ready: {'; '.join(parts)}: connected to their sandboxes and imported", flush=True)
    elif not failures:
        failures.append(("every provider", "no sandbox is running"))
    return failures
