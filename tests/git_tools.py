"""A test's own git: commits by a fixed author at a given time (Unix seconds, any year git accepts)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git(folder: Path, *args: str, when: int) -> None:
    """Run git in a folder as a fixed author, with a given commit time."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(folder),
        "GIT_AUTHOR_NAME": "author",
        "GIT_AUTHOR_EMAIL": "author@example.org",
        "GIT_COMMITTER_NAME": "author",
        "GIT_COMMITTER_EMAIL": "author@example.org",
        "GIT_AUTHOR_DATE": f"@{when} +0000",
        "GIT_COMMITTER_DATE": f"@{when} +0000",
    }
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)
