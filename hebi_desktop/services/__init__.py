"""Typed operations between the front ends (CLI, GUI) and the database.

Each write is one transaction together with its audit entry; callers never see
SQL. Failures a clerk can act on are :class:`~hebi_desktop.errors.UserError`
subclasses carrying a Chinese message.
"""
