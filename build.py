"""Build the study guide: `python build.py --format all` (see --help)."""

import sys

from studyguide.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
