"""Settings modules: ``base`` (everything, read from the environment), ``local`` (the default
for ``manage.py``), ``test`` and ``production``."""
