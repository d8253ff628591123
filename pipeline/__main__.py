"""``python -m pipeline`` is the ``impact`` command."""

import sys

from .cli import main

sys.exit(main())
