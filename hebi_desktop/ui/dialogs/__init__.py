"""The windows a page opens over itself: forms, questions, previews and pickers."""
