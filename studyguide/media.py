"""Images in the content: read once, checked, and named by their content for the outputs."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError, Problem
from .model import Guide, Node

TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class Image:
    """One image file of the content."""

    src: str
    path: Path
    data: bytes
    mime: str

    @property
    def name(self) -> str:
        """Return a flat, content-hashed file name (for the .apkg media folder)."""
        return f"{hashlib.sha256(self.data).hexdigest()[:16]}{self.path.suffix.lower()}"

    def data_uri(self) -> str:
        """Return the image as a data: URI (for the one-file page)."""
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"

    def file_url(self) -> str:
        """Return the image's file:// URL (for WeasyPrint)."""
        return self.path.resolve().as_uri()


def looks_like(data: bytes, mime: str) -> bool:
    """Tell whether the bytes start the way this image type does."""
    if mime == "image/png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if mime == "image/jpeg":
        return data.startswith(b"\xff\xd8\xff")
    if mime == "image/gif":
        return data.startswith((b"GIF87a", b"GIF89a"))
    if mime == "image/webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return b"<svg" in data[:4096]


def image_nodes(guide: Guide) -> Iterator[tuple[Path, Node]]:
    """Yield every image node of the guide with the file it is written in."""
    for question, node in guide.nodes("image"):
        yield question.source.path, node


def collect_images(guide: Guide) -> dict[str, Image]:
    """Read every image the guide uses, keyed by its `src`; raise ContentError for unusable files."""
    images: dict[str, Image] = {}
    problems: list[Problem] = []
    inside = guide.root.resolve()
    for path, node in image_nodes(guide):
        src = node.attr("src")
        if src in images:
            continue
        file = path.parent / src
        if ":" in src.split("/", 1)[0] or src.startswith(("/", "\\")) or not file.resolve().is_relative_to(inside):
            problems.append(
                Problem(path, node.line, f"refused to load image '{src}': only files inside the content folder")
            )
            continue
        mime = TYPES.get(file.suffix.lower())
        if mime is None:
            problems.append(Problem(path, node.line, f"image '{src}' has an unsupported type; use {', '.join(TYPES)}"))
            continue
        try:
            data = file.read_bytes()
        except OSError as exc:
            problems.append(Problem(path, node.line, f"image '{src}' cannot be read: {exc.strerror}"))
            continue
        if not looks_like(data, mime):
            kind = file.suffix.lower()[1:].upper()
            problems.append(Problem(path, node.line, f"image '{src}' is not a valid {kind} file"))
            continue
        images[src] = Image(src, file, data, mime)
    if problems:
        raise ContentError(problems)
    return images
