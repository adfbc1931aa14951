"""The renderer registry: every module (or package) in this folder is a format that declares itself.

A format is a subclass of `base.Renderer` with a `name`; `registry()` imports each module here
once and finds them. Nothing else in the package names a format: the command line's choices,
`--format all`, the lifecycle's preparation, the up-to-date check and the tests all read this.
Importing one renderer never imports the others.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil

from studyguide.renderers.base import Renderer


@functools.cache
def registry() -> dict[str, Renderer]:
    """Return every format by name, in alphabetical order (the order `--format all` writes them)."""
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")
    found: dict[str, Renderer] = {}
    pending = list(Renderer.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.name and cls.__module__.startswith(__name__ + "."):  # a test's own subclass is not a format
            if cls.name in found:
                raise RuntimeError(f"two formats are named '{cls.name}'")
            found[cls.name] = cls()
    return dict(sorted(found.items()))


__all__ = ["Renderer", "registry"]
