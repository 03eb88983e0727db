"""``python -m toolgym`` is the ``toolgym`` command."""

import sys

from toolgym.cli import main

sys.exit(main())
