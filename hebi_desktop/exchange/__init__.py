"""Excel exchange: county-ready workbooks out (openpyxl, write-only), clerks' sheets in
(python-calamine). See LEDGERS.md for the layout both directions follow."""
