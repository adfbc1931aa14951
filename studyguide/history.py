"""When each section file last changed, from git: so an edited question reaches learners without a release.

Anki updates a note only when the imported one is newer. A question whose content differs from
the Anki lock is dated at least the time of the last commit that changed its file: each new commit
of an edit dates it later than any build before, and the same content at the same commit always
gets the same time (the same bytes). A file with uncommitted changes is dated now (or
`SOURCE_DATE_EPOCH`). Outside a git work tree there is no history: then only a release makes an
edit newer than the last one (the build says so).

The content folder is untrusted: a repository inside it (its own `.git`) is not read, and git runs
with the file-system monitor and hooks off, so no configuration of the content's can run a command.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

GIT = ["git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null", "-c", "core.quotePath=false"]


def _git(root: Path, *args: str) -> str | None:
    """Run git in the content folder; return its output, or None when it fails or is not there."""
    try:
        done = subprocess.run([*GIT, "-C", str(root), *args], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def now() -> int:
    """Return the time of an uncommitted edit: SOURCE_DATE_EPOCH, else the clock."""
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(env) if env.isdigit() else int(time.time())


def file_times(root: Path, files: tuple[Path, ...]) -> dict[Path, int] | None:
    """Return, for each file, when it last changed in git (now, if it has uncommitted changes); None outside git."""
    if (root / ".git").exists():
        return None
    if not any((folder / ".git").exists() for folder in root.resolve().parents):  # no work tree: no git to ask
        return None
    top = _git(root, "rev-parse", "--show-toplevel")
    if top is None:
        return None
    toplevel = Path(top.strip()).resolve()
    wanted = {path.resolve().relative_to(toplevel).as_posix(): path for path in files if _inside(path, toplevel)}
    times: dict[Path, int] = {}
    dirty = _git(
        root, "--no-optional-locks", "status", "--porcelain", "--untracked-files=all", "--no-renames", "--", "."
    )
    for line in (dirty or "").splitlines():
        name = line[3:]
        if name in wanted:
            times[wanted[name]] = now()
    history = _git(root, "log", "--format=@%ct", "--name-only", "--no-renames", "--", ".") or ""
    when = 0
    for line in history.splitlines():
        if line.startswith("@"):
            when = int(line[1:])
        elif line in wanted and wanted[line] not in times:
            times[wanted[line]] = when
    return times


def _inside(path: Path, top: Path) -> bool:
    """Tell whether a file lies inside the work tree."""
    return path.resolve().is_relative_to(top)
