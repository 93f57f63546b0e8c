"""Kept for older imports: the record of submissions lives in ``services/submissions.py``."""

from hebi_desktop.services.submissions import (
    SubmissionInfo,
    describe_filters,
    last_submission,
    list_submissions,
    query_filters,
)

__all__ = [
    "SubmissionInfo",
    "describe_filters",
    "last_submission",
    "list_submissions",
    "query_filters",
]
