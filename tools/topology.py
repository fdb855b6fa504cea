"""The Odoo deployment `make bench` and `make chaos` run against (TOPOLOGY):

- ``single`` (the default): one threaded Odoo process (``workers = 0``) with queue_job's
  runner in it, as every figure before issue 19;
- ``prefork``: one Odoo server with TOPOLOGY_WORKERS (default 2) prefork HTTP workers, a cron
  worker and queue_job's runner process;
- ``two-nodes``: two such servers on the one database behind a round-robin TCP balancer
  (what a load balancer in front of several machines does; prefork has it in front too, as
  a reverse proxy: an Odoo prefork server listens with a backlog of 8 per worker, and the
  bench's 50 concurrent deliveries straight to 2 workers met connection resets). Both run queue_job's runner and
  PostgreSQL elects one (queue_job's advisory lock): one runner hands every job to the
  balancer, so jobs run on either node; when the node of the elected runner dies, the other
  node's runner takes over within seconds.

``server(conf, db, port, ...)`` gives an object with the harness's ``OdooServer`` interface
(start, stop, restart = SIGKILL and start again, url, port, process.poll(), restarts). The
public port is ``port`` in every topology (the balancer's, in prefork and two-nodes); the
nodes listen on TOPOLOGY_PORTS (default port+1, and port+5 for the second; each node's
gevent port is its port + 2).

Channel capacities (``channels``): the root channel gets as many jobs at once as there are
HTTP workers in the cluster, and each provider's channel no more than the provider's cap on
requests in flight, so a second job never waits on the shared in-flight budget.
"""

import os
import signal
import socket
import subprocess
import threading
import time

from tools.harness import ODOO, OdooServer, say, track, untrack, wait_answering

TOPOLOGIES = ("single", "prefork", "two-nodes")
#: a provider's cap on requests in flight for one connection (the clients' constants); Kashoo
#: documents none, so its channel takes as many jobs as the cluster has workers
PROVIDER_IN_FLIGHT = {"quickbooks": 10, "wave": 2, "reckon": 4, "kashoo": None}


def current():
    name = os.environ.get("TOPOLOGY") or "single"
    if name not in TOPOLOGIES:
        raise SystemExit(f"TOPOLOGY={name}: one of {', '.join(TOPOLOGIES)}")
    return name


def workers():
    return int(os.environ.get("TOPOLOGY_WORKERS") or 2)


def channels(root):
    """queue_job's ``channels`` option: ``root`` jobs at once in all, each provider's channel
    capped at its in-flight limit (and at ``root``)."""
    parts = [f"root:{root}", f"root.connector:{root}"]
    parts += [f"root.connector.{name}:{min(root, cap or root)}" for name, cap in sorted(PROVIDER_IN_FLIGHT.items())]
    return ",".join(parts)


def in_flight_caps():
    """The in-flight caps the provider clients enforce, read from their modules (the unit test
    holds ``PROVIDER_IN_FLIGHT`` to them)."""
    from odoo.addons.connector_quickbooks.lib import client as quickbooks
    from odoo.addons.connector_reckon.lib import client as reckon
    from odoo.addons.connector_wave.lib import client as wave

    return {"quickbooks": quickbooks.LIMIT_CONCURRENT, "wave": wave.CONCURRENT, "reckon": reckon.CONCURRENT}


def load():
    """The machine's load averages (1, 5, 15 min) and cores, to read figures by."""
    one, five, fifteen = os.getloadavg()
    return {"load_1m": round(one, 2), "load_5m": round(five, 2), "load_15m": round(fifteen, 2), "cores": os.cpu_count()}


def describe(server_object):
    info = {"topology": current(), **load()}
    if isinstance(server_object, Cluster):
        info.update(server_object.describe())
    return info


def server(conf, db, port, log_path=None, log_level="warn"):
    """The harness's Odoo server in the current topology. The nodes of a cluster log to
    ``log_path``, else to .odoo/odoo-<db>.log (warnings and errors)."""
    name = current()
    if name == "single":
        return OdooServer(conf, db, port, log_path=log_path, log_level=log_level)
    log_path = log_path or os.path.join(os.path.dirname(conf), f"odoo-{db}.log")
    default = f"{port + 1}" if name == "prefork" else f"{port + 1},{port + 5}"
    ports = [int(p) for p in (os.environ.get("TOPOLOGY_PORTS") or default).split(",")]
    nodes = [Node(conf, db, p, p + 2, log_path, log_level, f"node{n + 1}") for n, p in enumerate(ports)]
    return Cluster(nodes, port, balancer=True)


class Node:
    """One Odoo server with prefork workers, in a process group of its own (a SIGKILL takes
    the master, its workers, the cron worker and the job runner at once, as a dying machine)."""

    def __init__(self, conf, db, port, gevent_port, log_path, log_level, name):
        self.conf, self.db, self.port, self.gevent_port = conf, db, port, gevent_port
        self.log_path, self.log_level, self.name = log_path, log_level, name
        self.process = None
        self.runner_port = port  # where its job runner sends jobs (the balancer in two-nodes)
        self.root_capacity = workers()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait=180):
        command = [
            ODOO, "-c", self.conf, "-d", self.db,
            "--http-port", str(self.port), "--gevent-port", str(self.gevent_port),
            f"--workers={workers()}", "--max-cron-threads=1",
            # a job is one HTTP request to a worker: the defaults (60 s CPU, 120 s real) would
            # kill a long page of the initial import
            "--limit-time-cpu=900", "--limit-time-real=1800", "--db_maxconn=16",
            f"--log-level={self.log_level}",
        ]  # fmt: skip
        if self.log_path:
            command.append(f"--logfile={self.log_path}")
        env = dict(
            os.environ,
            ODOO_QUEUE_JOB_CHANNELS=channels(self.root_capacity),
            ODOO_QUEUE_JOB_PORT=str(self.runner_port),
            ODOO_QUEUE_JOB_HOST="127.0.0.1",
        )
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True
        )
        track(self.process, group=True)
        wait_answering(self.process, self.url, wait, self.name)

    def kill(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)
        untrack(self.process)

    def stop(self):
        if not self.process or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
            untrack(self.process)
        except subprocess.TimeoutExpired:
            self.kill()
        except ProcessLookupError:
            untrack(self.process)


class _AnyDown:
    """``process.poll()`` of a cluster: a node's exit status when one died, else None."""

    def __init__(self, cluster):
        self.cluster = cluster

    def poll(self):
        for node in self.cluster.nodes:
            if node.process is not None and node.process.poll() is not None:
                return node.process.returncode
        return None


class Cluster:
    """Nodes on one database, behind a balancer when there are several."""

    def __init__(self, nodes, port, balancer):
        self.nodes, self.port = nodes, port
        self.balancer = Balancer(port, [n.port for n in nodes]) if balancer else None
        if self.balancer:
            for node in nodes:
                node.runner_port = port
                node.root_capacity = workers() * len(nodes)
        self.process = _AnyDown(self)
        self.restarts = 0
        self.killed = []  # the node each SIGKILL hit, in order

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def describe(self):
        return {
            "nodes": len(self.nodes),
            "workers_per_node": workers(),
            "channels": channels(self.nodes[0].root_capacity),
            "kills": list(self.killed),
        }

    def start(self):
        if self.balancer:
            self.balancer.start()
        for node in self.nodes:
            node.start()
        say(f"   Odoo: {len(self.nodes)} node(s) x {workers()} workers ({current()}), {self.url}")

    def kill(self):
        """SIGKILL the next node in turn (node1, node2, node1, ...)."""
        node = self.nodes[len(self.killed) % len(self.nodes)]
        node.kill()
        self.killed.append(node.name)
        return node

    def restart(self):
        node = self.kill()
        self.restarts += 1
        say(f"   SIGKILL hit {node.name}")
        node.start()

    def stop(self):
        for node in self.nodes:
            node.stop()
        if self.balancer:
            self.balancer.stop()


class Balancer:
    """A round-robin TCP balancer on ``port`` over ``targets`` (loopback ports): a connection
    goes to the next node that accepts it."""

    def __init__(self, port, targets):
        self.port, self.targets = port, list(targets)
        self.sock = None
        self.turn = 0
        self.lock = threading.Lock()
        self.running = False

    def start(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", self.port))
        self.sock.listen(256)
        self.running = True
        threading.Thread(target=self._accept, name="balancer", daemon=True).start()

    def stop(self):
        self.running = False
        if self.sock:
            self.sock.close()

    def _accept(self):
        while self.running:
            try:
                client, _address = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        with self.lock:
            order = self.targets[self.turn :] + self.targets[: self.turn]
            self.turn = (self.turn + 1) % len(self.targets)
        upstream = None
        for target in order:
            try:
                upstream = socket.create_connection(("127.0.0.1", target), timeout=5)
                upstream.settimeout(None)
                break
            except OSError:
                continue
        if upstream is None:
            client.close()
            return
        threading.Thread(target=_pipe, args=(upstream, client), daemon=True).start()
        _pipe(client, upstream)


def _pipe(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, target):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()


def budget_mode():
    """ "shared" (every process and node of the database, the default) or "per-process"
    (CONNECTOR_SHARED_BUDGET=0: each Odoo process keeps its own budget)."""
    from odoo.addons.connector_base.lib.ratelimit import shared_budget_enabled

    return "shared" if shared_budget_enabled() else "per-process"


def record(report, report_path, provider):
    """Keep this run's figures beside the other topologies' in ``topologies.json`` (next to the
    report), one entry per provider, topology and budget mode, the latest run of each."""
    import json

    path = report_path.parent / "topologies.json"
    try:
        runs = json.loads(path.read_text())
    except (OSError, ValueError):
        runs = {}
    key = f"{provider} {current()}" + ("" if budget_mode() == "shared" else " (budget per process)")
    report["topology"]["budget"] = budget_mode()
    report["topology"]["finished_at"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    runs[key] = report
    path.write_text(json.dumps(runs, indent=2, default=str))
