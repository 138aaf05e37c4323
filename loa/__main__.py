"""`python -m loa`: the same as the `loa` command."""

import sys

from loa.cli import main

sys.exit(main())
