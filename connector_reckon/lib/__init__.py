"""Reckon One connector, pure Python: the API v2 client, the mappers and the ProviderAdapter."""
