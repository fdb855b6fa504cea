from . import connector_fake_record
from . import connector_backend
