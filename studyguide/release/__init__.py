"""Releasing the deck: what changed since the last release, and writing the lock into the content folder.

Both take the snapshot that the format whose learners keep state (the Anki deck) computed once
for the build; only a release writes (the lock, `content/anki.lock.json`, which the author
commits). No renderer writes into the content folder.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from studyguide.model import Guide
from studyguide.release import lock
from studyguide.stages import Job, Snapshot
from studyguide.store.files import write_atomic


def lock_path(guide: Guide) -> Path:
    """Return where the guide's Anki lock lives: in the content folder."""
    return guide.root / lock.LOCK_FILE


def changes(job: Job, current: Snapshot) -> lock.Changes:
    """Return what differs in the deck since the last release."""
    return lock.changes(current, job.resources.lock)


def release(job: Job, current: Snapshot, now: int) -> tuple[lock.Changes, Job]:
    """Write the lock for the current content, stamping what changed with `now`.

    Returns the changes and the job with the new lock, which the deck is then built from.
    """
    found = lock.changes(current, job.resources.lock)
    if not found.any():
        return found, job
    released = lock.release(current, job.resources.lock, now)
    write_atomic(lock_path(job.guide), lock.dump(released).encode())
    resources = dataclasses.replace(job.resources, lock=released)
    return found, dataclasses.replace(job, resources=resources)
