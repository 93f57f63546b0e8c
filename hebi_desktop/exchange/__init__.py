"""Excel exchange: county-ready workbooks out (openpyxl, write-only), clerks' sheets in
(python-calamine). See LEDGERS.md for the layout both directions follow.

Nothing heavy is imported here: the command line builds its options from this package
without loading the Excel libraries."""

ON_DUPLICATE = ("error", "skip", "update")  # what an import does with a stored record's twin
