from . import test_quickbooks_sync
from . import test_quickbooks_initial_load
from . import test_quickbooks_security
from . import test_quickbooks_published_documents
from . import test_quickbooks_accountant
from . import test_quickbooks_credits
from . import test_quickbooks_dual_role
from . import test_quickbooks_tax_modes
