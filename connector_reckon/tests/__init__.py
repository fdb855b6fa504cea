from . import test_reckon_connect
from . import test_reckon_sync
from . import test_reckon_webhook
from . import test_reckon_export
from . import test_reckon_initial_load
