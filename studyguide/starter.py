"""`studyguide new DIR`: a guide that builds at once; `studyguide templates DIR`: the templates to customise."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import unicodedata
from pathlib import Path

from studyguide.stages import TEMPLATES


class StarterError(Exception):
    """A folder that cannot be made into a guide or hold the templates."""


def slug(title: str) -> str:
    """Return a guide id from a title: lowercase ASCII letters and digits joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_title.lower()))[:64].strip("-") or "my-guide"


def _empty_folder(folder: Path) -> None:
    """Make the folder, or refuse one that exists and is not empty."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise StarterError(f"{folder}: exists and is not an empty folder")
    folder.mkdir(parents=True, exist_ok=True)


def new_guide(folder: Path, title: str, today: dt.date) -> list[Path]:
    """Write a small guide that builds at once into an empty folder; return the files written.

    The folder is laid out as this project is: the guide in `content/`, the outputs in `dist/`
    (ignored by git), so `studyguide build` inside it needs no options.
    """
    _empty_folder(folder)
    guide_id = slug(title)
    files = {
        "content/guide.toml": GUIDE.format(id=guide_id, title=title.replace('"', '\\"'), date=today.isoformat()),
        "content/tags.txt": "example\nformulas\ncode\n",
        "content/01-first-steps.md": SECTION,
        ".gitignore": "dist/\n",
        "README.md": README.format(title=title),
    }
    written = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def copy_templates(folder: Path) -> Path:
    """Copy the default templates into an empty folder, to customise and pass as `--templates`."""
    _empty_folder(folder)
    shutil.copytree(TEMPLATES, folder, dirs_exist_ok=True)
    return folder


GUIDE = """\
# The guide's metadata. The id is permanent: Anki's note and deck identities derive from it.
id = "{id}"
title = "{title}"
description = "What this guide helps a learner study."
author = "Your name"
source = "Where the material comes from."
language = "en"
version = "0.1.0"
date = "{date}"
"""

SECTION = """\
# First steps {#first-steps}

## What does a question look like? {#what-is-a-question}

Tags: example, formulas

> A title, a `Tags:` line, a core answer in a quote, then the answer.

Write the answer in Markdown. A formula goes between dollars: the area of a circle is
$A = \\pi r^2$, and a displayed one stands on lines of its own:

$$
\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}
$$

## How is code shown? {#how-is-code-shown}

Tags: example, code

See also: [What does a question look like?](#what-is-a-question)

> In a fenced block with its language: it is highlighted in every output.

```python
def area(radius: float) -> float:
    return 3.14159 * radius**2
```

Sources: Written by `studyguide new`.
"""

README = """\
# {title}

A study guide for studyguide: Markdown questions and
answers built into an Anki deck, a printable PDF and an offline web page.

    studyguide check     # every problem in content/ at once, as path:line: message
    studyguide build     # dist/<id>.apkg, dist/<id>.pdf and dist/<id>.html
    studyguide release   # before sharing a new version of the deck; commit content/anki.lock.json

Import the `.apkg` with Anki's File > Import, open the `.html` in any browser, print the `.pdf`.
Never change an id once the guide is shared: learners' cards are tied to it.
"""
