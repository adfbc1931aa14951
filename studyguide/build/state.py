"""What each output was built from: fingerprints of its inputs, recorded beside the outputs.

An output whose fingerprint is unchanged since it was written is not rendered again; when every
requested output is unchanged the build does not even parse.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from studyguide import __version__
from studyguide.markup.math.fonts import fonts_digest
from studyguide.markup.math.svg import math_font
from studyguide.renderers import Renderer
from studyguide.stages import Options
from studyguide.store import versions
from studyguide.store.files import write_atomic

STATE_FILE = ".studyguide-state.json"
State = dict[str, dict[str, str]]


def fingerprints(content: Path, formats: list[Renderer], options: Options) -> dict[str, str]:
    """Return, per output, a hash of all it depends on: content, its templates, code, every library, options."""
    digest = hashlib.sha256()
    digest.update(f"{__version__}\0{options.paper}\0{options.edition}\0".encode())
    digest.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode() + b"\0")
    digest.update(versions.environment().encode() + b"\0")
    digest.update(math_font()[1].encode() + b"\0")  # the formulas' font file (a system package)
    digest.update(fonts_digest().encode() + b"\0")  # the fonts of the words inside formulas (system packages)
    versions.hash_tree(digest, content)
    found = {}
    for renderer in formats:
        own = digest.copy()
        own.update(f"{renderer.name}\0".encode())
        for folder in renderer.templates:
            versions.hash_tree(own, options.templates / folder)
        found[renderer.name] = own.hexdigest()
    return found


def read_state(out: Path) -> State:
    """Return the recorded inputs and output hashes of the last build in this folder."""
    try:
        state = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(state, dict):
        return {}
    return {k: v for k, v in state.items() if isinstance(v, dict) and all(isinstance(x, str) for x in v.values())}


def up_to_date(path: Path, inputs: str, state: State) -> bool:
    """Return whether an output exists, is the file the last build wrote, and its inputs are unchanged."""
    record = state.get(path.name)
    if not record or record.get("inputs") != inputs or not path.is_file():
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() == record.get("sha256")


def record(state: State, path: Path, inputs: str, data: bytes) -> None:
    """Note in the state what an output was just written from."""
    state[path.name] = {"inputs": inputs, "sha256": hashlib.sha256(data).hexdigest()}


def write_state(out: Path, state: State) -> None:
    """Write the state file beside the outputs."""
    write_atomic(out / STATE_FILE, json.dumps(state, indent=1, sort_keys=True).encode())


def unchanged(inputs: dict[str, str], out: Path) -> dict[str, Path] | None:
    """Return each output's file if every one was built from exactly these inputs (no need even to parse), else None.

    The file is found by its inputs: its name derives from the guide id, unknown until the content is read.
    """
    state = read_state(out)
    by_inputs = {entry.get("inputs"): name for name, entry in state.items()}
    found = {}
    for name, fingerprint in inputs.items():
        filename = by_inputs.get(fingerprint)
        if filename is None or not up_to_date(out / filename, fingerprint, state):
            return None
        found[name] = out / filename
    return found
