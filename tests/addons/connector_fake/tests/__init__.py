from . import test_engine
from . import test_schedules
