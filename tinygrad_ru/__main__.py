"""``python -m tinygrad_ru train …`` — the same as the ``tinygrad-ru`` command."""

import sys

from .cli import main

sys.exit(main())
