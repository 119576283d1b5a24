"""``python -m painsim``: the ``painsim`` command (:func:`painsim.cli.main`), as ``python -m painsim.cli``."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
