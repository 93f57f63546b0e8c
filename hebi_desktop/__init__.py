"""hebi-desktop: offline data entry for the rural-revitalisation ledgers of Hebi townships.

The package is layered so that everything but ``ui`` works without Qt:
``domain`` declares the ledgers and their rules, ``storage`` keeps records in a
database, ``services`` are the typed operations callers use, ``exchange`` reads
and writes Excel workbooks, ``cli`` and ``ui`` are the two front ends.
"""

__version__ = "0.1.0"
APP_NAME = "hebi-desktop"
APP_TITLE = "鹤壁乡镇台账"
