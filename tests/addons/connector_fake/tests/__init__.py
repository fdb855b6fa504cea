from . import test_engine
from . import test_schedules
from . import test_accountant_screens
from . import test_credits
from . import test_dual_role
from . import test_tax_modes
