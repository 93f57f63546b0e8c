"""One module per ledger, each exposing ``LEDGER``; found by listing this package.

Adding a fourth ledger is a new module here (plus a migration for its table).
"""
