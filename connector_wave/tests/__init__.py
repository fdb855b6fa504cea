from . import test_wave_connect
from . import test_wave_sync
from . import test_wave_webhook
from . import test_wave_export
from . import test_wave_initial_load
