"""connector_wave's pure-Python layer: the GraphQL client, the mappers and the ProviderAdapter.

Nothing here imports the ORM: it is unit-tested without a database (tests/unit/test_wave_*.py)."""
