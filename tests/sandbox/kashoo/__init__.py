"""The Kashoo sandbox: a loopback Kashoo built from the public evidence (README.md), every item the
evidence leaves open a switch. It reads nothing outside this package at run time."""

from .server import KashooSandbox

__all__ = ["KashooSandbox"]
