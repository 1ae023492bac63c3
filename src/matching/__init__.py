"""The domain and the ranking engine of the platform."""

import os

# Piccolo's finder (migrations, engine lookup) reads its configuration module
# from this variable; every entry point gets the same one.
os.environ.setdefault("PICCOLO_CONF", "matching.piccolo_conf")
