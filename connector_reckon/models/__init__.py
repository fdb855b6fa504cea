from . import connector_reckon_book
from . import connector_backend
from . import connector_backend_connect
