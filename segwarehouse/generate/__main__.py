"""``python -m segwarehouse.generate``: see segwarehouse.generate.cli."""

import sys

from segwarehouse.generate.cli import main

sys.exit(main())
