"""The building blocks pages and dialogs share: editors, filters, tables, navigation."""
