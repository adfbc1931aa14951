"""Input hygiene: a BOM, CRLF, tabs, non-breaking spaces and Unicode titles build like plain text."""

from __future__ import annotations

import shutil
from pathlib import Path

from readers import cards, html_text, import_apkg, normalize, pdf_text

from studyguide.build.pipeline import load_guide
from studyguide.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SECTION = (
    "# Ünïcode säction {#unicode}\n\n"
    "## Was ist ein Gradient — und warum 学习? {#unicode-title}\n\n"
    "Tags:\ttesting,\u00a0quality\n\n"
    "> Kurz:\u00a0die Richtung des steilsten Anstiegs.\n\n"
    "Ein Gradient\u00a0zeigt in die Richtung des steilsten Anstiegs.\n\n"
    "-\tErster Punkt mit Tab.\n"
    "- Zweiter Punkt: «Anführungszeichen» und Emoji 🎓.\n"
)


def test_bom_crlf_tabs_nbsp_and_unicode_titles_build(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    data = "\ufeff" + SECTION.replace("\n", "\r\n")
    (content / "50-unicode.md").write_bytes(data.encode("utf-8"))
    guide = load_guide(content)
    question = guide.question("unicode-title")
    assert question.title == "Was ist ein Gradient — und warum 学习?"
    assert question.tags == ("testing", "quality")
    assert guide.sections[-1].title == "Ünïcode säction"
    out = tmp_path / "out"
    assert main(["--content", str(content), "--out", str(out)]) == 0
    phrase = normalize(question.answer_text()).split(" Erster")[0]
    text, ids = html_text(out / "fixture-guide.html")
    assert question.title in text and phrase in text and "unicode-title" in ids
    assert question.title in normalize(" ".join(pdf_text(out / "fixture-guide.pdf")))
    col = import_apkg(out / "fixture-guide.apkg")
    try:
        titles = {c.fields["Id"]: c.fields["Question"] for c in cards(col)}
    finally:
        col.close()
    assert titles["unicode-title"] == question.title
