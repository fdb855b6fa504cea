from . import connector_import
