"""``python -m hebi_desktop`` behaves like the ``hebi-desktop`` command."""

import multiprocessing
import sys

from hebi_desktop.cli import main

if __name__ == "__main__":
    # In the frozen Windows program a helper process (a big sheet's reader) starts as this
    # same executable: this hands it over to multiprocessing before anything else runs.
    multiprocessing.freeze_support()
    sys.exit(main())
