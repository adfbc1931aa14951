"""The words the outputs add, in the guide's language: one gettext catalogue per language, read with Babel.

Each language is one file, `studyguide/locales/<BCP 47 tag>.po`; its entries are keyed by `msgctxt`
(the names a guide's `[labels]` table overrides), its plurals follow its own `Plural-Forms`. A
catalogue is read and compiled in memory when a build first needs it. The guide's `language` picks
the catalogue: the tag itself, then without its region, then the language alone, then English.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.core import Locale
    from babel.messages.catalog import Catalog
    from babel.support import Translations

LOCALES = Path(__file__).resolve().parent / "locales"
SOURCE = "en"  # the catalogue whose msgids the templates and code hold

# A well-formed BCP 47 language tag (RFC 5646, section 2.1; without the grandfathered irregular
# forms and the reserved longer language subtags, so that "english" is refused). Hand-written:
# Babel parses locale identifiers (it accepts "en_US" and refuses well-formed tags it has no data
# for, such as "xx"), and no kept library checks the syntax alone.
TAG = re.compile(
    r"^[a-z]{2,3}(?:-[a-z]{3}){0,3}"  # language (4 to 8 letters are reserved: no language has them), extlang
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|\d{3}))?"  # region
    r"(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*"  # variants
    r"(?:-[a-wyz\d](?:-[a-z\d]{2,8})+)*"  # extensions
    r"(?:-x(?:-[a-z\d]{1,8})+)?$",  # private use
    re.IGNORECASE,
)
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")  # what the build fills in: "%(version)s", "%(num)d"
SCRIPT_PLACEHOLDER = re.compile(r"\{\w+\}")  # what the page's script fills in: "{count}"


def placeholders(text: str) -> list[str]:
    """Return a text's placeholders as written, sorted: `%(name)s` for the build, `{name}` for the page's script."""
    return sorted(PLACEHOLDER.findall(text) + SCRIPT_PLACEHOLDER.findall(text))


def available() -> dict[str, str]:
    """Map each catalogue's tag, case-folded, to the tag as its file is named."""
    return {path.stem.casefold(): path.stem for path in LOCALES.glob("*.po")}


def subtags(tag: str) -> tuple[str, str | None, str | None]:
    """Return a well-formed tag's language, script and region (script and region None when absent)."""
    parts = tag.split("-")
    script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), None)
    region = next(
        (p.upper() for p in parts[1:] if (len(p) == 2 and p.isalpha()) or (len(p) == 3 and p.isdigit())), None
    )
    return parts[0].lower(), script, region


def likely_script(language: str, region: str | None) -> str | None:
    """Return the script a language is written in (in that region), for a tag naming none: zh -> Hans."""
    from babel.core import get_global

    likely = get_global("likely_subtags")
    found: str | None = likely.get(f"{language}_{region}") if region else None
    found = found or likely.get(language)
    if not found:
        return None
    parts = found.split("_")
    return parts[1] if len(parts) > 2 and len(parts[1]) == 4 else None


@dataclass(frozen=True)
class Choice:
    """The catalogue a language tag gets, and whether that is a fallback (a region or a language it has none for)."""

    tag: str
    fallback: bool


@functools.cache
def choose(language: str) -> Choice:
    """Return the catalogue for a well-formed tag: the tag, then without its region, then the language, then English.

    A language written in more than one script has a catalogue per script (zh-Hans): a tag naming
    none is read with its likely script (zh, zh-CN -> zh-Hans; zh-TW -> zh-Hant). Babel is asked
    only then, so a guide in a language with a catalogue of its own never imports it here.
    """
    language_, script, region = subtags(language)
    files = available()

    def first(written: str | None) -> Choice | None:
        tags = [f"{language_}-{written}-{region}", f"{language_}-{written}", f"{language_}-{region}", language_]
        for candidate in (t for t in tags if "None" not in t.split("-")):
            if candidate.casefold() in files:
                chosen = files[candidate.casefold()]
                dropped = {s.casefold() for s in (script, region) if s} - set(chosen.casefold().split("-"))
                extra = len(language.split("-")) > 1 + bool(script) + bool(region)  # variants, extensions
                return Choice(chosen, bool(dropped) or extra)
        return None

    found = first(script)
    if found is None and script is None and any(name.startswith(f"{language_}-") for name in files):
        found = first(likely_script(language_, region))
    return found or Choice(SOURCE, True)


def problems(language: str) -> tuple[str | None, str | None]:
    """Return an error for a malformed tag, or a warning naming the fallback when it has no catalogue of its own."""
    if not TAG.match(language):
        return f"language '{language}' is not a BCP 47 language tag (such as 'en', 'de', 'pt-BR', 'zh-Hans')", None
    choice = choose(language)
    if not choice.fallback:
        return None, None
    names = ", ".join(sorted(available().values()))
    return None, f"no catalogue for language '{language}': its outputs' own words are in '{choice.tag}' (have: {names})"


@functools.cache
def catalogue(tag: str) -> Catalog:
    """Read one catalogue (`locales/<tag>.po`)."""
    from babel.messages.pofile import read_po

    with (LOCALES / f"{tag}.po").open("rb") as handle:
        return read_po(handle, locale=tag.replace("-", "_"))


def entries(tag: str = SOURCE) -> dict[str, tuple[str, ...]]:
    """Map each key (msgctxt) of a catalogue to its text: one string, or one per plural form."""
    found: dict[str, tuple[str, ...]] = {}
    for message in catalogue(tag):
        if message.id and message.context:
            string = message.string
            found[message.context] = tuple(str(s) for s in string) if isinstance(string, tuple) else (str(string),)
    return found


@functools.cache
def label_keys() -> dict[str, str]:
    """Map each key a guide's `[labels]` may override to its English text (every entry without plural forms)."""
    return {
        message.context: message.id
        for message in catalogue(SOURCE)
        if message.context and isinstance(message.id, str) and message.id
    }


def label_problem(key: str, value: str) -> str | None:
    """Return what is wrong with one `[labels]` entry, or None."""
    keys = label_keys()
    if key not in keys and key in entries(SOURCE):
        return f"label '{key}' has plural forms, which a guide cannot override: add or correct a catalogue"
    if key not in keys:
        return f"unknown label '{key}' (known: {', '.join(sorted(keys))})"
    # Name and type both: the build fills `%(version)s` with text, so `%(version)d` would fail it.
    wanted, given = placeholders(keys[key]), placeholders(value)
    if wanted != given:
        shown, has = ", ".join(wanted) or "none", ", ".join(given) or "none"
        return f"label '{key}' must hold exactly the placeholders of '{keys[key]}': {shown} (it has {has})"
    return None


def _compiled(tag: str, labels: tuple[tuple[str, str], ...]) -> Translations:
    """Compile a catalogue, with a guide's own labels in place of its entries, in memory."""
    import copy

    from babel.messages.mofile import write_mo
    from babel.support import Translations

    source = catalogue(tag)
    own = dict(labels)
    if own:
        source = copy.deepcopy(source)
        for message in source:
            if message.context in own:
                # A literal "%" in an author's label is text, not a placeholder.
                kept = "|".join(re.escape(p[1:]) for p in PLACEHOLDER.findall(str(message.id))) or "(?!)"
                message.string = re.sub(rf"%(?!{kept})", "%%", own[message.context])
    data = io.BytesIO()
    write_mo(data, source)
    data.seek(0)
    return Translations(data)


def _locale(tag: str) -> Locale | None:
    """Return Babel's data for a tag, or None when Babel has none."""
    from babel.core import Locale, UnknownLocaleError

    try:
        return Locale.parse(tag, sep="-")
    except (ValueError, UnknownLocaleError):
        return None


@dataclass(frozen=True)
class Messages:
    """One guide's words: its catalogue (with its own labels), its direction and how it writes dates."""

    language: str  # the guide's tag, as written
    tag: str  # the catalogue's tag
    labels: tuple[tuple[str, str], ...]
    direction: str  # "ltr" or "rtl"
    translations: Translations

    def text(self, key: str, msgid: str, **values: object) -> str:
        """Return one entry's text, its placeholders filled in."""
        found = str(self.translations.pgettext(key, msgid))
        return found % values if values else found.replace("%%", "%")

    def plural(self, key: str, singular: str, plural: str, num: int, **values: object) -> str:
        """Return the plural form for `num` of one entry, with `%(num)d` and the other placeholders filled in."""
        found: str = self.translations.npgettext(key, singular, plural, num)
        return found % {"num": num, **values}

    def colon(self, label: str) -> str:
        """Return a label as it stands before its text ("See also:", in French "Voir aussi :")."""
        return self.text("label-colon", "%(label)s:", label=label)

    def date(self, iso: str) -> str:
        """Return a YYYY-MM-DD date written the language's way (the date itself when it is not one)."""
        from babel.dates import format_date

        locale = _locale(self.language) or _locale(self.tag)
        try:
            day = dt.date.fromisoformat(iso)
        except ValueError:
            return iso
        return format_date(day, "long", locale=locale) if locale is not None else iso

    @property
    def source(self) -> bool:
        """Tell whether these are the English words, left to right, as the templates hold them."""
        return self.tag == SOURCE and not self.labels and self.direction == "ltr"

    def functions(self) -> dict[str, Callable[..., str]]:
        """Return what templates call: `pgettext(key, text, **values)`, `npgettext(key, one, many, n, **values)`."""
        return {"pgettext": self.text, "npgettext": self.plural, "colon": self.colon, "date": self.date}


@functools.cache
def messages(language: str, labels: tuple[tuple[str, str], ...] = ()) -> Messages:
    """Return a guide's words (its language tag is well-formed: validation saw to it)."""
    tag = choose(language).tag if TAG.match(language) else SOURCE
    locale = _locale(language) or _locale(tag)
    direction = "rtl" if locale is not None and locale.text_direction == "rtl" else "ltr"
    return Messages(language, tag, labels, direction, _compiled(tag, labels))
