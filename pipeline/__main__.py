"""``python -m pipeline`` is the ``impact`` command."""

import sys

from pipeline.cli import main

sys.exit(main())
