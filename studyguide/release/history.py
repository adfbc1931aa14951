"""When each section file last changed, from git: so an edited question reaches learners without a release.

Anki updates a note only when the imported one is newer. A question whose content differs from
the Anki lock is dated at least the time of the last commit that changed its file: each new commit
of an edit dates it later than any build before, and the same content at the same commit always
gets the same time (the same bytes). A file whose bytes differ from the commit at HEAD (edited,
staged or untracked) is dated now (or `SOURCE_DATE_EPOCH`). Outside a git work tree there is no
history: then only a release makes an edit newer than the last one (the build says so).

The content folder is untrusted: a contributor can put anything in it, including the files of a
git directory (`HEAD`, `config`, `objects/`) whose `config` names a filter command. So git is never
left to discover a repository: the one used is the first `.git` found from the content folder's
parent outward, named with `--git-dir` and `--work-tree`, with `safe.bareRepository=explicit`,
hooks, the file-system monitor, external diff and textconv off. Only commit times, commit ids and
blob ids are read (`log --name-only`, `ls-tree`), which run no filter; whether a file is edited is
decided here by hashing its bytes as they are, never by `git status` (which runs the clean filter
that `.gitattributes` names). A commit dated after the build (more than an hour) is taken as now,
with a warning naming it: a note dated in the future could never be updated again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from studyguide.errors import Problem

GIT = [
    "git",
    "--literal-pathspecs",
    "-c",
    "safe.bareRepository=explicit",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "diff.external=",
    "-c",
    "log.showSignature=false",
]
FUTURE_TOLERANCE = 3600  # seconds a commit may lie ahead of this machine's clock (another machine's skew)
GIT_DIRECTORY_SIGNS = ("HEAD", "objects", "refs")  # what makes git take a folder for a bare repository
HEADER = re.compile(rb"^@(\d{1,12}) ([0-9a-f]{40,64})$")


@dataclass
class History:
    """Each file's last change in git (now, if its bytes differ from HEAD), and what the reading found odd."""

    times: dict[Path, int] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


def now() -> int:
    """Return the time of an uncommitted edit: SOURCE_DATE_EPOCH, else the clock."""
    env = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    return int(env) if env.isdigit() else int(time.time())


def repository(root: Path) -> Path | None:
    """Return the work tree whose `.git` is nearest above the content folder (never inside it), or None."""
    for folder in root.resolve().parents:
        if (folder / ".git").exists():
            return folder
    return None


def looks_like_git(root: Path) -> bool:
    """Tell whether the content folder holds a repository of its own or the files of a git directory."""
    return (root / ".git").exists() or all((root / name).exists() for name in GIT_DIRECTORY_SIGNS)


def _git(top: Path, *args: str) -> bytes | None:
    """Run git on the work tree `top` and its own `.git`; return its output, or None when it fails."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    command = [*GIT, f"--git-dir={top / '.git'}", f"--work-tree={top}", *args]
    try:
        done = subprocess.run(command, capture_output=True, timeout=120, env=env, cwd=top, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def file_times(root: Path, files: tuple[Path, ...], clock: float | None = None) -> History | None:
    """Return when each file last changed in git, and warnings; None when no repository holds the content."""
    if looks_like_git(root):
        message = "the content folder looks like a git repository (.git, or HEAD, objects/ and refs/): git never "
        return History(warnings=[Problem(root, 0, message + "runs inside it; questions are not dated", "warning")])
    top = repository(root)
    if top is None or (fmt := _git(top, "rev-parse", "--show-object-format")) is None:
        return None
    wanted = {os.fsencode(p.resolve().relative_to(top)): p for p in files if p.resolve().is_relative_to(top)}
    history = History()
    where = os.fsencode(root.resolve().relative_to(top)) or b"."
    committed = _blobs(_git(top, "ls-tree", "-r", "-z", "--full-tree", "HEAD", "--", os.fsdecode(where)) or b"")
    for name, path in wanted.items():
        if committed.get(name) != _blob_id(path, fmt.strip().decode()):
            history.times[path] = now()
    names = ("log", "-z", "--format=@%ct %H", "--name-only", "--no-renames", "--no-textconv", "--no-ext-diff")
    log = _git(top, *names, "--", os.fsdecode(where))
    latest = int(clock if clock is not None else time.time()) + FUTURE_TOLERANCE
    for name, when, commit in _changes(log or b""):
        changed = wanted.get(name)
        if changed is None or changed in history.times:
            continue
        if when > latest:
            history.warnings.append(Problem(changed, 0, _future(commit, when), "warning"))
            when = now()
        history.times[changed] = when
    return history


def _blobs(listing: bytes) -> dict[bytes, str]:
    """Return the blob id of each file in `ls-tree -r -z` output."""
    found = {}
    for entry in listing.split(b"\0"):
        info, _, name = entry.partition(b"\t")
        parts = info.split(b" ")
        if len(parts) == 3 and parts[1] == b"blob":
            found[name] = parts[2].decode("ascii", "replace")
    return found


def _blob_id(path: Path, fmt: str) -> str:
    """Return the id git gives a file's bytes as they are (no filter, no line-ending conversion)."""
    try:
        data = path.read_bytes()
    except OSError:
        return ""
    return hashlib.new("sha256" if fmt == "sha256" else "sha1", b"blob %d\0" % len(data) + data).hexdigest()


def _changes(log: bytes) -> list[tuple[bytes, int, str]]:
    """Return (file, commit time, commit id) for each file each commit changed, newest commit first."""
    found = []
    when, commit, first = 0, "", False
    for token in log.split(b"\0"):
        name = token[1:] if first and token.startswith(b"\n") else token
        first = False
        header = HEADER.match(token)
        if header:
            when, commit, first = int(header[1]), header[2].decode(), True
        elif name:
            found.append((name, when, commit))
    return found


def _future(commit: str, when: int) -> str:
    """Return the warning for a commit dated after the build."""
    day = dt.datetime.fromtimestamp(min(when, 253402300799), dt.UTC).strftime("%Y-%m-%d")
    return (
        f"commit {commit[:12]} is dated {day}, in the future: the file is dated now instead "
        "(a note dated in the future could never be updated by a later release)"
    )
