"""The production topologies of `make bench` and `make chaos` (tools/topology.py): queue_job
channel capacities held to the providers' in-flight caps, and the balancer in front of two
nodes spreading connections over both and past a dead one."""

import http.server
import threading

import pytest
import requests

from tools import topology


def test_each_provider_channel_takes_no_more_jobs_than_its_in_flight_cap():
    for name, cap in topology.in_flight_caps().items():
        assert topology.PROVIDER_IN_FLIGHT[name] == cap, name
    config = dict(part.split(":") for part in topology.channels(16).split(","))
    assert config["root"] == "16"
    assert config["root.connector.quickbooks"] == "10"  # Intuit: 10 requests at once per realm
    assert config["root.connector.wave"] == "2"
    assert config["root.connector.reckon"] == "4"
    assert config["root.connector.kashoo"] == "16"  # none documented: the cluster's workers
    small = dict(part.split(":") for part in topology.channels(4).split(","))
    assert small["root.connector.quickbooks"] == "4"  # never more than the root channel


def test_an_unknown_topology_is_refused(monkeypatch):
    monkeypatch.setenv("TOPOLOGY", "three-nodes")
    with pytest.raises(SystemExit, match="one of single, prefork, two-nodes"):
        topology.current()


def _node(name):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = name.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_balancer_spreads_requests_over_the_nodes_and_skips_a_dead_one():
    one, two = _node("one"), _node("two")
    balancer = topology.Balancer(_free_port(), [one.server_address[1], two.server_address[1]])
    balancer.start()
    try:
        url = f"http://127.0.0.1:{balancer.port}/"
        answers = [requests.get(url, timeout=5).text for _ in range(6)]
        assert sorted(set(answers)) == ["one", "two"] and answers.count("one") == 3
        two.shutdown()
        two.server_close()
        assert {requests.get(url, timeout=5).text for _ in range(4)} == {"one"}
    finally:
        balancer.stop()
        one.shutdown()
