from . import test_kashoo_connect
from . import test_kashoo_contacts
from . import test_kashoo_export
from . import test_kashoo_initial_load
from . import test_kashoo_sync
