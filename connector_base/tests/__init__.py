from . import test_access
from . import test_settings
from . import test_backend_tour
from . import test_accountant_words
from . import test_quiet_conflicts
from . import test_dashboard
from . import test_books_agree
from . import test_shared_budget
