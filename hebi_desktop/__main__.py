"""``python -m hebi_desktop`` behaves like the ``hebi-desktop`` command."""

import sys

from hebi_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
