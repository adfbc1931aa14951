"""Entries planted whole in the cache (resealed with their own checksum) never bring markup into an output.

The checksum finds damage; a cached value that becomes markup is also checked when it is read
(markup/inert.py, renderers/pdf/inert.py), and anything that could run or load is computed anew.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest
from readers import import_apkg

from studyguide.cli import main
from studyguide.renderers.pdf import parts as parts_module
from studyguide.store.cache import seal, unseal

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCRIPT = '<script>alert(1)</script><img src="http://127.0.0.1:9/x.png" onerror="alert(2)">'
IMAGE = '<image href="file:///etc/passwd" width="9" height="9"/>'
IN_SVG = '<script>alert(1)</script><rect onerror="alert(2)" width="1" height="1"/>' + IMAGE  # well-formed XML


def plant(cache: Path, namespace: str, change: Callable[[bytes], bytes | None]) -> int:
    """Rewrite every entry of a namespace with `change` (None: leave it) and reseal it; return how many changed."""
    changed = 0
    for path in sorted((cache / namespace).rglob("*")):
        payload = unseal(path.read_bytes()) if path.is_file() else None
        new = None if payload is None else change(payload)
        if new is not None:
            path.write_bytes(seal(new))
            changed += 1
    return changed


def build(content: Path, out: Path, cache: Path, formats: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """Build some formats with the given cache folder; return the exit code."""
    monkeypatch.setenv("STUDYGUIDE_CACHE", str(cache))
    return main(["--format", formats, "--force", "--content", str(content), "--out", str(out)])


def test_a_planted_note_type_never_reaches_the_deck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content, cache = tmp_path / "content", tmp_path / "cache"
    shutil.copytree(FIXTURES / "valid", content)
    assert build(content, tmp_path / "first", cache, "anki", monkeypatch) == 0

    def planted(payload: bytes) -> bytes:
        parts = json.loads(payload)
        parts["qfmt"] += SCRIPT
        parts["afmt"] += "{{type:Answer}}[sound:x.mp3]"
        parts["css"] += "@import url(http://127.0.0.1:9/x.css);"
        return json.dumps(parts).encode()

    assert plant(cache, "anki", planted) == 1
    assert build(content, tmp_path / "out", cache, "anki", monkeypatch) == 0
    note_types, shown = deck_markup(tmp_path / "out" / "fixture-guide.apkg", tmp_path)
    assert len(note_types) == 1
    for planted_text in ("alert(", "onerror", "@import", "{{type:", "[sound:"):
        assert planted_text not in json.dumps(note_types) and planted_text not in shown, planted_text


def deck_markup(apkg: Path, folder: Path) -> tuple[list[object], str]:
    """Return a deck's note types (studyguide's) and the HTML of all its cards, as the real Anki library reads them."""
    col = import_apkg(apkg, folder)
    try:
        note_types: list[object] = [m for m in col.models.all() if m["name"].startswith("studyguide")]
        shown = "".join(col.get_card(c).question() + col.get_card(c).answer() for c in col.find_cards(""))
    finally:
        col.close()
    return note_types, shown


def test_planted_cloze_and_reversed_note_types_never_reach_the_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The note types beside the frozen one (a list of templates) are checked on read the same way."""
    content, cache = tmp_path / "content", tmp_path / "cache"
    shutil.copytree(FIXTURES / "clozes", content)
    assert build(content, tmp_path / "first", cache, "anki", monkeypatch) == 0

    def planted(payload: bytes) -> bytes | None:
        parts = json.loads(payload)
        if "templates" not in parts:
            return None
        for template in parts["templates"]:
            template[1] += SCRIPT
            template[2] += "{{type:Answer}}[sound:x.mp3]"
        return json.dumps(parts).encode()

    assert plant(cache, "anki", planted) == 2
    assert build(content, tmp_path / "out", cache, "anki", monkeypatch) == 0
    note_types, shown = deck_markup(tmp_path / "out" / "cloze-fixture.apkg", tmp_path)
    assert len(note_types) == 3
    for planted_text in ("alert(", "onerror", "{{type:", "[sound:"):
        assert planted_text not in json.dumps(note_types) and planted_text not in shown, planted_text


def _svg_with(extra: str) -> Callable[[bytes], bytes | None]:
    """Return a change that puts markup inside every cached formula SVG (raw SVG and the PDF's [svg, style])."""

    def change(payload: bytes) -> bytes | None:
        text = payload.decode("utf-8")
        if text.startswith("<svg"):
            head, close, rest = text.partition(">")
            return (head + close + extra + rest).encode()
        found = json.loads(text)
        if isinstance(found, list) and len(found) == 2:
            head, close, rest = found[0].partition(">")
            return json.dumps([head + close + extra + rest, found[1]]).encode()
        return None

    return change


def test_a_planted_formula_svg_never_reaches_the_page_or_the_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, cache = tmp_path / "content", tmp_path / "cache"
    shutil.copytree(FIXTURES / "rich", content)
    assert build(content, tmp_path / "first", cache, "html,pdf", monkeypatch) == 0
    assert plant(cache, "math", _svg_with(IN_SVG)) > 10
    assert build(content, tmp_path / "out", cache, "html,pdf", monkeypatch) == 0  # the PDF's fetcher refused it
    page = (tmp_path / "out" / "rich-fixture.html").read_text(encoding="utf-8")
    assert page.count("<script") == 1 and "alert(" not in page and 'onerror="' not in page and "passwd" not in page
    first = (tmp_path / "first" / "rich-fixture.pdf").read_bytes()
    assert (tmp_path / "out" / "rich-fixture.pdf").read_bytes() == first


def _acting_part(payload: bytes) -> bytes | None:
    """Add JavaScript and Launch actions to a cached part: an open action, a page's, a link's."""
    head, _, data = payload.partition(b"\n")
    if not data.startswith(b"%PDF-"):
        return None
    with pikepdf.open(io.BytesIO(data)) as pdf:
        script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        launch = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("/usr/bin/xcalc"))
        pdf.Root.OpenAction = script
        page = pdf.pages[0].obj
        page.AA = pikepdf.Dictionary(O=script)
        link = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 99, 99], A=launch)
        page.Annots = pdf.make_indirect(pikepdf.Array([*page.get("/Annots", []), pdf.make_indirect(link)]))
        out = io.BytesIO()
        pdf.save(out)
    return head + b"\n" + out.getvalue()


def acting(pdf_bytes: bytes) -> list[str]:
    """Return every action key or type in a PDF that would run something (read with pikepdf)."""
    found = []
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary):
                found += [key for key in ("/JS", "/OpenAction", "/AA") if key in obj]
                found += [str(obj["/S"])] if str(obj.get("/S")) in ("/JavaScript", "/Launch") else []
    return found


def test_planted_pdf_parts_never_reach_the_pdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content, cache = tmp_path / "content", tmp_path / "cache"
    shutil.copytree(FIXTURES / "rich", content)
    monkeypatch.setattr(parts_module, "PART_PAGES", 1)  # each section its own part
    assert build(content, tmp_path / "first", cache, "pdf", monkeypatch) == 0
    first = (tmp_path / "first" / "rich-fixture.pdf").read_bytes()
    assert acting(first) == []
    assert plant(cache, "pdf", _acting_part) >= 2
    assert build(content, tmp_path / "out", cache, "pdf", monkeypatch) == 0
    built = (tmp_path / "out" / "rich-fixture.pdf").read_bytes()
    assert acting(built) == []
    assert built == first
