from . import test_engine
from . import test_schedules
from . import test_tax_modes
