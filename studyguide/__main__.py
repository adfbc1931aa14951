"""`python -m studyguide`: the same command line as build.py."""

from studyguide.cli import main_entry

main_entry()
