"""What the validation pass read and drew, handed to the renderers with the guide."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .lock import Lock
from .media import Image


@dataclass(frozen=True)
class Resources:
    """The guide's images (keyed by `src`), every formula's SVG (keyed by TeX and display) and the Anki lock."""

    images: Mapping[str, Image]
    formulas: Mapping[tuple[str, bool], str]
    lock: Lock
