"""Benchmark the build on synthetic guides (copies of the real content) against two baselines.

Usage: python benchmarks/run.py [--sizes 42,420,4200] [--work DIR]

For each size it measures, each in a fresh process: `--format all`, each output alone, WeasyPrint alone
rendering the build's own print HTML, and a minimal genanki script writing the same notes; then a
rebuild with nothing changed. It prints wall time, peak memory and the ratios the targets are stated
in, so the results hold on a noisy machine: the two sides of each ratio take turns, and each step
keeps its fastest run, as timeit does (five rounds of the short steps, two of the PDF steps), so a
slow minute of the machine does not decide a ratio. Memory is given twice: the largest single process's peak
RSS, and (after the semicolon) the peak of the whole process tree's proportional set size, sampled
every second: the PDF of a long guide is laid out in several processes at once.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHORT = 5  # rounds of the short steps (rebuild, deck, page, genanki); the fastest run counts
LONG = 2  # rounds of `all`, the PDF and WeasyPrint alone, up to 420 questions
sys.path.insert(0, str(ROOT))

PROBE = r"""
import json, os, resource, subprocess, sys, threading, time

def tree_kib(root):
    # Proportional set size (shared pages split between sharers) summed over the process tree.
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                total += sum(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
        except (OSError, ValueError):
            pass
    return total

started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
samples, ended = [], threading.Event()


def sample():
    # The tree's memory at once, then every second, beside a blocking wait: Popen.wait(timeout)
    # polls with sleeps of up to 50 ms, which rounded short runs up by as much.
    while True:
        samples.append(tree_kib(child.pid))
        if ended.wait(1.0):
            return


sys.setswitchinterval(0.0005)  # the waiting thread gets the interpreter back at once
sampler = threading.Thread(target=sample, daemon=True)
sampler.start()
child.wait()
seconds = time.perf_counter() - started
ended.set()
sampler.join()
tree_peak = max(samples)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"code": child.returncode, "seconds": seconds, "peak_mib": peak, "tree_mib": tree_peak / 1024}))
"""

WEASYPRINT_ALONE = r"""
import sys, weasyprint
weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])
"""

GENANKI_ALONE = r"""
import json, sys, genanki
data = json.load(open(sys.argv[1], encoding="utf-8"))
kind = data["note_type"]
model = genanki.Model(1, kind["name"], fields=[{"name": n} for n in kind["fields"]],
    templates=[{"name": "c", "qfmt": kind["qfmt"], "afmt": kind["afmt"]}], css=kind["css"])
decks = {}
for note in data["notes"]:
    deck = decks.setdefault(note["deck"], genanki.Deck(len(decks) + 2, note["deck"]))
    deck.add_note(genanki.Note(model=model, fields=note["fields"], tags=note["tags"], guid=note["guid"]))
genanki.Package(list(decks.values())).write_to_file(sys.argv[2])
"""


def once(argv: list[str]) -> dict[str, float]:
    """Run a command in a fresh process; return its wall time and peak memory (its own and its children's)."""
    probe = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(probe.stdout)
    if result["code"] != 0:
        raise SystemExit(f"benchmark step failed ({result['code']}): {' '.join(argv)}")
    return result


def measure(commands: list[list[str]], runs: int) -> list[dict[str, float]]:
    """Run the commands in turn, `runs` rounds; return each one's fastest time and highest memory.

    Taking turns lets the two sides of a ratio see the same machine: a slow minute slows both.
    """
    results: list[list[dict[str, float]]] = [[] for _ in commands]
    for _ in range(runs):
        for argv, found in zip(commands, results, strict=True):
            found.append(once(argv))
    return [
        {
            **min(found, key=lambda r: r["seconds"]),
            "peak_mib": max(r["peak_mib"] for r in found),
            "tree_mib": max(r["tree_mib"] for r in found),
        }
        for found in results
    ]


def synthetic(size: int, target: Path) -> Path:
    """Write a guide of `size` questions: copies of the real content with unique ids and titles."""
    from studyguide.pipeline import load_guide

    real = load_guide(ROOT / "content")
    per_copy = len(real.questions)
    copies = -(-size // per_copy)
    content = target / f"content-{size}"
    shutil.rmtree(content, ignore_errors=True)
    content.mkdir(parents=True)
    for path in (ROOT / "content").iterdir():
        if path.suffix != ".md" and path.is_file() and path.name != "anki.lock.json":
            shutil.copyfile(path, content / path.name)
        elif path.is_dir():
            shutil.copytree(path, content / path.name)
    meta = (content / "guide.toml").read_text(encoding="utf-8")
    (content / "guide.toml").write_text(re.sub(r'(?m)^id = "([^"]+)"', rf'id = "\1-x{size}"', meta), encoding="utf-8")
    left = size
    for copy in range(copies):
        for path in sorted((ROOT / "content").glob("*.md")):
            if left <= 0:
                break
            text = path.read_text(encoding="utf-8")
            text = re.sub(r"\{#([a-z0-9-]+)\}", rf"{{#\1-c{copy}}}", text)
            text = re.sub(r"\(#([a-z0-9-]+)\)", rf"(#\1-c{copy})", text)
            text = re.sub(r"(?m)^(#{1,2} )(.*?)( \{#)", rf"\1\2 (copy {copy + 1})\3", text)
            blocks = re.split(r"(?m)^(?=## )", text)
            if len(blocks) - 1 > left:  # a partial copy: its links may point at questions it leaves out
                blocks = [re.sub(r"(?m)^See also: .*\n\n?", "", block) for block in blocks]
            keep = [blocks[0]] + blocks[1 : 1 + left]
            left -= len(keep) - 1
            (content / f"{copy:04d}-{path.name}").write_text("".join(keep), encoding="utf-8")
    return content


def print_html(content: Path, target: Path) -> Path:
    """Write the build's own print HTML for WeasyPrint alone."""
    from studyguide.pipeline import load
    from studyguide.renderers.pdf.layout import Printer

    html = Printer(load(content)).html()
    path = content.parent / f"{content.name}-print.html"
    path.write_text(html, encoding="utf-8")
    return path


def genanki_notes(content: Path) -> Path:
    """Write the same notes (guid, fields, tags, deck) and note type for the minimal genanki script."""
    import genanki

    from studyguide.pipeline import load
    from studyguide.renderers.anki import note_contents, note_type_parts

    job = load(content)
    guide = job.guide
    notes = [
        {"guid": genanki.guid_for(guide.meta.id, n.id), "fields": n.fields, "tags": n.tags, "deck": n.deck}
        for n in note_contents(job)[0]
    ]
    path = content.parent / f"{content.name}-notes.json"
    path.write_text(json.dumps({"note_type": note_type_parts(job), "notes": notes}), encoding="utf-8")
    return path


def run(sizes: list[int], work: Path, baseline_above_420: bool = False) -> list[dict[str, object]]:
    """Measure every size; return one row per size."""
    rows = []
    build = [sys.executable, str(ROOT / "build.py")]
    # pip byte-compiles installed libraries such as genanki; our editable install is compiled here,
    # so neither side pays for compiling its own modules (some machines set PYTHONDONTWRITEBYTECODE).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "studyguide")], check=True)
    for size in sizes:
        content = synthetic(size, work)
        out = work / f"dist-{size}"
        shutil.rmtree(out, ignore_errors=True)
        step = [*build, "--content", str(content), "--out", str(out)]
        row: dict[str, object] = {"questions": size}
        # `all`, the PDF alone and WeasyPrint alone take turns. Above 420 questions only `all` runs, once:
        # WeasyPrint alone takes about 25 minutes and 5.5 GiB at 4,200, and `all` lays out the PDF anyway.
        long = {"all": [*step, "--format", "all", "--force"]}
        if size <= 420:
            long["pdf"] = [*step, "--format", "pdf", "--force"]
        if size <= 420 or baseline_above_420:
            html = print_html(content, work)
            long["weasyprint"] = [sys.executable, "-c", WEASYPRINT_ALONE, str(html), str(work / "alone.pdf")]
        row.update(zip(long, measure(list(long.values()), LONG if len(long) > 1 else 1), strict=True))
        (row["rebuild"],) = measure([[*step, "--format", "all"]], SHORT)
        (row["html"],) = measure([[*step, "--format", "html", "--force"]], SHORT)
        notes = genanki_notes(content)
        genanki_alone = [sys.executable, "-c", GENANKI_ALONE, str(notes), str(work / "alone.apkg")]
        row["anki"], row["genanki"] = measure([[*step, "--format", "anki", "--force"], genanki_alone], SHORT)
        rows.append(row)
        report([row])
    return rows


def report(rows: list[dict[str, object]]) -> None:
    """Print the table and the ratios."""
    columns = ("all", "rebuild", "anki", "html", "pdf", "weasyprint", "genanki")
    print("| questions | " + " | ".join(f"{c} s / MiB" for c in columns) + " | all ÷ weasyprint | anki ÷ genanki |")
    print("|---" * (len(columns) + 3) + "|")
    for row in rows:
        cells = [
            f"{row[c]['seconds']:.2f} / {row[c]['peak_mib']:.0f}; {row[c]['tree_mib']:.0f}" if c in row else "—"  # type: ignore[index]
            for c in columns
        ]
        ratio_all = f"{row['all']['seconds'] / row['weasyprint']['seconds']:.2f}" if "weasyprint" in row else "—"  # type: ignore[index]
        ratio_anki = row["anki"]["seconds"] / row["genanki"]["seconds"]  # type: ignore[index]
        print(f"| {row['questions']} | " + " | ".join(cells) + f" | {ratio_all} | {ratio_anki:.2f} |", flush=True)


def letters(number: int) -> str:
    """Spell a number in letters (the lint's words are letters only): 0 -> 'a', 27 -> 'bb'."""
    word = ""
    while True:
        word = "abcdefghijklmnopqrstuvwxyz"[number % 26] + word
        number //= 26
        if not number:
            return word


def colliding_guide(size: int, groups: int = 10) -> object:
    """Return a guide (in memory) of `size` questions in `groups` groups of identical answers, built to collide."""
    from studyguide.model import Guide, Meta, Node, Question, Section, Source

    source = Source(Path("crafted.md"), 1)
    questions = []
    for number in range(size):
        group = number % groups
        text = " ".join(f"word{letters(group * 40 + k)}" for k in range(40))
        answer = Node("root", (Node("paragraph", (Node("text", text=text),)),))
        questions.append(Question(f"q{number}", f"Question {letters(number)}?", ("a",), answer, source))
    section = Section("crafted", "Crafted", tuple(questions), source)
    return Guide(Meta("x", "x", "x", "x", "x", "x", "x", "x"), (section,), Path("."))


def lint_only(size: int) -> None:
    """In this process: lint a guide built to collide (the benchmark times this process)."""
    from studyguide.lint import lint
    from studyguide.model import Guide

    guide = colliding_guide(size)
    assert isinstance(guide, Guide)
    twins = [w for w in lint(guide) if "like" in w.message]
    print(f"{len(twins)} twin warnings", file=sys.stderr)


def main() -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="42,420", help="comma-separated guide sizes (default: 42,420)")
    parser.add_argument("--work", type=Path, default=None, help="working folder (default: a temporary one)")
    parser.add_argument(
        "--deck-and-page",
        default="",
        help="comma-separated sizes at which to time only the deck and the page (e.g. 10000; target < 60 s)",
    )
    parser.add_argument(
        "--weasyprint-above-420", action="store_true", help="also time WeasyPrint alone above 420 questions (slow)"
    )
    parser.add_argument("--lint", type=int, default=0, help="also time --check's twin lint on N colliding questions")
    parser.add_argument("--lint-only", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.lint_only:
        lint_only(args.lint_only)
        return
    if args.lint:
        result = once([sys.executable, __file__, "--lint-only", str(args.lint)])
        print(f"twin lint of {args.lint} colliding questions: {result['seconds']:.2f} s, {result['peak_mib']:.0f} MiB")
        if not args.sizes:
            return
    sizes = [int(s) for s in args.sizes.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="studyguide-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows = run(sizes, work, args.weasyprint_above_420)
    print("\nAll sizes:")
    report(rows)
    by_size = {row["questions"]: row for row in rows}
    for size in [int(s) for s in args.deck_and_page.split(",") if s]:
        content = synthetic(size, work)
        out = work / f"dist-{size}"
        step = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out), "--force"]
        result = once([*step, "--format", "anki,html"])
        print(
            f"deck and page at {size} questions: {result['seconds']:.1f} s, "
            f"{result['peak_mib']:.0f} MiB; tree {result['tree_mib']:.0f} MiB (target < 60 s)"
        )
    if 420 in by_size and 4200 in by_size:
        growth = by_size[4200]["all"]["seconds"] / by_size[420]["all"]["seconds"]  # type: ignore[index]
        print(f"t(4200) / t(420) = {growth:.2f} (target ≤ 11)")
    print(f"benchmark took {time.perf_counter() - started:.0f} s; work folder {work}")


if __name__ == "__main__":
    main()
