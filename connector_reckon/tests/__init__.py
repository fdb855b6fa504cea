from . import test_reckon_connect
