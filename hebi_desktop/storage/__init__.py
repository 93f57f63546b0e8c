"""Where records live: SQLAlchemy models generated from the ledger declarations,
engine set-up (SQLite tuned for safety, or any SQLAlchemy URL), migrations and backups."""
