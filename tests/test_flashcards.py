"""Printable flashcards read back with poppler: fronts and backs, each back behind its front when printed two-sided."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from pypdf import PdfReader

from studyguide.build.pipeline import load_guide
from studyguide.cli import main
from studyguide.model import Guide, Node, Question

FIXTURES = Path(__file__).resolve().parent / "fixtures"
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
Word = tuple[float, float, str]  # the word's centre (x, y) in points, and its letters


def words_of(pdf: Path) -> tuple[list[list[Word]], float, float]:
    """Return each page's words with their centres (pdftotext -bbox), and the page's width and height."""
    done = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    pages = []
    for page in done.stdout.split("<page ")[1:]:
        found = []
        for x0, y0, x1, y1, text in WORD.findall(page):
            letters = re.sub(r"\W", "", unescape(text))
            if letters:
                found.append(((float(x0) + float(x1)) / 2, (float(y0) + float(y1)) / 2, letters.casefold()))
        pages.append(found)
    size = re.search(r'width="([\d.]+)" height="([\d.]+)"', done.stdout)
    assert size
    return pages, float(size[1]), float(size[2])


def key_words(text: str, count: int = 4) -> list[str]:
    """Return the first words of a text as pdftotext gives them: letters only, case folded."""
    return [w for w in (re.sub(r"\W", "", word).casefold() for word in text.split()) if w][:count]


def find(words: list[Word], wanted: list[str]) -> tuple[float, float] | None:
    """Return where a run of words starts on a page (its first word's centre), or None.

    Compared letter by letter, across word boundaries: a word broken at a hyphen at a line's end is
    two words to pdftotext.
    """
    letters, starts = "", []
    for word in words:
        starts.append(len(letters))
        letters += word[2]
    at = letters.find("".join(wanted))
    if at < 0:
        return None
    index = max(n for n, start in enumerate(starts) if start <= at)
    return words[index][0], words[index][1]


def check_cards(pdf: Path, guide: Guide) -> dict[str, tuple[int, float, float]]:
    """Assert every question is on a front and its back text behind it (mirrored); return where each front is."""
    pages, width, height = words_of(pdf)
    assert len(pages) % 2 == 0 and len(PdfReader(pdf).pages) == len(pages)
    fronts: dict[str, tuple[int, float, float]] = {}
    for q in guide.questions:
        front = next(((n, at) for n in range(0, len(pages), 2) if (at := find(pages[n], key_words(q.title, 99)))), None)
        assert front is not None, f"no front shows {q.title!r}"
        number, (x, y) = front
        fronts[q.id] = (number, x, y)
        back = find(pages[number + 1], key_words(back_text(q), 8))
        assert back is not None, f"the page behind {q.id}'s front does not show its answer"
        # eight cards a page, two across and four down; flipped on the long edge, a back is in the same row
        # and the other column
        cell, behind = (
            (int(x // (width / 2)), int(y // (height / 4))),
            (int(back[0] // (width / 2)), int(back[1] // (height / 4))),
        )
        assert behind == (1 - cell[0], cell[1]), (q.id, (x, y), back)
    return fronts


def back_text(q: Question) -> str:
    """Return the text a question's back starts with: its core answer, else its answer (its formulas are drawn:
    pdftotext reads no text in them)."""
    return printed_words(q.core or q.answer)


def printed_words(node: Node) -> str:
    """Return a tree's text without its formulas."""
    if node.kind in ("math_inline", "math_block"):
        return " "
    return node.text if node.kind == "text" else " ".join(printed_words(child) for child in node.children)


def test_every_question_is_on_a_front_with_its_core_answer_behind_it(built: dict[str, Path], guide: Guide) -> None:
    fronts = check_cards(built["flashcards"], guide)
    pages = sorted({page for page, _, _ in fronts.values()})
    assert len([f for f in fronts.values() if f[0] == pages[0]]) == 8  # eight cards a sheet
    letters = "".join(w[2] for page in words_of(built["flashcards"])[0][1::2] for w in page)
    cores = {q.id: "".join(key_words(printed_words(q.core), 999)) for q in guide.questions if q.core}
    assert [qid for qid, core in cores.items() if core not in letters] == []  # every core answer's letters, in order


def test_a_right_to_left_guide_starts_at_the_top_right_on_letter_paper(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    toml = content / "guide.toml"
    toml.write_text(re.sub(r'language = "[^"]*"', 'language = "ar"', toml.read_text(encoding="utf-8")))
    args = ["--format", "flashcards", "--paper", "letter", "--content", str(content), "--out", str(tmp_path / "out")]
    assert main(args) == 0
    guide = load_guide(content)
    (pdf,) = (tmp_path / "out").glob("*-flashcards-letter.pdf")
    assert PdfReader(pdf).pages[0].mediabox.width == pytest.approx(612, abs=0.5)  # US Letter
    fronts = check_cards(pdf, guide)
    _, width, _ = words_of(pdf)
    first = fronts[guide.questions[0].id]
    assert first[0] == 0 and first[1] > width / 2  # the first card is on the right


def test_an_answer_longer_than_a_card_continues_on_the_next_card(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    paragraphs = "\n\n".join(f"Paragraph {n} says something worth knowing, number {n} of forty." for n in range(40))
    (content / "60-long.md").write_text(
        f"# Long {{#long}}\n\n## What is long? {{#very-long}}\n\nTags: a\n\n{paragraphs}\n", encoding="utf-8"
    )
    assert main(["--format", "flashcards", "--content", str(content), "--out", str(tmp_path / "out")]) == 0
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    pages, _, _ = words_of(pdf)
    text = " ".join(" ".join(w[2] for w in page) for page in pages[1::2])
    assert all(f"paragraph {n} says" in text for n in range(40))
    fronts = " ".join(" ".join(w[2] for w in page) for page in pages[::2])
    assert "what is long continued" in fronts
    assert "continued on the next card" in text


# A cloze question, a reversed one and plain ones (tests/fixtures/clozes): the flashcards are Anki's cards.
CLOZES = FIXTURES / "clozes"
Cell = tuple[int, int, int]  # a card's page, column and row
Read = tuple[dict[Cell, str], int]  # each card's text, and the number of pages


def cards_of(pdf: Path) -> Read:
    """Return each card's text as pdftotext reads it (words as printed, brackets kept), by page and cell."""
    done = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    size = re.search(r'width="([\d.]+)" height="([\d.]+)"', done.stdout)
    assert size
    width, height = float(size[1]), float(size[2])
    cards: dict[Cell, list[str]] = {}
    pages = done.stdout.split("<page ")[1:]
    for number, page in enumerate(pages):
        for x0, y0, x1, y1, text in WORD.findall(page):
            x, y = (float(x0) + float(x1)) / 2, (float(y0) + float(y1)) / 2
            cards.setdefault((number, int(x // (width / 2)), int(y // (height / 4))), []).append(unescape(text))
    return {cell: " ".join(words) for cell, words in cards.items()}, len(pages)


def behind(cell: Cell) -> Cell:
    """Return where a front's back is printed: the next page, the same row, the other column (long-edge flip)."""
    return cell[0] + 1, 1 - cell[1], cell[2]


def fronts_showing(cards: dict[Cell, str], text: str) -> list[Cell]:
    """Return the cells of the fronts (even pages) whose text holds this text, in reading order."""
    return sorted(
        (c for c, words in cards.items() if c[0] % 2 == 0 and text in words), key=lambda c: (c[0], c[2], c[1])
    )


@pytest.fixture(scope="module")
def cloze_cards(tmp_path_factory: pytest.TempPathFactory) -> Read:
    """The flashcards of the cloze fixture, read back card by card."""
    out = tmp_path_factory.mktemp("cloze-cards")
    assert main(["--format", "flashcards", "--content", str(CLOZES), "--out", str(out)]) == 0
    (pdf,) = out.glob("*-flashcards.pdf")
    return cards_of(pdf)


def test_a_cloze_question_gives_a_card_per_cloze_each_hiding_its_own(cloze_cards: Read) -> None:
    # git-add: {{c1::`git add`}} puts a change in the {{c2::index::staging area}}. / The next {{c1::commit}} records...
    cards, pages = cloze_cards
    assert pages % 2 == 0
    first, second = fronts_showing(cards, "What does git add do?")  # exactly two cards
    # c1 hidden as […] (no hint), c2's text shown plain; the title stays as context
    assert "[…]" in cards[first] and "index" in cards[first] and "commit" not in cards[first]
    assert "The next […] records" in cards[first]
    # c2 hidden as its hint, c1's text shown plain
    assert "[staging area]" in cards[second] and "index" not in cards[second]
    assert "git add puts a change" in cards[second] and "The next commit records" in cards[second]
    # each back, behind its front, fills in its own cloze
    assert "git add puts a change" in cards[behind(first)] and "The next commit records" in cards[behind(first)]
    assert "in the index" in cards[behind(second)] and "[" not in cards[behind(second)]
    assert not any("{{c" in words for words in cards.values())


def test_a_reversed_question_gives_its_card_and_then_the_reversed_card(cloze_cards: Read) -> None:
    cards, _ = cloze_cards
    core = "An operation that gives the same result"
    (forward,) = fronts_showing(cards, "Idempotent")
    assert core not in cards[forward] and core in cards[behind(forward)]
    (reverse,) = fronts_showing(cards, core)
    assert "Which question does this answer?" in cards[reverse]
    assert "Idempotent" in cards[behind(reverse)]
    # card numbers count in reading order: git-add 1-2, ohm 3-5 (three clozes), idempotent 6 and 7, status 8
    number = {cell: int(re.findall(r"\b\d+\b", cards[cell])[-1]) for cell in (forward, reverse)}
    assert (number[forward], number[reverse]) == (6, 7)
    assert len(fronts_showing(cards, "CLOZES AND REVERSED CARDS")) == 8


def test_a_cloze_text_longer_than_a_card_continues_on_the_next_front(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(CLOZES, content)
    paragraphs = "\n\n".join(
        f"Paragraph {n} says {{{{c1::secret{n}}}}} is worth knowing, {n} of forty." for n in range(40)
    )
    (content / "02-long.md").write_text(
        f"# Long {{#long}}\n\n## What is long? {{#very-long}}\n\nTags: a\n\n{paragraphs}\n", encoding="utf-8"
    )
    assert main(["--format", "flashcards", "--content", str(content), "--out", str(tmp_path / "out")]) == 0
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    cards, pages = cards_of(pdf)
    assert pages % 2 == 0
    fronts = fronts_showing(cards, "What is long")
    assert len(fronts) > 1 and "continued on the next card" in cards[fronts[0]]
    front_text = " ".join(cards[c] for c in fronts)
    back_text = " ".join(cards[behind(c)] for c in fronts)
    for n in range(40):  # no front loses a paragraph; each hides its cloze, which its back shows
        assert f"Paragraph {n} says […] is worth knowing" in front_text
        assert f"secret{n}" not in front_text and f"Paragraph {n} says secret{n} is" in back_text


Box = tuple[float, float, float, float, str]  # a word's box (x0, y0, x1, y1) in points, and its text


def boxes_of(pdf: Path) -> list[list[Box]]:
    """Return each page's word boxes as pdftotext reads them."""
    done = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True)
    return [
        [(float(x0), float(y0), float(x1), float(y1), unescape(text)) for x0, y0, x1, y1, text in WORD.findall(page)]
        for page in done.stdout.split("<page ")[1:]
    ]


def test_diagrams_and_callouts_stay_inside_their_card(tmp_path: Path) -> None:
    """The notation fixture's cards: a tall sequence diagram fits its card (no word drawn over another, none
    across a card's edge) and a callout is drawn as one (its coloured bar), as in the printed guide."""
    out = tmp_path / "out"
    assert main(["--format", "flashcards", "--content", str(FIXTURES / "notation"), "--out", str(out)]) == 0
    (pdf,) = out.glob("*.pdf")
    width, height = float(PdfReader(pdf).pages[0].mediabox.width), float(PdfReader(pdf).pages[0].mediabox.height)
    margin = 10 / 25.4 * 72
    card_w, card_h = (width - 2 * margin) / 2, (height - 2 * margin) / 4
    for page in boxes_of(pdf):
        for x0, y0, x1, y1, text in page:
            column, row = int((x0 - margin) // card_w), int((y0 - margin) // card_h)
            assert x1 <= margin + (column + 1) * card_w + 0.5 and y1 <= margin + (row + 1) * card_h + 0.5, text
        for n, a in enumerate(page):
            for b in page[n + 1 :]:
                overlap = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
                assert overlap[0] < 1 or overlap[1] < 1, f"{a[4]!r} drawn over {b[4]!r}"
    (caution,) = [box for box in boxes_of(pdf)[1] if box[4] == "Caution"]  # on the first page of backs
    column, row = int((caution[0] - margin) // card_w), int((caution[1] - margin) // card_h)
    subprocess.run(["pdftoppm", "-r", "72", "-f", "2", "-l", "2", "-png", str(pdf), str(tmp_path / "back")], check=True)
    from PIL import Image

    (png,) = tmp_path.glob("back*.png")
    left, top = margin + column * card_w, margin + row * card_h
    card = Image.open(png).convert("RGB").crop((int(left), int(top), int(left + card_w), int(top + card_h)))
    pixels = card.tobytes()
    coloured = sum(1 for i in range(0, len(pixels), 3) if max(pixels[i : i + 3]) - min(pixels[i : i + 3]) > 40)
    assert coloured > 100  # the callouts' bars, icons and titles in their colours (before: 0, all black)


def test_an_english_citation_reads_in_order_in_an_arabic_card(tmp_path: Path) -> None:
    """WeasyPrint reverses a right-to-left line's pieces: the cards isolate runs of the other direction as the
    printed guide does, so an English citation cut by an italic title prints in its own order."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    toml = content / "guide.toml"
    toml.write_text(re.sub(r'language = "[^"]*"', 'language = "ar"', toml.read_text(encoding="utf-8")))
    (content / "60-ar.md").write_text(
        "# قسم {#ar}\n\n## ما المرجع؟ {#ar-ref}\n\nTags: a\n\n"
        "> يقول Zumdahl & Zumdahl, *Chemistry*, 10th ed., ch. 2 في كتابه ذلك.\n\nنص الجواب.\n",
        encoding="utf-8",
    )
    assert main(["--format", "flashcards", "--content", str(content), "--out", str(tmp_path / "out")]) == 0
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    # Before: ",.10th ed ,Chemistry ,Zumdahl & Zumdahl" (the pieces of the line in reverse)
    assert "Zumdahl & Zumdahl, Chemistry, 10th ed.," in " ".join(done.stdout.split())
