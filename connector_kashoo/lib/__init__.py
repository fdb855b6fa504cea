"""Kashoo's pure-Python layer: settings, client, probe, mappers and adapter (no ORM)."""
