"""Benchmark the build on synthetic guides (copies of the real content) against two baselines.

Usage: python benchmarks/run.py [--sizes 42,420,4200] [--work DIR] [--suite] [--readme]

For each size it measures, each in a fresh process and with an author's cache (parses, formulas, note
type): `all`, that is `--format anki,html,pdf --force` (the formats the targets name; the build's own
`--format all` also writes the printable flashcards, which are left out here), and the PDF alone, both
laying out every part anew (the cache's PDF parts left out, as after a change of the templates),
WeasyPrint alone rendering the build's own print HTML, the deck and the page, a minimal genanki
script writing the same notes, a rebuild with nothing changed, and the PDF after a one-answer edit
(the parts it did not touch taken from the cache).
`--suite` also times the test suite as `make test` runs it; `--readme` writes the table into
README.md between its benchmark markers. It prints wall time, peak memory and the ratios the
targets are stated in, so the results hold on a noisy machine: the two sides of each ratio take turns, and each step
keeps its fastest run, as timeit does (five rounds of the short steps, two of the PDF steps), so a
slow minute of the machine does not decide a ratio. Memory is given twice: the largest single process's peak
RSS, and (after the semicolon) the peak of the whole process tree's proportional set size (the Pss lines
of /proc/PID/smaps_rollup summed over the build and every process under it, so a page the processes
share counts once), sampled every half second: the PDF of a long guide is laid out in several processes
at once. Above 420 questions only `all` lays out the PDF (WeasyPrint alone would take about 25 minutes
at 4,200); its time is also given as a multiple of the 420-question `all`, whose target is at most 10.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import guides  # noqa: E402  (the benchmark's guides, beside this file)

# `all` in the table: the three formats the targets were set for (the deck, the page, the guide's PDF). The build's
# own `--format all` also writes the printable flashcards, which this benchmark leaves out so its rows stay
# comparable with earlier ones.
ALL = "anki,html,pdf"
SHORT = 5  # rounds of the short steps (rebuild, deck, page, genanki); the fastest run counts
LONG = 2  # rounds of `all` (at every size), the PDF and WeasyPrint alone (up to 420 questions)
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

SAMPLE_SECONDS = 0.5
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
samples, ended = [], threading.Event()


def sample():
    # The tree's memory at once, then every half second, beside a blocking wait: Popen.wait(timeout)
    # polls with sleeps of up to 50 ms, which rounded short runs up by as much.
    while True:
        samples.append(tree_kib(child.pid))
        if ended.wait(SAMPLE_SECONDS):
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


# A command, and its cache folder: a folder to use as it is, or (with "no pdf") a copy of it without the PDF's
# laid-out parts, so the build lays out the whole PDF as after any change of the templates or the code.
Step = tuple[list[str], Path | None, str]


def once(step: Step) -> dict[str, float]:
    """Run a command in a fresh process; return its wall time and peak memory (its own and its children's)."""
    argv, cache, mode = step
    with tempfile.TemporaryDirectory(prefix="studyguide-bench-cache-") as scratch:
        if cache is not None and mode == "no pdf":
            shutil.copytree(cache, scratch, dirs_exist_ok=True, ignore=lambda folder, names: ["pdf"])
            cache = None
        env = {**os.environ, "STUDYGUIDE_CACHE": str(cache or scratch)}
        probe = subprocess.run(
            [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True, env=env
        )
    result: dict[str, float] = json.loads(probe.stdout)
    if result["code"] != 0:
        raise SystemExit(f"benchmark step failed ({result['code']}): {' '.join(argv)}")
    return result


def measure(steps: list[Step], runs: int) -> list[dict[str, float]]:
    """Run the steps in turn, `runs` rounds; return each one's fastest time and highest memory.

    Taking turns lets the two sides of a ratio see the same machine: a slow minute slows both.
    """
    results: list[list[dict[str, float]]] = [[] for _ in steps]
    for _ in range(runs):
        for step, found in zip(steps, results, strict=True):
            found.append(once(step))
    return [fastest(found) for found in results]


def fastest(found: list[dict[str, float]]) -> dict[str, float]:
    """Return the fastest run, with the highest memory of all runs."""
    return {
        **min(found, key=lambda r: r["seconds"]),
        "peak_mib": max(r["peak_mib"] for r in found),
        "tree_mib": max(r["tree_mib"] for r in found),
    }


def run(sizes: list[int], work: Path, baseline_above_420: bool = False) -> list[dict[str, object]]:
    """Measure every size; return one row per size."""
    rows = []
    build = [sys.executable, str(ROOT / "build.py")]
    # pip byte-compiles installed libraries such as genanki; our editable install is compiled here,
    # so neither side pays for compiling its own modules (some machines set PYTHONDONTWRITEBYTECODE).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "studyguide")], check=True)
    for size in sizes:
        content = guides.synthetic(size, work)
        out, warm = work / f"dist-{size}", work / f"cache-{size}"
        step = [*build, "--content", str(content), "--out", str(out)]
        row: dict[str, object] = {"questions": size}
        shutil.rmtree(warm, ignore_errors=True)
        once(([*step, "--format", ALL], warm, ""))  # an author's cache: parses, formulas, note type, PDF parts
        # `all`, the PDF alone and WeasyPrint alone take turns; `all` and the PDF lay out every part anew (the
        # cache without its PDF parts). Above 420 questions only `all` runs: WeasyPrint alone takes about 25
        # minutes and 5.5 GiB at 4,200. `all` keeps the fastest of LONG runs at every size, so its ratio to
        # the 420-question `all` compares like with like (one run against the faster of two read 1-2 % high).
        long: dict[str, Step] = {"all": ([*step, "--format", ALL, "--force"], warm, "no pdf")}
        if size <= 420:
            long["pdf"] = ([*step, "--format", "pdf", "--force"], warm, "no pdf")
        if size <= 420 or baseline_above_420:
            html = guides.print_html(content, work)
            alone = [sys.executable, "-c", WEASYPRINT_ALONE, str(html), str(work / "alone.pdf")]
            long["weasyprint"] = (alone, None, "")
        row.update(zip(long, measure(list(long.values()), LONG), strict=True))
        (row["rebuild"],) = measure([([*step, "--format", ALL], warm, "")], SHORT)
        row["edit"] = fastest([edited(content, k, ([*step, "--format", "pdf"], warm, "")) for k in range(LONG)])
        (row["html"],) = measure([([*step, "--format", "html", "--force"], warm, "")], SHORT)
        notes = guides.genanki_notes(content)
        genanki_alone = [sys.executable, "-c", GENANKI_ALONE, str(notes), str(work / "alone.apkg")]
        row["anki"], row["genanki"] = measure(
            [([*step, "--format", "anki", "--force"], warm, ""), (genanki_alone, None, "")], SHORT
        )
        rows.append(row)
        print("\n".join(table([row])), flush=True)
    return rows


def edited(content: Path, round_: int, step: Step) -> dict[str, float]:
    """Edit one answer (another word each round), then time the build that follows."""
    guides.edit_one_answer(content, round_)
    return once(step)


COLUMNS = ("all", "rebuild", "edit", "anki", "html", "pdf", "weasyprint", "genanki")
BASE_SIZE = 420  # the guide size the others' `all` time is compared with


def table(rows: list[dict[str, object]]) -> list[str]:
    """Return the table and the ratios as Markdown lines."""
    cores = len(os.sched_getaffinity(0))
    lines = [
        "| questions | " + " | ".join(f"{c} s / MiB" for c in COLUMNS) + f" | weasyprint ÷ {cores} cores"
        " | all ÷ weasyprint | all ÷ 420's all | edit ÷ pdf | anki ÷ genanki |",
        "|---" * (len(COLUMNS) + 6) + "|",
    ]
    base = next((row for row in rows if row["questions"] == BASE_SIZE), None)
    for row in rows:
        cells = [
            f"{row[c]['seconds']:.2f} / {row[c]['peak_mib']:.0f}; {row[c]['tree_mib']:.0f}" if c in row else "—"  # type: ignore[index]
            for c in COLUMNS
        ]
        seconds = {c: row[c]["seconds"] for c in COLUMNS if c in row}  # type: ignore[index]
        bound = f"{seconds['weasyprint'] / cores:.2f}" if "weasyprint" in seconds else "—"
        ratio_all = f"{seconds['all'] / seconds['weasyprint']:.2f}" if "weasyprint" in seconds else "—"
        ratio_edit = f"{seconds['edit'] / seconds['pdf']:.2f}" if "pdf" in seconds else "—"
        growth = f"{seconds['all'] / base['all']['seconds']:.2f}" if base else "—"  # type: ignore[index]
        ratios = f"{bound} | {ratio_all} | {growth} | {ratio_edit} | {seconds['anki'] / seconds['genanki']:.2f}"
        lines.append(f"| {row['questions']} | " + " | ".join(cells) + f" | {ratios} |")
    return lines


def suite() -> float:
    """Time the test suite as `make test` runs it (after the lint), in seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "auto", "--dist", "loadscope"], cwd=ROOT, check=True)
    return time.perf_counter() - started


MARKERS = ("<!-- benchmark: start -->", "<!-- benchmark: end -->")


def write_readme(lines: list[str], readme: Path = ROOT / "README.md") -> None:
    """Put the measured lines between the README's benchmark markers."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(MARKERS[0]) + len(MARKERS[0]), text.index(MARKERS[1])
    readme.write_text(text[:start] + "\n" + "\n".join(lines) + "\n" + text[end:], encoding="utf-8")


def options() -> argparse.Namespace:
    """Parse the command line."""
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
    parser.add_argument("--suite", action="store_true", help="also time the test suite as `make test` runs it")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md between its markers")
    return parser.parse_args()


def main() -> None:
    """Parse the options, run, print (and write the README's table)."""
    args = options()
    if args.lint_only:
        guides.lint_only(args.lint_only)
        return
    lines = []
    if args.lint:
        result = once(([sys.executable, __file__, "--lint-only", str(args.lint)], None, ""))
        lines.append(
            f"twin lint of {args.lint} colliding questions: {result['seconds']:.2f} s, {result['peak_mib']:.0f} MiB"
        )
    sizes = [int(s) for s in args.sizes.split(",") if s]
    work = args.work or Path(tempfile.mkdtemp(prefix="studyguide-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    rows = run(sizes, work, args.weasyprint_above_420)
    if rows:
        lines = [*table(rows), "", *lines]
    for size in [int(s) for s in args.deck_and_page.split(",") if s]:
        content = guides.synthetic(size, work)
        step = [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(work / f"dist-{size}")]
        result = once(([*step, "--force", "--format", "anki,html"], None, ""))
        lines.append(
            f"deck and page at {size} questions, empty cache: {result['seconds']:.1f} s, "
            f"{result['peak_mib']:.0f} MiB; tree {result['tree_mib']:.0f} MiB (target < 60 s)"
        )
    if args.suite:
        lines.append(f"test suite (`pytest -n auto --dist loadscope`, as `make test` runs it): {suite():.0f} s")
    print("\n" + "\n".join(lines))
    if args.readme:
        write_readme(lines)
    print(f"benchmark took {time.perf_counter() - started:.0f} s; work folder {work}")


if __name__ == "__main__":
    main()
