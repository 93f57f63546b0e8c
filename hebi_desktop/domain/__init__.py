"""The ledgers as data: fields, choice lists, rules and validation. No Qt, no SQL."""
