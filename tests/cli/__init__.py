"""Tests of hebi_desktop.cli."""
