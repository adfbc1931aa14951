"""The renderer table: one literal map from format name to writer."""

from __future__ import annotations

from .anki import AnkiRenderer
from .base import Options, Renderer
from .page import PageRenderer
from .pdf import PdfRenderer

RENDERERS: dict[str, Renderer] = {
    "anki": AnkiRenderer(),
    "pdf": PdfRenderer(),
    "html": PageRenderer(),
}

__all__ = ["RENDERERS", "Options", "Renderer"]
