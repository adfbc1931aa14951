"""Hostile content comes out inert in every output: no script, no handler, no active link."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from readers import cards, import_apkg, normalize, pdf_text

from studyguide.cli import main

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile"
MARKER = "__pwned"


class ActiveParts(HTMLParser):
    """Collects what a browser would run: script bodies, event handlers, link and source URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.active: list[str] = []
        self.tags: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on") or name in ("href", "src", "action", "formaction", "srcdoc"):
                self.active.append(f"{tag} {name}={value}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.active.append(data)


def active_parts(markup: str) -> ActiveParts:
    parser = ActiveParts()
    parser.feed(markup)
    return parser


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hostile")
    assert main(["--format", "all", "--content", str(HOSTILE), "--out", str(out)]) == 0
    return out


def assert_inert(markup: str) -> None:
    parts = active_parts(markup)
    assert not [part for part in parts.active if MARKER in part or "javascript:" in part.lower() or "data:text" in part]
    assert not {"iframe", "object", "embed", "base"} & set(parts.tags)


def test_page_is_inert(outputs: Path) -> None:
    markup = (outputs / "hostile-guide.html").read_text(encoding="utf-8")
    assert_inert(markup)
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in markup


def test_cards_are_inert(outputs: Path) -> None:
    col = import_apkg(outputs / "hostile-guide.apkg")
    try:
        rendered = cards(col)
    finally:
        col.close()
    assert len(rendered) == 2
    for card in rendered:
        assert_inert(card.question)
        assert_inert(card.answer)
        assert "<script" not in card.answer.split("</style>", 1)[-1]


def test_pdf_shows_the_markup_as_text(outputs: Path) -> None:
    text = normalize(" ".join(pdf_text(outputs / "hostile-guide.pdf")))
    assert "<script>window.__pwned=1</script>" in text
    assert "javascript:window.__pwned=1" in text
