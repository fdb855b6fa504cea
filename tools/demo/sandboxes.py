"""The demo's sandboxes, one process each, for as long as `make run` runs.

python -m tools.demo.sandboxes ODOO_URL LOG_DIR

Starts ``python -m tests.sandbox.<key>`` of every provider on its port (``<KEY>_SANDBOX_PORT``),
its log in LOG_DIR/<key>-sandbox.log, and waits until each answers. A sandbox that cannot start
(Wave's without its schema, a port in use) is named with the reason and its demo company is left
out; none starting is a failure (exit 2). Prints one line per sandbox, then ``sandboxes ready``;
on SIGTERM or SIGINT stops them all.
"""

import signal
import subprocess
import sys
import time
from pathlib import Path

from . import available, port, providers, url

ROOT = Path(__file__).resolve().parents[2]
START_WAIT = 30  # seconds for one sandbox to answer


def launch(provider, odoo_url, log_dir):
    """Start the provider's sandbox; return (process, log path), or (None, why not)."""
    if available(provider, timeout=1):
        return None, f"port {port(provider)} already answers: another sandbox runs there"
    log_path = Path(log_dir) / f"{provider.KEY}-sandbox.log"
    args = [sys.executable, "-m", f"tests.sandbox.{provider.KEY}", *provider.sandbox_args(port(provider), odoo_url)]
    with open(log_path, "w") as log:
        return subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT), log_path


def answering(provider, process, log_path, deadline):
    """None once the sandbox answers, else why it does not (it stopped, or the deadline passed)."""
    while time.monotonic() < deadline:
        if available(provider, timeout=1):
            return None
        if process.poll() is not None:
            lines = log_path.read_text(errors="replace").strip().splitlines()
            return lines[-1] if lines else f"exit status {process.returncode}"
        time.sleep(0.2)
    process.terminate()
    return f"no answer within {START_WAIT} s"


def main(argv):
    odoo_url, log_dir = argv[1], argv[2]
    # a flag, not a threading.Event: Event.set() in a signal handler can deadlock on the lock the
    # interrupted Event.wait() holds (the process then never stops)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    running = []
    launched = [(provider, *launch(provider, odoo_url, log_dir)) for provider in providers()]  # side by side
    deadline = time.monotonic() + START_WAIT
    for provider, process, detail in launched:
        problem = answering(provider, process, detail, deadline) if process else detail
        if not problem:
            running.append(process)
            print(f"  {provider.LABEL} sandbox: {url(provider)}", flush=True)
        else:
            print(
                f"  {provider.LABEL} sandbox did not start ({problem}): the {provider.LABEL} demo company is left "
                f"out. See {log_dir}/{provider.KEY}-sandbox.log.",
                flush=True,
            )
    if not running:
        print("No sandbox started.", file=sys.stderr, flush=True)
        return 2
    print("sandboxes ready", flush=True)
    while not stop:
        time.sleep(1)
        if stop:  # stopped with the sandboxes, which are in the same process group
            break
        for process in [p for p in running if p.poll() is not None]:
            print(
                f"A sandbox stopped ({process.args[2]}, exit status {process.returncode})", file=sys.stderr, flush=True
            )
            running.remove(process)
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
