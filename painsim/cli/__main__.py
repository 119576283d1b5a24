"""``python -m painsim.cli``: the ``painsim`` command (:func:`painsim.cli.main`)."""
import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
