"""Make the README screenshots from the real outputs: `python scripts/screenshots.py`.

Builds the guide in `content/` into a temporary folder, then writes to `docs/screenshots/`:

- `page-light.png`, `page-dark.png`: the study page in headless Chromium, one question opened;
- `page-study.png`: the page in study mode, the first question with its core answer shown;
- `pdf-cover.png`, `pdf-contents.png`, `pdf-question.png`: three PDF pages through `pdftoppm -r 60`;
- `flashcards-fronts.png`, `flashcards-backs.png`: the first sheet of the printable flashcards;
- `pdf-scripts.png`, `pdf-code.png`: two pages of the print fixture (`tests/fixtures/print`): other
  scripts and emoji; code and a table;
- `card-front.png`, `card-back.png`: one card as the real Anki library renders it
  (imported from the .apkg into a temporary collection), shown in Chromium.

Needs Debian's `chromium` (never a downloaded browser), poppler-utils and the `anki` and
`playwright` packages. Run it by hand after a design change and commit the PNGs.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studyguide.build.pipeline import load_guide  # noqa: E402
from studyguide.cli import main as build  # noqa: E402
from studyguide.model import Guide, Question  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ViewportSize

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PAGE_VIEWPORT: ViewportSize = {"width": 880, "height": 800}
STUDY_VIEWPORT: ViewportSize = {"width": 880, "height": 520}
STUDY_DAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the grade buttons' intervals depend on the day
CARD_VIEWPORT: ViewportSize = {"width": 560, "height": 160}
# The page opens this question (it has a formula); the card is the shortest answer without one.
PAGE_QUESTION = "neural-networks"
PRINT_FIXTURE = ROOT / "tests" / "fixtures" / "print"
PRINT_PAGES = (("pdf-scripts", "scripts-print"), ("pdf-code", "isolation"))  # (PNG name, question id)
DPI = 60


def has_math(guide: Guide, q: Question) -> bool:
    """Whether a question holds a formula (Anki draws them with MathJax, which plain Chromium lacks)."""
    return any(found is q for found, _ in guide.nodes("math_inline", "math_block"))


def card_question(guide: Guide) -> Question:
    """The card to show: the shortest answer with a core answer, see-also links and sources, no formula."""
    fits = [q for q in guide.questions if q.core and q.see_also and q.sources and not has_math(guide, q)]
    return min(fits or list(guide.questions), key=lambda q: len(q.answer_text()))


def shoot_page(browser: Browser, html: Path, out: Path, qid: str) -> None:
    """The page in light and dark, with one question opened by its deep link."""
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport=PAGE_VIEWPORT, color_scheme=scheme, device_scale_factor=1)
        page = context.new_page()
        page.goto(f"{html.as_uri()}#{qid}")
        page.wait_for_function(f"document.getElementById({qid!r}).open")
        page.wait_for_timeout(300)
        page.screenshot(path=str(out / f"page-{scheme}.png"))
        context.close()


def shoot_study(browser: Browser, html: Path, out: Path) -> None:
    """Study mode on a fixed day: the first question, its core answer shown, the four grades below."""
    context = browser.new_context(viewport=STUDY_VIEWPORT, timezone_id="UTC", device_scale_factor=1)
    page = context.new_page()
    page.clock.set_fixed_time(STUDY_DAY)
    page.goto(html.as_uri())
    page.click("#study-start")
    page.keyboard.press("Space")
    page.locator("#study-reveal").focus()
    page.screenshot(path=str(out / "page-study.png"))
    context.close()


def outline_pages(pdf: Path) -> dict[str, int]:
    """Map each bookmark title of the PDF to its 1-based page number."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    pages: dict[str, int] = {}

    def visit(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                visit(item)
            else:
                number = reader.get_destination_page_number(item)
                assert number is not None
                pages.setdefault(item.title, number + 1)

    visit(reader.outline)
    return pages


def contents_page(pdf: Path) -> int:
    """The first page whose text has the word 'Contents'."""
    from pypdf import PdfReader

    for number, page in enumerate(PdfReader(str(pdf)).pages, start=1):
        if "Contents" in (page.extract_text() or ""):
            return number
    raise SystemExit(f"no contents page in {pdf}")


def shoot_pdf(pdf: Path, out: Path, shots: dict[str, Question | int]) -> None:
    """PDF pages rendered by pdftoppm: each given by its number, or by a question on it."""
    pages = outline_pages(pdf)
    for name, where in shots.items():
        if not isinstance(where, int) and where.title not in pages:
            raise SystemExit(f"question {where.id!r} is not in the PDF outline")
        number = where if isinstance(where, int) else pages[where.title]
        pages_arg = ["-f", str(number), "-l", str(number)]
        command = ["pdftoppm", "-png", "-r", str(DPI), *pages_arg, "-singlefile", str(pdf), str(out / name)]
        subprocess.run(command, check=True)


def card_html(body: str) -> str:
    """A card's rendered HTML (Anki's question()/answer(), styles included) in a `.card` body."""
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body class="card">{body}</body></html>'


def shoot_card(browser: Browser, apkg: Path, out: Path, qid: str, work: Path) -> None:
    """Front and back of one card: imported by the Anki library, rendered by it, shown in Chromium."""
    sys.path.insert(0, str(ROOT / "tests"))
    from readers import import_apkg

    folder = work / "collection"
    folder.mkdir()
    col = import_apkg(apkg, folder)
    try:
        [card_id] = col.find_cards(f"Id:{qid}")
        card = col.get_card(card_id)
        sides = {"front": card.question(), "back": card.answer()}
    finally:
        col.close()
    context = browser.new_context(viewport=CARD_VIEWPORT, device_scale_factor=1)
    page = context.new_page()
    for side, html in sides.items():
        file = work / f"card-{side}.html"
        file.write_text(card_html(html), encoding="utf-8")
        page.goto(file.as_uri())
        page.screenshot(path=str(out / f"card-{side}.png"), full_page=True)
    context.close()


def run(content: Path, out: Path) -> list[Path]:
    """Build the content and write every screenshot; return the PNG paths."""
    from playwright.sync_api import sync_playwright

    guide = load_guide(content)
    gid = guide.meta.id
    out.mkdir(parents=True, exist_ok=True)
    page_q = next((q for q in guide.questions if q.id == PAGE_QUESTION), guide.questions[0])
    card_q = card_question(guide)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        dist = work / "dist"
        if build(["--format", "all", "--content", str(content), "--out", str(dist), "--force"]) != 0:
            raise SystemExit("the build failed")
        pdf = dist / f"{gid}.pdf"
        guide_shots: dict[str, Question | int] = {
            "pdf-cover": 1,
            "pdf-contents": contents_page(pdf),
            "pdf-question": page_q,
        }
        shoot_pdf(pdf, out, guide_shots)
        shoot_pdf(dist / f"{gid}-flashcards.pdf", out, {"flashcards-fronts": 1, "flashcards-backs": 2})
        printed = load_guide(PRINT_FIXTURE)
        if build(["--format", "pdf", "--content", str(PRINT_FIXTURE), "--out", str(work / "print"), "--force"]) != 0:
            raise SystemExit("the print fixture's build failed")
        shots: dict[str, Question | int] = {name: printed.question(qid) for name, qid in PRINT_PAGES}
        shoot_pdf(work / "print" / f"{printed.meta.id}.pdf", out, shots)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                shoot_page(browser, dist / f"{gid}.html", out, page_q.id)
                shoot_study(browser, dist / f"{gid}.html", out)
                shoot_card(browser, dist / f"{gid}.apkg", out, card_q.id, work)
            finally:
                browser.close()
    names = ["page-light", "page-dark", "page-study", "pdf-cover", "pdf-contents", "pdf-question", "pdf-scripts"]
    names += ["pdf-code", "card-front", "card-back", "flashcards-fronts", "flashcards-backs"]
    return [out / f"{name}.png" for name in names]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content", help="content folder (default: content)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where to write the PNGs")
    args = parser.parse_args(argv)
    for path in run(args.content, args.out):
        print(f"{path}  {path.stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
