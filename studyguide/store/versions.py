"""What an output depends on besides the content: installed library versions and the package's code.

Versions are read from the `*.dist-info` folders on sys.path: importlib.metadata gives the same
answers but costs about 40 ms to import (it pulls in the email package), which is most of what a
small rebuild spends; the build only needs versions.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent  # the studyguide package


def normalize(name: str) -> str:
    """Return a distribution name in its comparable form (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def installed() -> dict[str, str]:
    """Map every distribution on sys.path to its version; the first on the path wins, as for imports."""
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in sorted(entries):
            stem = entry.removesuffix(".dist-info")
            if stem != entry and stem.count("-") == 1:  # "<name>-<version>", the name's dashes written as "_"
                name, version = stem.split("-")
                found.setdefault(normalize(name), version)
    return found


def version(name: str) -> str | None:
    """Return an installed distribution's version, or None when it is not installed."""
    return installed().get(normalize(name))


def hash_tree(digest: hashlib._Hash, root: Path, pattern: str = "*") -> None:
    """Feed every file below a folder (path and bytes, in sorted order) into a digest."""
    # Links are not followed and special files not opened: nothing outside the folder is read.
    files = (p for p in root.rglob(pattern) if not p.is_symlink() and p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(files):
        digest.update(os.fsencode(path.relative_to(root)) + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


@functools.cache
def environment() -> str:
    """Return a hash of what besides the content decides an output's bytes: Python, every installed
    distribution (not only the pinned ones: Pyphen, fontTools, Pillow... change the PDF too) and this code."""
    digest = hashlib.sha256(f"{sys.implementation.name} {sys.version}\0{code_digest()}\0".encode())
    for name, number in sorted(installed().items()):
        digest.update(f"{name}={number}\0".encode())
    return digest.hexdigest()


@functools.cache
def code_digest() -> str:
    """Return a hash of the package's own source files (path and bytes): what this build's code is."""
    digest = hashlib.sha256()
    hash_tree(digest, PACKAGE, "*.py")
    hash_tree(digest, PACKAGE / "locales", "*.po")  # the outputs' own words
    hash_tree(digest, PACKAGE / "markup" / "math" / "data", "*")  # MathJax's names, mhchem's parser
    return digest.hexdigest()
