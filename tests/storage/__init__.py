"""Tests of hebi_desktop.storage."""
