"""Pure-Python QuickBooks Online parts: the API client, the mappers and the adapter."""
