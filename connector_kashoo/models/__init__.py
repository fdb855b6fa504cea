from . import connector_backend
