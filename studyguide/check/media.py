"""Images in the content: read once from inside the content folder, checked by decoding, named by their content."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import unquote

from studyguide.errors import Problem
from studyguide.model import Guide
from studyguide.parse.reading import ReadError, inside, read_bytes, resolved
from studyguide.stages import Image

TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
}
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGES_BYTES = 50 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# In an SVG, only references inside the image itself (#id) may stay: a file, a URL or data: would
# be loaded by a reader (or refused by the PDF's fetcher, losing the image).
REFERENCE = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import", re.IGNORECASE)


def decode_problem(data: bytes, mime: str) -> str | None:
    """Return why the bytes are not a usable image of this type, or None when they decode as one."""
    if mime == "image/svg+xml":
        return svg_problem(data)
    from PIL import Image as PILImage

    try:
        with PILImage.open(io.BytesIO(data), formats=[PILLOW_FORMATS[mime]]) as picture:
            if picture.width * picture.height > MAX_IMAGE_PIXELS:
                return f"has {picture.width}x{picture.height} pixels, more than the limit of {MAX_IMAGE_PIXELS}"
            picture.load()  # decodes every pixel: a valid header followed by junk fails here
    except Exception:  # Pillow raises many types for bad data; each means the file is not this image
        return f"is not a valid {mime.split('/')[1].upper()} file"
    return None


def svg_problem(data: bytes) -> str | None:
    """Return why an SVG is unusable (not XML, entities, or a reference to anything outside it), or None."""
    import xml.etree.ElementTree as ET

    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        return "is an SVG with a DOCTYPE or entities, which are not allowed"
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return "is not a valid SVG file (not well-formed XML)"
    if root.tag.rsplit("}", 1)[-1] != "svg":
        return "is not a valid SVG file (its root element is not <svg>)"
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.rsplit("}", 1)[-1] == "href" and not value.strip().startswith("#"):
                return f"refers to '{value[:80]}': an SVG may only refer to its own elements (#id)"
            if REFERENCE.search(value):
                return "refers to a file or URL in a style: an SVG may only refer to its own elements (#id)"
        if element.text and REFERENCE.search(element.text):
            return "refers to a file or URL in a style: an SVG may only refer to its own elements (#id)"
    return None


def image_file(src: str, written_in: Path, root: Path) -> Path | str:
    """Return the file an image's `src` names, or why it may not be read."""
    name = unquote(src)
    if not name or SCHEME.match(name) or name.startswith(("/", "\\")):
        return "must be a relative path inside the content folder"
    file = written_in.parent / name
    if resolved(file) is None:
        return "is a link that leads back to itself (a loop)"
    if not inside(file, root):
        return "is outside the content folder"
    if not file.exists():
        return "not found"
    return file


def read_images(guide: Guide) -> tuple[dict[str, Image], list[Problem]]:
    """Read and decode every image the guide uses, keyed by its `src`; return them and every problem."""
    images: dict[str, Image] = {}
    problems: list[Problem] = []
    total = 0
    for question, node in guide.nodes("image"):
        src, path = node.attr("src"), question.source.path
        if src in images:
            continue
        file = image_file(src, path, guide.root)
        mime = TYPES.get(Path(unquote(src)).suffix.lower())
        if isinstance(file, str) or mime is None:
            why = file if isinstance(file, str) else f"has an unsupported type; use {', '.join(TYPES)}"
            problems.append(Problem(path, node.line, f"image '{src}' {why}"))
            continue
        try:
            data = read_bytes(file, guide.root, MAX_IMAGE_BYTES)
        except ReadError as exc:
            problems.append(Problem(path, node.line, f"image '{src}' {exc}"))
            continue
        why_not = decode_problem(data, mime)
        total += len(data)
        if why_not is not None:
            problems.append(Problem(path, node.line, f"image '{src}' {why_not}"))
        elif total > MAX_IMAGES_BYTES:
            problems.append(Problem(path, node.line, f"images larger than the limit of {MAX_IMAGES_BYTES} bytes"))
        else:
            images[src] = Image(src, file, data, mime)
    return images, problems
