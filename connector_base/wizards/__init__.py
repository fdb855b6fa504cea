from . import connector_counterpart_wizard
