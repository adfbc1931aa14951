"""What every renderer shares: its declaration, build options and the jinja2 environment."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypedDict

from ..cache import Cache
from ..errors import Problem
from ..i18n import Messages
from ..i18n import messages as catalogue_messages
from ..model import Guide, Meta
from ..resources import Resources

if TYPE_CHECKING:  # imported when a template is rendered: a deck whose note type is cached never needs it
    import jinja2

# Installed from a wheel, the templates are inside the package; in a clone (or an editable install)
# they are templates/ at the top of the repository.
PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE / "templates" if (PACKAGE / "templates").is_dir() else PACKAGE.parent / "templates"


@dataclass(frozen=True)
class Options:
    """Choices that change an output: paper size, PDF edition, where templates live."""

    paper: str = "a4"
    edition: str = "full"
    templates: Path = TEMPLATES


@dataclass(frozen=True)
class Job:
    """One build's work for the renderers: a valid guide, what validation read and drew, the options."""

    guide: Guide
    resources: Resources
    options: Options = Options()
    cache: Cache = field(default_factory=lambda: Cache(None))
    # Work two steps of this build both need (the Anki notes: the deck and the change report), kept
    # for this build only.
    shared: dict[str, object] = field(default_factory=dict, compare=False, repr=False)
    warnings: tuple[Problem, ...] = ()  # what the parser warned of: shown, never a reason to stop
    edited: Mapping[str, int] = field(default_factory=dict)  # question id -> when its file last changed (git)


class Renderer(Protocol):
    """A writer for one output format: a name, a file name, and bytes from the model."""

    name: str
    description: str

    def filename(self, guide: Guide, options: Options) -> str:
        """Return the output's file name, derived from the guide id."""
        ...

    def render(self, job: Job) -> bytes:
        """Return the whole output file (the content is valid: a renderer never finds a content problem)."""
        ...


class Delimiters(TypedDict, total=False):
    """The jinja2 delimiter settings a template set may override."""

    variable_start_string: str
    variable_end_string: str
    block_start_string: str
    block_end_string: str
    comment_start_string: str
    comment_end_string: str


@functools.cache
def environment(templates: Path, anki: bool = False) -> jinja2.Environment:
    """Return the jinja2 environment: autoescaping on, undefined names are errors.

    Anki's card templates use `{{Field}}` themselves, so theirs takes `[[ ]]`, `[% %]` and `[# #]`.
    One environment per template folder, so each template is compiled once (jinja2 recompiles a
    template whose file changed, as under `--watch`).
    """
    import jinja2

    delimiters: Delimiters = (
        {
            "variable_start_string": "[[",
            "variable_end_string": "]]",
            "block_start_string": "[%",
            "block_end_string": "%]",
            "comment_start_string": "[#",
            "comment_end_string": "#]",
        }
        if anki
        else {}
    )
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        **delimiters,
    )


def messages(meta: Meta) -> Messages:
    """Return the words a guide's outputs add, in its language and with its own labels."""
    return catalogue_messages(meta.language, meta.labels)


def task_boxes(meta: Meta, draw: Callable[[bool, str, str], str]) -> Callable[[bool], str]:
    """Return a checkbox hook that names a task's box in the guide's language (its words read at the first box)."""
    return lambda checked: draw(checked, *task_words(meta))


@functools.cache
def task_words(meta: Meta) -> tuple[str, str]:
    """Return what a screen reader says for a ticked and an empty task box."""
    words = messages(meta)
    return words.text("task-done", "done"), words.text("task-to-do", "to do")


def counts(guide: Guide, words: Messages) -> str:
    """Return "N questions in M sections" in the guide's language."""
    questions = words.plural("question-count", "%(num)d question", "%(num)d questions", len(guide.questions))
    sections = words.plural("section-count", "%(num)d section", "%(num)d sections", len(guide.sections))
    return words.text("questions-in-sections", "%(questions)s in %(sections)s", questions=questions, sections=sections)
