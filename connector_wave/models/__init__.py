from . import connector_wave_business
from . import connector_backend
from . import connector_backend_connect
from . import connector_engine
