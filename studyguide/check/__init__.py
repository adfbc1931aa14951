"""Checking: the one validation pass over the parsed guide, and the lint of `check`."""
