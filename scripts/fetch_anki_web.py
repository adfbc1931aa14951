"""Unpack the web folder of Anki's desktop app (reviewer CSS and scripts, MathJax and its settings) for the tests.

Cards are checked the way a learner sees them: Anki's own reviewer stylesheet and its bundled
MathJax with Anki's configuration, in Chromium. They ship in the `aqt` wheel (Anki's GUI), whose
dependencies (Qt) the tests do not need: the wheel alone is downloaded from PyPI, at the version
of the `anki` library the tests import, and `_aqt/data/web` is unpacked, with the reviewer's Python
source (`aqt/reviewer.py`), which the tests read, never run, for the markup it turns into a type-in box.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

VERSION = "26.9.3"  # the `anki` version pinned in pyproject.toml's test extras
PREFIX = "_aqt/data/web/"
NEEDED = ("css/reviewer.css", "js/mathjax.js", "js/vendor/mathjax/")
REVIEWER = "aqt/reviewer.py"  # unpacked as it is named in the wheel


def unpack(wheel: Path, target: Path) -> int:
    """Unpack the reviewer CSS and MathJax from the wheel into `target`; return how many files."""
    count = 0
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            relative = name.removeprefix(PREFIX)
            if (relative != name and relative.startswith(NEEDED) and not name.endswith("/")) or name == REVIEWER:
                path = target / relative
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(archive.read(name))
                count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    """Download the aqt wheel (no dependencies) and unpack its web folder, unless it is already there."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", type=Path, help="folder to unpack into (e.g. .venv/anki-web)")
    args = parser.parse_args(argv)
    stamp = args.target / f".aqt-{VERSION}"
    if stamp.exists() and (args.target / REVIEWER).is_file():
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        command = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--dest", tmp, f"aqt=={VERSION}"]
        subprocess.run(command, check=True)
        (wheel,) = Path(tmp).glob("aqt-*.whl")
        count = unpack(wheel, args.target)
    if count < 10:
        print(f"the aqt wheel held only {count} of the expected files", file=sys.stderr)
        return 1
    stamp.write_text(VERSION, encoding="utf-8")
    print(f"unpacked {count} files of Anki's web folder into {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
