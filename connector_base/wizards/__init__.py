from . import connector_counterpart_wizard
from . import base_partner_merge_automatic_wizard
