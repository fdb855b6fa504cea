"""The QuickBooks Online sandbox: ``Sandbox().start()`` serves it on a loopback port."""

from .seed import generate_company
from .server import Sandbox
from .store import Company, Fault

__all__ = ["Company", "Fault", "Sandbox", "generate_company"]
