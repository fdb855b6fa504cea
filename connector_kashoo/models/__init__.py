from . import connector_backend
from . import connector_backend_connect
