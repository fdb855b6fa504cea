"""The Reckon One sandbox: ``Sandbox().start()`` serves it on a loopback port (API under ``/r1/v2``)."""

from .seed import generate_book
from .server import Sandbox
from .store import Book, ReckonError

__all__ = ["Book", "ReckonError", "Sandbox", "generate_book"]
