"""Piccolo configuration: ``PICCOLO_CONF=matching.piccolo_conf``.

The engine comes from ``DATABASE_URL`` (see :mod:`matching.settings`).
"""

from piccolo.conf.apps import AppRegistry

from matching.db import make_engine
from matching.settings import load_settings

DB = make_engine(load_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["matching.piccolo_app"])
