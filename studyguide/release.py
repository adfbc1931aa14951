"""Releasing the Anki deck: what changed since the last release, and writing the lock into the content folder.

Both read the Anki renderer's pure snapshot of the notes; only a release writes (the lock,
`content/anki.lock.json`, which the author commits). No renderer writes into the content folder.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from . import lock
from .model import Guide
from .output import write_atomic
from .renderers.anki import snapshot
from .renderers.base import Job


def lock_path(guide: Guide) -> Path:
    """Return where the guide's Anki lock lives: in the content folder."""
    return guide.root / lock.LOCK_FILE


def changes(job: Job) -> lock.Changes:
    """Return what differs in the deck since the last release."""
    return lock.changes(snapshot(job), job.resources.lock)


def release(job: Job, now: int) -> tuple[lock.Changes, Job]:
    """Write the lock for the current content, stamping what changed with `now`.

    Returns the changes and the job with the new lock, which the deck is then built from.
    """
    current = snapshot(job)
    found = lock.changes(current, job.resources.lock)
    if not found.any():
        return found, job
    released = lock.release(current, job.resources.lock, now)
    write_atomic(lock_path(job.guide), lock.dump(released).encode())
    resources = dataclasses.replace(job.resources, lock=released)
    return found, dataclasses.replace(job, resources=resources)
