"""The build: a Request through the fixed lifecycle (up to date? load, check, release, render, write)."""
