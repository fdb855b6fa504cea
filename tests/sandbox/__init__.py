"""Loopback sandboxes of the providers' APIs (DESIGN.md §7), for tests, the demo and the benchmark."""
