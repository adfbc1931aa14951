"""Build the study guide: `python build.py --format all` (see --help)."""

from studyguide.cli import main_entry

if __name__ == "__main__":
    main_entry()
