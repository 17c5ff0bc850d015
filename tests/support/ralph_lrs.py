"""Serve a real ralph LRS (``ralph-malph``, file-system backend) for the xAPI forwarding
tests. Run with the LRS's own interpreter (``.venv-lrs/bin/python``, see ``make lrs``):

    python tests/support/ralph_lrs.py HOST PORT

Configuration comes from ``RALPH_*`` variables (``RALPH_APP_DIR`` holds ``auth.json``,
``RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH`` the statements file). ``ralph
runserver`` itself cannot be used: its development file-system backend creates the
statements file on the first write and refuses every later one ("already exists and
overwrite is not allowed"), so this runs the same ASGI app with that backend appending.
"""

import os
import sys

os.environ.setdefault("RALPH_RUNSERVER_BACKEND", "fs")

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402

if __name__ == "__main__":
    uvicorn.run(app, host=sys.argv[1], port=int(sys.argv[2]), log_level="warning")
