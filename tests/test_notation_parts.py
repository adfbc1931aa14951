"""The parts of #29 one at a time: the HTML subset, inline notes, alerts, tags and words of any script,
warnings that must and must not come, diagrams made safe and their errors at their line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from studyguide.build.pipeline import load
from studyguide.check.lint import lint
from studyguide.errors import ContentError
from studyguide.markup import Hooks, notes_html, to_html
from studyguide.markup.diagrams import DiagramError, sanitize
from studyguide.model import Guide
from studyguide.parse.parser import parse

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def guide_of(tmp_path: Path, body: str, tags: str = "a") -> tuple[Guide, list[str]]:
    """Return a guide with one more question and every message (errors and warnings) about it (the guide as parsed)."""
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    (content / "50-more.md").write_text(f"# More {{#more}}\n\n## More? {{#more-q}}\n\nTags: {tags}\n\n{body}", "utf-8")
    short = str(content / "50-more.md")
    try:
        job = load(content)
    except ContentError as exc:
        return parse(content)[0], [str(p).replace(short, "F") for p in exc.problems]
    return job.guide, [str(p).replace(short, "F") for p in job.warnings]


def answer_html(tmp_path: Path, body: str) -> str:
    guide, problems = guide_of(tmp_path, body)
    assert problems == [], problems
    return to_html(guide.question("more-q").answer)


def test_the_html_subset_becomes_elements_and_drops_its_attributes(tmp_path: Path) -> None:
    html = answer_html(
        tmp_path,
        '<kbd class="x">Ctrl</kbd>, H<sub>2</sub>O, x<sup>2</sup>, <mark onclick="evil()">**key**</mark><br/>end.\n',
    )
    assert html == ("<p><kbd>Ctrl</kbd>, H<sub>2</sub>O, x<sup>2</sup>, <mark><strong>key</strong></mark><br>end.</p>")


def test_details_blocks_nest_blocks_with_or_without_a_summary(tmp_path: Path) -> None:
    body = (
        "<details>\n<summary>Why *this*?</summary>\n\nBecause.\n\n- one\n\n</details>\n\n"
        "<details open>\nAll in one paragraph.\n</details>\n"
    )
    html = answer_html(tmp_path, body)
    assert html == (
        '<details class="block"><summary>Why <em>this</em>?</summary><p>Because.</p>'
        "<ul><li><p>one</p></li></ul></details>"
        '<details class="block"><p>All in one paragraph.</p></details>'
    )


def test_a_tag_without_its_partner_stays_text_and_warns_at_its_line(tmp_path: Path) -> None:
    guide, problems = guide_of(tmp_path, "Open <kbd>x but never closed.\n\n<details>\n\nNever closed.\n")
    assert "&lt;kbd&gt;x" in to_html(guide.question("more-q").answer)
    assert any(p.startswith("F:7: warning: '<kbd>' has no partner") for p in problems), problems
    assert any(p.startswith("F:9: warning: '<details>' has no partner") for p in problems), problems


def test_every_other_tag_warns_at_its_own_line_and_column(tmp_path: Path) -> None:
    _, problems = guide_of(tmp_path, "A <span>b</span>\nand <b>c</b> <kbd>k</kbd>.\n")
    found = sorted(p.split(" is shown")[0] for p in problems)
    assert found == [
        "F:7: warning: raw HTML '</span>' (column 10)",
        "F:7: warning: raw HTML '<span>' (column 3)",
        "F:8: warning: raw HTML '</b>' (column 9)",
        "F:8: warning: raw HTML '<b>' (column 5)",
    ]


def test_shortcodes_become_emoji_and_an_unknown_one_warns(tmp_path: Path) -> None:
    guide, problems = guide_of(tmp_path, "Mind :warning: and :+1:, not a:b:c or 10:30:45 or :no_such_code:.\n")
    assert "Mind ⚠️ and 👍, not a:b:c or 10:30:45 or :no_such_code:." in guide.question("more-q").answer_text()
    assert problems == ["F:7: warning: ':no_such_code:' is no emoji shortcode the outputs know: shown as written"]


def test_inline_notes_are_numbered_with_labelled_ones(tmp_path: Path) -> None:
    guide, problems = guide_of(tmp_path, "A^[first inline] b[^x] c^[second, with $y$].\n\n[^x]: The labelled one.\n")
    assert problems == []
    q = guide.question("more-q")
    assert [n.attr("number") for n in q.footnotes] == ["1", "2", "3"]
    assert notes_html(q.footnotes, Hooks()).count("<li>") == 3
    assert "second, with" in q.footnotes[2].plain_text() and q.footnotes[2].line == 7  # at the line that holds it


def test_alerts_become_callouts_and_a_plain_quote_stays_a_quote(tmp_path: Path) -> None:
    html = answer_html(tmp_path, "Body.\n\n> [!WARNING]\n> Hot.\n\n> Just a quote.\n")
    assert '<div class="alert alert-warning" role="note"><p class="alert-title"><svg' in html
    assert "<span>Warning</span></p><p>Hot.</p></div><blockquote><p>Just a quote.</p></blockquote>" in html


def test_a_formula_before_a_colon_and_prices_in_table_rows_say_nothing(tmp_path: Path) -> None:
    body = (
        "**The answer given $C$:** yes.\n\n"
        "| plan | price |\n|---|---|\n| basic | from $15/month |\n| team | from $40/month |\n"
    )
    assert guide_of(tmp_path, body)[1] == []


def test_tags_in_any_script_are_tags_and_capitals_are_not(tmp_path: Path) -> None:
    guide, problems = guide_of(tmp_path / "a", "An answer.\n", tags="ذرة, اتزان-كيميائي, équilibre, 原子")
    assert problems == [] and guide.question("more-q").tags == ("ذرة", "اتزان-كيميائي", "équilibre", "原子")
    _, problems = guide_of(tmp_path / "b", "An answer.\n", tags="ذرة_x, Équilibre")
    assert len([p for p in problems if "malformed tag" in p]) == 2


def test_twins_are_found_in_any_script_and_formulas_do_not_make_twins(tmp_path: Path) -> None:
    arabic = "الاتزان الكيميائي حالة تتساوى فيها سرعة التفاعل الأمامي مع سرعة التفاعل العكسي في نظام مغلق"
    body = f"{arabic}\n\n## Again? {{#again}}\n\nTags: a\n\n{arabic}\n"
    guide, _ = guide_of(tmp_path / "a", body)
    assert any("like 'more-q'" in w.message for w in lint(guide))
    formulas = "$\\frac{\\partial L}{\\partial w}$ $\\sum_i \\alpha_i \\beta_i$"
    other = f"الكتلة تساوي الكثافة مضروبة في الحجم {formulas}\n\n## Again? {{#again}}\n\nTags: a\n\n"
    other += f"الطاقة الحركية نصف الكتلة في مربع السرعة {formulas}\n"
    guide, _ = guide_of(tmp_path / "b", other)
    assert not any("like 'more-q'" in w.message for w in lint(guide))


def test_right_to_left_words_the_cards_cannot_take_out_warn_at_the_formula(tmp_path: Path) -> None:
    _, problems = guide_of(tmp_path, "A $\\frac{\\text{عدد}}{2}$ and $\\text{عدد} = 2$ here.\n")
    assert len(problems) == 1 and problems[0].startswith("F:7: warning: the right-to-left words inside this formula")


def test_mhchem_errors_are_said_at_the_formula(tmp_path: Path) -> None:
    _, problems = guide_of(tmp_path, "A $\\ce{A\\bond{?}B}$ here.\n")
    assert len(problems) == 1 and problems[0].startswith("F:7: formula $\\ce{A\\bond{?}B}$ cannot be rendered: mhchem")


def test_a_diagram_mermaid_cannot_parse_is_an_error_at_its_line(tmp_path: Path) -> None:
    _, problems = guide_of(tmp_path, "Intro.\n\n```mermaid\nflowchart TD\n  A -->\n```\n")
    assert len(problems) == 1 and problems[0].startswith("F:11: diagram cannot be drawn: Parse error on line"), problems


SVG = "http://www.w3.org/2000/svg"


def test_a_drawing_keeps_no_script_handler_or_outside_reference() -> None:
    hostile = (
        f'<svg xmlns="{SVG}" xmlns:xlink="http://www.w3.org/1999/xlink" id="my-svg" onload="evil()">'
        "<style>@import url(https://x.example/a.css); #my-svg .a{fill:url(https://x.example/p.svg)} "
        "#my-svg .b{fill:url(#my-svg-grad)}</style>"
        '<script>evil()</script><a href="https://x.example"><text>link</text></a>'
        '<g class="a" onclick="evil()" style="fill:url(http://x)"><text>kept</text></g>'
        '<use xlink:href="https://x.example/s.svg#a"/><use xlink:href="#my-svg-grad"/>'
        '<image href="https://x.example/i.png"/></svg>'
    )
    clean = sanitize(hostile, "d1")
    for gone in ("script", "evil", "x.example", "@import", "http://x", "<a ", "<image"):
        assert gone not in clean, gone
    assert 'id="d1"' in clean and "url(#d1-grad)" in clean and 'href="#d1-grad"' in clean and ">kept<" in clean


def test_a_drawing_with_html_labels_is_refused() -> None:
    with pytest.raises(DiagramError, match="labels are HTML"):
        sanitize(f'<svg xmlns="{SVG}"><foreignObject><div>label</div></foreignObject></svg>', "d1")
