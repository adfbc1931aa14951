"""Math, code and images: the rich fixture guide built through the CLI and read back with real readers."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from readers import Card, cards, import_apkg, normalize, pdf_text

from studyguide.build.pipeline import load, load_guide
from studyguide.cli import main
from studyguide.markup import highlight
from studyguide.markup.math.svg import Formulas
from studyguide.markup.math.typeset import render
from studyguide.model import Guide
from studyguide.renderers.pdf.layout import Printer
from studyguide.stages import Options
from studyguide.store.cache import Cache

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "rich"
IMAGE = FIXTURE / "media" / "gates.png"
RAW_TEX = ("$", "\\frac", "\\(", "\\[", "\\begin", "\\sigma")

if TYPE_CHECKING:
    from anki.collection import Collection

Deck = tuple["Collection", dict[str, Card]]


@dataclass
class Build:
    """One build of the fixture: where its files are, what it printed."""

    out: Path
    cache: Path
    stdout: str
    code: int


def run(args: list[str]) -> tuple[int, str, str]:
    """Run the CLI; return the exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def build(out: Path, cache: Path, content: Path = FIXTURE, formats: str = "all") -> Build:
    """Build a guide with a given formula cache folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STUDYGUIDE_CACHE", str(cache))
        code, stdout, stderr = run(["--format", formats, "--content", str(content), "--out", str(out)])
    assert code == 0, stderr
    return Build(out, cache, stdout, code)


@pytest.fixture(scope="module")
def rich() -> Guide:
    """The fixture guide, parsed."""
    return load_guide(FIXTURE)


@pytest.fixture(scope="module")
def cold(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """A build of every output with an empty formula cache."""
    return build(tmp_path_factory.mktemp("rich-cold"), tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory, cold: Build) -> Build:
    """A second build into a new folder, reusing the first build's cache."""
    return build(tmp_path_factory.mktemp("rich-warm"), cold.cache)


def formulas(guide: Guide) -> Counter[tuple[str, bool]]:
    """Return every formula of the guide (TeX, display) with how often it occurs."""
    return Counter((node.text, node.kind == "math_block") for _, node in guide.nodes("math_inline", "math_block"))


@dataclass
class Svg:
    """One <svg> element read from HTML."""

    attrs: dict[str, str]
    title: str = ""
    uses: list[str] = field(default_factory=list)
    symbols: list[str] = field(default_factory=list)


class PageReader(HTMLParser):
    """Collect visible text, ids, SVGs, images and highlighted spans of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.ids: list[str] = []
        self.svgs: list[Svg] = []
        self.images: list[dict[str, str]] = []
        self.span_classes: Counter[str] = Counter()
        self.stack: list[str] = []
        self.stack_classes: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.append(values["id"])
        if tag == "svg" and "svg" not in self.stack:
            self.svgs.append(Svg(values))
        elif tag == "use" and self.svgs:
            self.svgs[-1].uses.append(values.get("href", ""))
        elif tag in ("symbol", "g") and self.svgs and values.get("id"):  # a glyph defined
            self.svgs[-1].symbols.append(values.get("id", ""))
        elif tag == "title" and "svg" in self.stack:
            self.in_title = True
        elif tag == "img":
            self.images.append(values)
        elif tag == "span" and "highlight" in " ".join(self.stack_classes):
            self.span_classes[values.get("class", "")] += 1
        if tag not in ("img", "use", "path", "rect", "br", "meta", "hr", "line", "polyline", "polygon", "circle"):
            self.stack.append(tag)
            self.stack_classes.append(values.get("class", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag in self.stack:
            while self.stack:
                self.stack_classes.pop()
                if self.stack.pop() == tag:
                    break

    def handle_data(self, data: str) -> None:
        if self.in_title and self.svgs:
            self.svgs[-1].title += data
        elif not any(t in ("style", "script", "svg", "title") for t in self.stack):
            self.text.append(data)

    def visible_text(self) -> str:
        """Return the text a reader sees (no styles, scripts or SVG internals)."""
        return normalize(" ".join(self.text))


def read_html(markup: str) -> PageReader:
    """Parse an HTML document."""
    reader = PageReader()
    reader.feed(markup)
    reader.close()
    return reader


def math_svgs(reader: PageReader) -> list[Svg]:
    """Return the SVGs that are formulas."""
    return [svg for svg in reader.svgs if svg.attrs.get("role") == "img" and "math" in svg.attrs.get("class", "")]


def assert_every_formula_as_svg(reader: PageReader, guide: Guide) -> None:
    """Each formula occurrence is one SVG (role img) with the TeX as its title, its text alternative."""
    expected = formulas(guide)
    found = Counter((svg.title, svg.attrs["class"] == "math-display") for svg in math_svgs(reader))
    assert found == expected
    for svg in math_svgs(reader):
        assert svg.attrs["role"] == "img"
        assert svg.uses, "a formula SVG draws its glyphs with <use>"


def assert_code_highlighted(reader: PageReader) -> None:
    """The Python block carries Pygments token spans."""
    assert reader.span_classes["kn"] >= 1  # import (Keyword.Namespace)
    assert reader.span_classes["k"] >= 2  # def, return
    assert reader.span_classes["mi"] >= 2  # the -1 literals


# --- the page -----------------------------------------------------------------------------


def page(build: Build) -> str:
    return (build.out / "rich-fixture.html").read_text(encoding="utf-8")


def test_page_shows_no_raw_tex(cold: Build) -> None:
    text = read_html(page(cold)).visible_text()
    assert "Softmax keeps the order" in text
    for raw in RAW_TEX:
        assert raw not in text, raw


def test_page_has_every_formula_as_accessible_svg(cold: Build, rich: Guide) -> None:
    reader = read_html(page(cold))
    assert_every_formula_as_svg(reader, rich)
    assert "z_a < z_b" in {svg.title for svg in math_svgs(reader)}
    assert "<title>z_a &lt; z_b</title>" in page(cold)


def test_page_glyphs_are_defined_once_with_unique_ids(cold: Build) -> None:
    reader = read_html(page(cold))
    duplicates = [i for i, n in Counter(reader.ids).items() if n > 1]
    assert not duplicates
    defs = [svg for svg in reader.svgs if svg.attrs.get("aria-hidden") == "true"]
    assert len(defs) == 1 and defs[0].symbols
    defined = set(defs[0].symbols)
    used = {href[1:] for svg in math_svgs(reader) for href in svg.uses}
    assert used == defined  # every glyph is defined and every definition is used
    assert not any(svg.symbols for svg in math_svgs(reader))


def test_page_highlights_code_and_keeps_unknown_languages_plain(cold: Build) -> None:
    markup = page(cold)
    assert_code_highlighted(read_html(markup))
    assert '<code class="language-nosuchlanguage">softmax &lt;- shift |&gt; exp |&gt; normalize' in markup
    assert "@media (prefers-color-scheme: dark)" in markup


def test_page_embeds_the_image(cold: Build) -> None:
    images = [img for img in read_html(page(cold)).images if img.get("alt") == "The four LSTM gates"]
    assert len(images) == 1
    prefix = "data:image/png;base64,"
    assert images[0]["src"].startswith(prefix)
    assert base64.b64decode(images[0]["src"][len(prefix) :]) == IMAGE.read_bytes()


# --- the PDF ------------------------------------------------------------------------------


def test_pdf_text_has_no_raw_tex(cold: Build) -> None:
    text = normalize(" ".join(pdf_text(cold.out / "rich-fixture.pdf")))
    assert "Softmax keeps the order" in text
    assert "import numpy as np" in text
    for raw in RAW_TEX:
        assert raw not in text, raw


def test_pdf_places_the_image(cold: Build) -> None:
    from pypdf import PdfReader

    sizes = [
        (img.image.width, img.image.height)
        for p in PdfReader(str(cold.out / "rich-fixture.pdf")).pages
        for img in p.images
        if img.image is not None
    ]
    assert (16, 8) in sizes


def test_pdf_html_has_formulas_code_and_image(cold: Build, rich: Guide) -> None:
    markup = Printer(load(FIXTURE, Options(), Cache(cold.cache))).html()
    reader = read_html(markup)
    assert_code_highlighted(reader)
    # Each distinct formula is one standalone SVG image (WeasyPrint reads it once), the TeX its alt text.
    formula_images = [img for img in reader.images if img["src"].startswith("data:image/svg+xml;base64,")]
    found = Counter((img["alt"], img["class"] == "math-display") for img in formula_images)
    assert found == formulas(rich)
    for img in formula_images:
        svg = read_html(base64.b64decode(img["src"].split(",", 1)[1]).decode("utf-8"))
        (drawing,) = svg.svgs
        assert drawing.uses and {href[1:] for href in drawing.uses} <= set(drawing.symbols)
    assert not [i for i, n in Counter(reader.ids).items() if n > 1]
    content_images = [img["src"] for img in reader.images if not img["src"].startswith("data:")]
    assert content_images == [IMAGE.resolve().as_uri()]


# --- the Anki deck ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def deck(cold: Build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deck]:
    col = import_apkg(cold.out / "rich-fixture.apkg", tmp_path_factory.mktemp("collection"))
    yield col, {c.fields["Id"]: c for c in cards(col)}
    col.close()


def test_anki_cards_carry_mathjax_delimiters(deck: Deck) -> None:
    _, by_id = deck
    softmax = by_id["softmax"].answer
    assert r"\(p_i = \frac{e^{z_i}}{\sum_j e^{z_j}}\)" in softmax
    assert r"\[\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}\]" in softmax
    assert r"\(z_a &lt; z_b\)" in softmax
    assert "<svg" not in softmax
    lstm = by_id["lstm-cell"].answer
    assert r"\[\begin{aligned}" in lstm and r"\end{aligned}\]" in lstm
    assert "$" not in re.sub(r"<style>.*?</style>", "", softmax, flags=re.S)


def test_anki_packs_the_image_under_a_content_hash(deck: Deck) -> None:
    col, by_id = deck
    name = hashlib.sha256(IMAGE.read_bytes()).hexdigest()[:16] + ".png"
    media = Path(col.media.dir())
    assert sorted(os.listdir(media)) == [name]
    assert (media / name).read_bytes() == IMAGE.read_bytes()
    assert f'src="{name}"' in by_id["lstm-cell"].answer


def test_anki_highlights_code_in_light_and_night_mode(deck: Deck) -> None:
    col, by_id = deck
    assert_code_highlighted(read_html(by_id["softmax-numpy"].fields["Answer"]))
    notetype = col.models.by_name("studyguide question")
    assert notetype is not None
    css = notetype["css"]
    assert ".nightMode .highlight .k " in css and ".night_mode .highlight .k " in css


# --- the cache ----------------------------------------------------------------------------


def counts(stdout: str) -> tuple[int, int]:
    """Return (from cache, rendered) from the build's math line."""
    match = re.search(r"math (\d+) from cache(?:, (\d+) computed)?", stdout)
    assert match, stdout
    return int(match.group(1)), int(match.group(2) or 0)


def test_first_build_renders_each_formula_once(cold: Build, rich: Guide) -> None:
    hits, renders = counts(cold.stdout)
    assert renders == len(formulas(rich))
    assert hits == 0


def test_rebuild_renders_nothing_and_gives_the_same_files(cold: Build, warm: Build, rich: Guide) -> None:
    hits, renders = counts(warm.stdout)
    assert renders == 0
    assert hits == len(formulas(rich))
    for name in ("rich-fixture.html", "rich-fixture.apkg"):
        assert (warm.out / name).read_bytes() == (cold.out / name).read_bytes()


def test_cache_never_goes_inside_the_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    monkeypatch.setenv("STUDYGUIDE_CACHE", str(content / ".cache"))
    code, _, stderr = run(["--content", str(content), "--out", str(tmp_path / "out")])
    assert code == 2 and "cache folder" in stderr
    assert not (content / ".cache").exists()


# --- content errors -----------------------------------------------------------------------

QUESTION = """
## A question with a problem? {{#problem}}

Tags: testing

{body}
"""


def broken(tmp_path: Path, body: str) -> tuple[Path, int]:
    """Copy the fixture and append a question with this body; return the file and the body's line."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    path = content / "02-code.md"
    text = path.read_text(encoding="utf-8")
    added = QUESTION.format(body=body)
    path.write_text(text + added, encoding="utf-8")
    line = text.count("\n") + added.split("\n").index(body.split("\n")[0]) + 1
    return path, line


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (r"A broken fraction $\frac{1}{$ here.", r"formula $\frac{1}{$ cannot be rendered"),
        (r"An unknown command $\foo{x}$ here.", r"'\foo' is unknown to Anki's MathJax"),
        (
            "$$\n\\begin{aligned} a &= b\n$$",
            "cannot be rendered: the page and PDF's formula renderer (ziamath) cannot draw it (MissingEndError",
        ),
    ],
)
def test_a_formula_that_fails_is_a_content_error(tmp_path: Path, body: str, message: str) -> None:
    path, line = broken(tmp_path, body)
    for args in (["--format", "html"], ["--format", "pdf"], ["--check"]):
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("STUDYGUIDE_CACHE", str(tmp_path / "cache"))
            code, _, stderr = run([*args, "--content", str(path.parent), "--out", str(tmp_path / "out")])
        assert code == 1, args
        assert f"{path}:{line}: " in stderr and message in stderr, stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("![a diagram](media/missing.png)", "image 'media/missing.png' not found"),
        ("![a diagram](../outside.png)", "image '../outside.png' is outside the content folder"),
        ("![a diagram](/etc/hostname)", "image '/etc/hostname' must be a relative path inside the content folder"),
        ("![a diagram](media/fake.png)", "image 'media/fake.png' is not a valid PNG file"),
    ],
)
def test_a_bad_image_is_a_content_error(tmp_path: Path, body: str, message: str) -> None:
    path, line = broken(tmp_path, body)
    (tmp_path / "outside.png").write_bytes(IMAGE.read_bytes())
    (path.parent / "media" / "fake.png").write_text("not a picture", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("STUDYGUIDE_CACHE", str(tmp_path / "cache"))
        code, _, stderr = run(["--format", "anki", "--content", str(path.parent), "--out", str(tmp_path / "out")])
    assert code == 1
    assert f"{path}:{line}: {message}" in stderr, stderr


# --- units --------------------------------------------------------------------------------


def test_text_alternative_cannot_inject_markup() -> None:
    tex = '"/><script>alert(1)</script></title><b'
    placed = Formulas(shared=True).place(render("x", False), tex, False)
    reader = read_html(placed)
    assert "<script" not in placed and "<b" not in placed
    assert len(reader.svgs) == 1 and reader.svgs[0].title == tex and reader.svgs[0].attrs["role"] == "img"


@pytest.mark.parametrize(
    "planted",
    [
        ["<svg></svg>", 'width:1em" onload="alert(1)'],  # a style that leaves its attribute
        ["<svg></svg>", "width:1em;height:1em;vertical-align:0em;background:url(http://example.com/)"],
        ["<p>not an SVG</p>", "width:1em;height:1em;vertical-align:0em"],
        ["<svg>\u00e9</svg>", "width:1em;height:1em;vertical-align:0em"],  # not the ASCII the build writes
        {"svg": "<svg></svg>"},
        [1, 2],
        ["<svg></svg>", "width:1em;height:1em;vertical-align:0em", "more"],
    ],
)
def test_pdf_formula_images_are_kept_and_a_planted_entry_is_not_used(tmp_path: Path, planted: object) -> None:
    """A PDF formula image is kept across builds; an entry not of the shape the build writes is drawn anew."""
    from studyguide.store.cache import seal

    raw, tex = render("x^2", False), "x^{2}"
    alone = Formulas(shared=False).place(raw, tex, False)
    cache = Cache(tmp_path / "cache")
    assert Formulas(shared=False, cache=cache).place(raw, tex, False) == alone
    (entry,) = [p for p in (tmp_path / "cache" / "math").rglob("*") if p.is_file()]
    warm = Cache(tmp_path / "cache")
    assert Formulas(shared=False, cache=warm).place(raw, tex, False) == alone
    assert warm.hits["math"] == 1
    entry.write_bytes(seal(json.dumps(planted).encode()))
    assert Formulas(shared=False, cache=Cache(tmp_path / "cache")).place(raw, tex, False) == alone


def test_a_planted_formula_image_is_drawn_anew_and_stays_an_image(tmp_path: Path) -> None:
    """An entry of the right shape whose SVG holds script is not used (markup/inert.py): the formula is drawn anew."""
    from studyguide.store.cache import seal

    raw, tex = render("x", False), "x"
    own = Formulas(shared=False, cache=Cache(tmp_path / "cache")).place(raw, tex, False)
    (entry,) = [p for p in (tmp_path / "cache" / "math").rglob("*") if p.is_file()]
    svg = '<svg><script>alert(1)</script>"><img src=x onerror=alert(1)></svg>'
    entry.write_bytes(seal(json.dumps([svg, "width:1em;height:1em;vertical-align:0em"]).encode()))
    placed = Formulas(shared=False, cache=Cache(tmp_path / "cache")).place(raw, tex, False)
    reader = read_html(placed)
    (img,) = reader.images
    assert set(img) == {"class", "alt", "style", "src"} and not reader.svgs
    assert "script" not in base64.b64decode(img["src"].split(",", 1)[1]).decode()
    assert placed == own


def test_unknown_language_is_plain_escaped_code() -> None:
    plain = '<pre><code class="language-nosuchlanguage">&lt;b&gt;</code></pre>'
    assert highlight.highlight("<b>", "nosuchlanguage") == plain
    assert highlight.highlight("<b>", "") == "<pre><code>&lt;b&gt;</code></pre>"


def luminance(colour: str) -> float:
    """Return the WCAG relative luminance of #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize(
    ("css", "background"), [(highlight.light_css(), "#ffffff"), (highlight.dark_css("html"), "#272822")]
)
def test_code_colours_pass_contrast(css: str, background: str) -> None:
    checked = 0
    for rule in css.splitlines():
        colour = re.search(r"[{;]\s*color: (#[0-9A-Fa-f]{6})", rule)
        if colour is None:
            continue
        own = re.search(r"background-color: (#[0-9A-Fa-f]{6})", rule)
        pair = (luminance(colour.group(1)), luminance(own.group(1) if own else background))
        lighter, darker = sorted(pair, reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, rule
        checked += 1
    assert checked > 20
