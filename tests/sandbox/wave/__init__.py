"""The Wave sandbox: a loopback Wave that executes queries and mutations against Wave's own
published GraphQL schema (read from ../shared at run time, never copied here)."""
