"""What every renderer shares: its declaration, build options and the jinja2 environment."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypedDict

from studyguide.i18n import Messages
from studyguide.i18n import messages as catalogue_messages
from studyguide.markup.alerts import alert_html
from studyguide.model import Guide, Meta
from studyguide.stages import Job, Need, Options, Snapshot

if TYPE_CHECKING:  # imported when a template is rendered: a deck whose note type is cached never needs it
    import jinja2


class Renderer:
    """A writer for one output format, declared by its class attributes; every subclass with a name is registered.

    The lifecycle (`studyguide.build.pipeline`) asks each format, in this order: what it `needs`
    prepared (formulas drawn, images read, edits dated from git); `prepare(job)`, a pure step whose
    value the later steps share (the deck's notes); `snapshot(job, prepared)`, what the release lock
    compares (formats whose learners keep state across versions); `render(job, prepared)`, the bytes.
    """

    name: ClassVar[str] = ""  # the --format name
    description: ClassVar[str] = ""  # one line, shown by --help and the README
    needs: ClassVar[frozenset[Need]] = frozenset()
    templates: ClassVar[tuple[str, ...]] = ()  # its folders in the templates folder (their files are its inputs)
    costly: ClassVar[bool] = False  # laid out in a forked process while the others render
    keeps_state: ClassVar[bool] = False  # learners keep reviews across versions: the release lock dates its notes

    def filename(self, guide: Guide, options: Options) -> str:
        """Return the output's file name, derived from the guide id."""
        raise NotImplementedError

    def prepare(self, job: Job) -> object:
        """Return what this format computes once a build and shares with `snapshot` and `render` (pure)."""
        return None

    def snapshot(self, job: Job, prepared: object) -> Snapshot | None:
        """Return what the release lock compares, for a format whose learners keep state; None for the others."""
        return None

    def render(self, job: Job, prepared: object = None) -> bytes:
        """Return the whole output file (the content is valid: a renderer never finds a content problem)."""
        raise NotImplementedError


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


def alert_hook(meta: Meta) -> Callable[[str, str], str]:
    """Return the alert hook: a callout titled in the guide's language (with its own labels)."""
    titles = alert_titles(meta)
    return lambda kind, inner: alert_html(kind, inner, titles.__getitem__)


@functools.cache
def alert_titles(meta: Meta) -> dict[str, str]:
    """Return the title of each kind of alert in the guide's language."""
    words = messages(meta)
    return {
        "note": words.text("alert-note", "Note"),
        "tip": words.text("alert-tip", "Tip"),
        "important": words.text("alert-important", "Important"),
        "warning": words.text("alert-warning", "Warning"),
        "caution": words.text("alert-caution", "Caution"),
    }
