from . import test_access
from . import test_settings
from . import test_backend_tour
