"""Guides in other languages: the outputs' own words, plurals, direction and dates follow `language` in guide.toml."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_tools import Traffic, axe_violations, vnu_errors
from conftest import ROOT
from readers import cards, import_apkg, import_into, normalize, pdf_text

from studyguide import i18n
from studyguide.build.pipeline import load_guide
from studyguide.cli import main
from studyguide.model import Guide
from studyguide.renderers.anki.notes import MODEL_ID, MODEL_NAME

if TYPE_CHECKING:
    from playwright.sync_api import Browser

EXAMPLE = ROOT / "examples" / "git-basics"
REQUIRED = ("en", "de", "fr", "es", "pt", "zh-Hans", "ja", "ar")
# The words each output shows for the example guide (it has no footnotes).
PAGE_KEYS = (
    "skip-link", "sections-nav", "filter", "search-placeholder", "section", "all-sections", "tag", "all-tags",
    "reveal-all", "hide-all", "no-match", "clear-filters", "in-short", "see-also", "sources", "tags", "copy-link",
    "version", "questions-in-sections", "question-count", "section-count", "shown-count",
    "study", "study-status", "show-answer", "show-full-answer", "study-next", "study-none", "study-limit",
    "study-blocked", "study-imported", "study-import-failed", "progress-file", "study-leave", "grades", "again",
    "hard", "good", "easy", "study-keys", "study-settings", "new-per-day", "progress-note", "export-progress",
    "import-progress", "study-refused", "study-stored-refused", "refused-form", "refused-future", "refused-range",
    "refused-state", "interval-minutes", "interval-hours", "interval-days", "interval-months", "interval-years",
    "interval-under", "ahead-left", "ahead-done", "ahead-mode", "reset-done", "reset-one-confirm", "reset-all-confirm",
    "stats-done", "stats-new", "stats-today", "stats-none", "retention", "retention-value", "heatmap",
    "heatmap-summary", "forecast", "forecast-summary", "chart-day", "plan-day", "plan-due", "plan-ahead",
    "plan-range", "plan-summary", "plan-none", "plan-start", "undo", "statistics", "plan", "plan-date", "plan-times",
    "rollover", "import-settings", "reset-one", "reset-all", "reset", "cancel",
)  # fmt: skip
PDF_KEYS = ("study-guide", "contents", "see-also", "sources", "page-of", "cover-version", "question-reference")
QUIZ_KEYS = ("self-test-edition", "answers", "answer-link", "question-link")


def guide_in(language: str, folder: Path, labels: str = "") -> Path:
    """Copy the example guide into `folder`, written in `language` (and with a [labels] table)."""
    shutil.copytree(EXAMPLE, folder)
    meta = folder / "guide.toml"
    text = meta.read_text(encoding="utf-8").replace('language = "en"', f'language = "{language}"')
    meta.write_text(text + labels, encoding="utf-8")
    return folder


def pieces(text: str) -> list[str]:
    """Return the fixed words of a catalogue text: the parts between its placeholders."""
    parts = re.split(r"%\(\w+\)[sd]|\{\w+\}", text)
    return [part.strip(" :()·.") for part in parts if part.strip(" :()·.")]


def content_text(guide: Guide) -> str:
    """Return all the words the guide's own content brings into the outputs."""
    meta = guide.meta
    parts = [meta.title, meta.description, meta.author, meta.source, *(s.title for s in guide.sections)]
    for q in guide.questions:
        parts += [q.title, *q.tags, *(tree.plain_text() for tree in q.trees())]
    return normalize(" ".join(parts))


def english_left(output: str, keys: tuple[str, ...], tag: str, guide: Guide) -> list[str]:
    """Return the English words of `keys` found in an output, leaving out those the translation or the content holds.

    Compared case-folded: the PDF sets its kicker and running header in capitals.
    """
    english, own, content = i18n.entries("en"), i18n.entries(tag), content_text(guide).casefold()
    output = re.sub(r"\{\w+\}", " ", output.casefold())  # the script's placeholders ("{due}") are not words shown
    left = []
    for key in keys:
        translated = {p.casefold() for form in own[key] for p in pieces(form)}
        for form in english[key]:
            for piece in (p.casefold() for p in pieces(form)):
                if piece not in translated and piece not in content and re.search(rf"\b{re.escape(piece)}\b", output):
                    left.append(f"{key}: {piece}")
    return left


def translations_missing(output: str, keys: tuple[str, ...], tag: str) -> list[str]:
    """Return each translated word of `keys` (taken from the .po file) that the output lacks."""
    missing = []
    output = "".join(output.casefold().split())  # spaces left out: pdftotext parts letter-spaced capitals

    def found(piece: str) -> bool:
        return "".join(piece.casefold().split()) in output

    for key in keys:
        forms = i18n.entries(tag)[key]
        if not any(all(found(piece) for piece in pieces(form)) for form in forms):
            missing.append(f"{key}: {forms}")
    return missing


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """Build every output of the example in German, Arabic and English (the quiz edition too)."""
    found = {}
    for language in ("de", "ar", "en"):
        root = tmp_path_factory.mktemp(f"i18n-{language}")
        content = guide_in(language, root / "content")
        out = root / "out"
        assert main(["--format", "all", "--content", str(content), "--out", str(out)]) == 0
        assert main(["--format", "pdf", "--pdf-edition", "quiz", "--content", str(content), "--out", str(out)]) == 0
        gid = load_guide(content).meta.id
        found[language] = {
            "content": content,
            "anki": out / f"{gid}.apkg",
            "pdf": out / f"{gid}.pdf",
            "quiz": out / f"{gid}-quiz.pdf",
            "html": out / f"{gid}.html",
        }
    return found


def test_every_catalogue_is_complete_and_keeps_the_placeholders() -> None:
    english = i18n.entries("en")
    assert set(REQUIRED) <= set(i18n.available().values())
    for tag in i18n.available().values():
        catalogue, entries = i18n.catalogue(tag), i18n.entries(tag)
        assert set(entries) == set(english), tag
        for key, forms in entries.items():
            assert all(form.strip() for form in forms), (tag, key)
            assert len(forms) == (catalogue.num_plurals if len(english[key]) > 1 else 1), (tag, key)
            wanted = set(i18n.placeholders(" ".join(english[key]))) - {"%(num)d"}  # a plural form may say "one"
            assert all(set(i18n.placeholders(form)) - {"%(num)d"} == wanted for form in forms), (tag, key)


def test_the_catalogue_holds_exactly_the_words_the_templates_and_code_ask_for() -> None:
    """Babel's own extractors (jinja2's for the templates) find every call; each must name an entry of en.po."""
    from babel.messages.extract import extract_from_file

    keywords = {
        "pgettext": ((1, "c"), 2),
        "npgettext": ((1, "c"), 2, 3),
        "text": ((1, "c"), 2),
        "plural": ((1, "c"), 2, 3),
    }
    anki = {"variable_start_string": "[[", "variable_end_string": "]]", "block_start_string": "[%"}
    anki |= {"block_end_string": "%]", "comment_start_string": "[#", "comment_end_string": "#]"}
    asked = set()
    for path in sorted((ROOT / "templates").rglob("*.html")):
        options = anki if "anki" in path.parts else {}
        for _, message, _, context in extract_from_file(
            "jinja2.ext:babel_extract", str(path), keywords, options=options
        ):
            asked.add((context, message if isinstance(message, str) else message[0]))
    for path in sorted((ROOT / "studyguide").rglob("*.py")):
        for _, message, _, context in extract_from_file("python", str(path), keywords):
            asked.add((context, message if isinstance(message, str) else message[0]))
    held = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in i18n.catalogue("en") if m.id}
    assert asked == held


def test_plurals_follow_each_languages_rules() -> None:
    english, german, arabic = i18n.messages("en"), i18n.messages("de"), i18n.messages("ar")

    def count(words: i18n.Messages, n: int) -> str:
        return words.plural("question-count", "%(num)d question", "%(num)d questions", n)

    assert (count(english, 1), count(english, 2)) == ("1 question", "2 questions")
    forms = i18n.entries("de")["question-count"]
    assert (count(german, 1), count(german, 2)) == (forms[0] % {"num": 1}, forms[1] % {"num": 2})
    # Arabic has six forms: 0, 1 and 2 are words; 3-10, 11-99 and 100 each take their own noun form.
    arabic_forms = [count(arabic, n) for n in (0, 1, 2, 3, 11, 100)]
    assert len(set(arabic_forms)) == 6
    for n, shown in zip((0, 1, 2, 3, 11, 100), arabic_forms, strict=True):
        assert any(form % {"num": n} == shown for form in i18n.entries("ar")["question-count"])
    assert not re.search(r"\d", arabic_forms[1] + arabic_forms[2])
    assert all(str(n) in shown for n, shown in zip((3, 11, 100), arabic_forms[3:], strict=True))


@pytest.mark.parametrize(
    ("language", "chosen", "warned"),
    [("de", "de", False), ("pt-BR", "pt", True), ("de-CH", "de", True), ("zh", "zh-Hans", False), ("xx", "en", True)],
)
def test_the_language_falls_back_from_region_to_language_to_english(
    language: str, chosen: str, warned: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = guide_in(language, tmp_path / "content")
    assert main(["--check", "--content", str(content)]) == 0
    err = capsys.readouterr().err
    assert i18n.choose(language).tag == chosen
    line = 1 + next(n for n, text in enumerate((content / "guide.toml").read_text().split("\n")) if "language" in text)
    expected = f"guide.toml:{line}: warning: no catalogue for language '{language}'"
    assert (expected in err and f"are in '{chosen}'" in err) == warned, err


def test_direction_and_dates_follow_the_language_even_without_its_catalogue() -> None:
    from babel import Locale
    from babel.dates import format_date

    hebrew, german_swiss = i18n.messages("he"), i18n.messages("de-CH")
    assert (hebrew.tag, hebrew.direction) == ("en", "rtl")  # English words, laid out right to left
    assert (i18n.messages("ar").direction, german_swiss.direction, german_swiss.tag) == ("rtl", "ltr", "de")
    day = dt.date(2026, 11, 26)
    assert hebrew.date("2026-11-26") == format_date(day, "long", locale=Locale.parse("he"))
    assert german_swiss.date("2026-11-26") == format_date(day, "long", locale=Locale.parse("de_CH"))


@pytest.mark.parametrize("language", ["en_US", "english", "de-", "x-"])
def test_a_malformed_language_tag_is_an_error_at_its_line(
    language: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = guide_in(language, tmp_path / "content")
    assert main(["--check", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    assert f"guide.toml:7: language '{language}' is not a BCP 47 language tag" in err


def test_labels_override_words_and_unknown_ones_are_errors_at_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    table = '\n[labels]\nin-short = "Das Wichtigste"\nno-such-label = "x"\n"version" = "v"\nquestion-count = "n"\n'
    content = guide_in("de", tmp_path / "bad", table)
    assert main(["--check", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    lines = (content / "guide.toml").read_text(encoding="utf-8").split("\n")
    line = {text.split(" =")[0].strip('"'): n for n, text in enumerate(lines, start=1) if " = " in text}
    assert f"guide.toml:{line['no-such-label']}: unknown label 'no-such-label'" in err
    assert f"guide.toml:{line['version']}: label 'version' must hold exactly the placeholders" in err
    assert f"guide.toml:{line['question-count']}: label 'question-count' has plural forms" in err
    assert f"guide.toml:{line['in-short']}:" not in err
    good = guide_in("de", tmp_path / "good", '\n[labels]\nin-short = "Das Wichtigste & 100%"\n')
    with (good / "02-collaboration.md").open("a", encoding="utf-8") as section:
        section.write("\n- [x] one\n- [ ] two\n")  # a task list: its boxes are named in the language too
    assert main(["--format", "html", "--content", str(good), "--out", str(tmp_path / "out")]) == 0
    page = (tmp_path / "out" / "git-basics.html").read_text(encoding="utf-8")
    assert '<p class="label">Das Wichtigste &amp; 100%</p>' in page
    assert i18n.entries("de")["in-short"][0] not in page
    done, to_do = i18n.entries("de")["task-done"][0], i18n.entries("de")["task-to-do"][0]
    assert f'checked aria-label="{done}"' in page and f'aria-label="{to_do}"' in page


PAGE_TEXT = """() => [((body) => { body.querySelectorAll('script, style').forEach((e) => e.remove());
  return body.textContent; })(document.body.cloneNode(true)), ...[...document.querySelectorAll(
  '[aria-label], [placeholder]')].map((e) => (e.getAttribute('aria-label') || '') + ' ' + (e.placeholder || '')),
  ...Object.values(document.getElementById('study').dataset)].join(' ')"""


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_page_speaks_the_guides_language(
    language: str, builds: dict[str, dict[str, Path]], browser: Browser
) -> None:
    guide = load_guide(builds[language]["content"])
    words = i18n.messages(language)
    context = browser.new_context()  # the page's own Content-Security-Policy applies: its script runs as shipped
    traffic = Traffic()
    traffic.watch(context)
    try:
        page = context.new_page()
        page.goto(builds[language]["html"].as_uri())
        root = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
        texts = normalize(page.evaluate(PAGE_TEXT))
        page.fill("#filter-text", guide.questions[0].title)  # the script writes the count in the language too
        count = page.inner_text("#count")
    finally:
        context.close()
    assert traffic.errors == [] and traffic.external == []
    assert root == [language, "rtl" if language == "ar" else "ltr"]
    assert translations_missing(texts, PAGE_KEYS, language) == []
    assert english_left(texts, PAGE_KEYS, language, guide) == []
    assert words.date(guide.meta.date) in texts and guide.meta.date not in texts
    total = len(guide.questions)
    assert count == words.plural("shown-count", "%(shown)s of %(num)d question", "", total, shown=1)


@pytest.mark.parametrize("language", ["de", "ar"])
def test_axe_finds_no_violation_in_the_guides_language(
    language: str, builds: dict[str, dict[str, Path]], browser: Browser
) -> None:
    context = browser.new_context(bypass_csp=True)  # axe-core is injected as a script
    try:
        page = context.new_page()
        page.goto(builds[language]["html"].as_uri())
        page.click("#reveal-all")
        assert axe_violations(page) == []
    finally:
        context.close()


def test_nu_html_checker_finds_no_error_in_a_right_to_left_page(builds: dict[str, dict[str, Path]]) -> None:
    assert vnu_errors(builds["ar"]["html"]) == []


@pytest.mark.parametrize("language", ["de", "ar"])
def test_the_pdf_speaks_the_guides_language_in_logical_order(language: str, builds: dict[str, dict[str, Path]]) -> None:
    import pypdf

    guide = load_guide(builds[language]["content"])
    for edition, keys in (("pdf", PDF_KEYS), ("quiz", QUIZ_KEYS + ("page-of", "contents"))):
        path = builds[language][edition]
        # pypdf reads the text in the order it was written (logical order); poppler's pdftotext
        # reorders right-to-left runs for display, and both must find every word.
        logical = normalize(" ".join(page.extract_text() for page in pypdf.PdfReader(path).pages))
        shown = normalize(" ".join(pdf_text(path)))
        assert translations_missing(logical, keys, language) == [], edition
        assert english_left(logical, keys, language, guide) == [], edition
        assert english_left(shown, keys, language, guide) == [], edition
        if language != "ar":  # poppler writes Arabic's lam-alef ligature in reverse: pypdf checks Arabic
            assert translations_missing(shown, keys, language) == [], edition
        # The date's words; the digits of a right-to-left line may be placed either side of them.
        assert all(word in logical for word in i18n.messages(language).date(guide.meta.date).split())


def test_cards_of_two_languages_in_one_collection_keep_their_own_labels(
    builds: dict[str, dict[str, Path]], tmp_path: Path
) -> None:
    col = import_apkg(builds["en"]["anki"], tmp_path)
    try:
        german = guide_in("de", tmp_path / "de")  # another guide id: both decks side by side
        meta = german / "guide.toml"
        meta.write_text(meta.read_text().replace('id = "git-basics"', 'id = "git-grundlagen"'), encoding="utf-8")
        assert main(["--format", "anki", "--content", str(german), "--out", str(tmp_path / "out")]) == 0
        import_into(col, tmp_path / "out" / "git-grundlagen.apkg")
        (tmp_path / "ar").mkdir()
        arabic_col = import_apkg(builds["ar"]["anki"], tmp_path / "ar")
        try:
            arabic = [c.answer for c in cards(arabic_col)]
        finally:
            arabic_col.close()
        types = {m.name: m.id for m in col.models.all_names_and_ids()}
        seen = cards(col)
    finally:
        col.close()
    assert types[MODEL_NAME] == MODEL_ID
    assert f"{MODEL_NAME} (de)" in types and types[f"{MODEL_NAME} (de)"] != MODEL_ID
    english, german_words = i18n.messages("en"), i18n.messages("de")
    by_guide = {
        "git-basics": english.colon(english.text("see-also", "See also")),
        "git-grundlagen": german_words.colon(german_words.text("see-also", "See also")),
    }
    for card in seen:
        guide_id = next(tag.split("::")[0] for tag in card.tags if "::" in tag)
        other = next(label for g, label in by_guide.items() if g != guide_id)
        if card.fields["SeeAlso"]:
            assert by_guide[guide_id] in card.answer and other not in card.answer, guide_id
    ar = i18n.messages("ar")
    assert all('dir="rtl"' in answer and 'lang="ar"' in answer for answer in arabic)
    assert any(ar.colon(ar.text("sources", "Sources")) in answer for answer in arabic)


def test_labels_from_content_stay_text_in_every_output(tmp_path: Path) -> None:
    """A guide's labels are content: they never end a style, run a script, name a card field or become math."""
    table = (
        '\n[labels]\ncontents = "</style><script>alert(1)</script>\\" }"\n'
        'see-also = "{{ Answer }} \\\\(x\\\\) [sound:a.mp3] <b>"\ncopy-link = "it\'s <x> & \\"y\\""\n'
    )
    content = guide_in("en", tmp_path / "content", table)
    out = tmp_path / "out"
    assert main(["--format", "all", "--content", str(content), "--out", str(out)]) == 0
    page = (out / "git-basics.html").read_text(encoding="utf-8")
    assert page.count("<script") == 1 and "alert(1)" not in page
    assert ">it&#39;s &lt;x&gt; &amp; &#34;y&#34;</button>" in page
    col = import_apkg(out / "git-basics.apkg", tmp_path)
    try:
        answers = [c.answer for c in cards(col) if c.fields["SeeAlso"]]
    finally:
        col.close()
    assert answers and all("{{ Answer }}" not in a and "[sound:" not in a and "<b>" not in a for a in answers)
    assert all("&#123;&#123; Answer }}" in a and "&lt;b&gt;" in a for a in answers)
    printed = normalize(" ".join(pdf_text(out / "git-basics.pdf")))
    assert '</style><script>alert(1)</script>" }' in printed
    assert "{{ Answer }} \\(x\\) [sound:a.mp3] <b>: " in printed


def test_label_placeholders_keep_their_names_and_types_at_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A label's placeholders are those its text gets, of the same type: `%(version)d` for a text is an error."""
    table = (
        '\n[labels]\nversion = "v%(version)d"\ncover-version = "Version %(num)d"\n'
        'page-of = "{page} / %(pages)s"\nstudy-imported = "%(count)s imported"\nback-to-reference = "up %(number)s"\n'
    )
    content = guide_in("en", tmp_path / "bad", table)
    assert main(["--check", "--content", str(content)]) == 1
    err = capsys.readouterr().err
    lines = (content / "guide.toml").read_text(encoding="utf-8").split("\n")
    line = {text.split(" =")[0]: n for n, text in enumerate(lines, start=1) if " = " in text}
    wanted = {
        "version": "%(version)s (it has %(version)d)",
        "cover-version": "%(version)s (it has %(num)d)",
        "page-of": "%(page)s, %(pages)s (it has %(pages)s, {page})",
        "study-imported": "{cards}, {reviews} (it has %(count)s)",
    }
    for key, shown in wanted.items():
        assert f"guide.toml:{line[key]}: label '{key}' must hold exactly the placeholders " in err, key
        assert f": {shown}\n" in err, key
    assert "back-to-reference" not in err
    good = guide_in("en", tmp_path / "good", '\n[labels]\nversion = "v%(version)s, 100%"\n')
    assert main(["--format", "html,pdf", "--content", str(good), "--out", str(tmp_path / "out")]) == 0
    assert "v1.0.0, 100%" in (tmp_path / "out" / "git-basics.html").read_text(encoding="utf-8")
