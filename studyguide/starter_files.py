"""The files `studyguide new` writes besides guide.toml: a first section, a CI workflow, a README."""

from __future__ import annotations

from studyguide import __version__

SECTION = """\
# First steps {#first-steps}

## What does a question look like? {#what-is-a-question}

Tags: example, formulas

> A title, a `Tags:` line, a core answer in a quote, then the answer.

Write the answer in Markdown. A formula goes between dollars: the area of a circle is
$A = \\pi r^2$, and a displayed one stands on lines of its own:

$$
\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}
$$

## How is code shown? {#how-is-code-shown}

Tags: example, code

See also: [What does a question look like?](#what-is-a-question)

> In a fenced block with its language: it is highlighted in every output.

```python
def area(radius: float) -> float:
    return 3.14159 * radius**2
```

Sources: Written by `studyguide new`.
"""

# `{version}` is replaced by the version of studyguide that wrote the file (the ${{ }} are GitHub's).
WORKFLOW = """\
# Checks and builds the study guide on every push and pull request, and keeps the deck, the PDF and
# the page as the run's artifacts. Written by `studyguide new` (studyguide {version}).
name: study guide

on:
  push:
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

jobs:
  build:
    runs-on: ubuntu-latest
    env:
      # Where pip gets studyguide: set the repository variable STUDYGUIDE_PACKAGE to a version on your
      # package index, a git URL or a wheel's URL; without it, the version that wrote this file.
      STUDYGUIDE_PACKAGE: ${{ vars.STUDYGUIDE_PACKAGE || 'studyguide=={version}' }}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0  # the deck dates each edited question by the last commit that changed it
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install the PDF's libraries and fonts
        run: |
          sudo apt-get update
          sudo apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \\
            fonts-dejavu fonts-texgyre fonts-texgyre-math fonts-noto-cjk fonts-noto-color-emoji fonts-symbola
      - name: Install studyguide
        run: python -m pip install "$STUDYGUIDE_PACKAGE"
      - name: Check the content
        run: studyguide check --github
      - name: Build the deck, the PDF and the page
        run: studyguide build
      - uses: actions/upload-artifact@v4
        with:
          name: study-guide
          path: |
            dist/*.apkg
            dist/*.pdf
            dist/*.html
          if-no-files-found: error

  publish:
    # The page on GitHub Pages, from the default branch: set Settings > Pages > Source to
    # "GitHub Actions" and the repository variable PUBLISH_PAGE to true.
    if: >-
      vars.PUBLISH_PAGE == 'true' && github.event_name == 'push'
      && github.ref_name == github.event.repository.default_branch
    needs: build
    runs-on: ubuntu-latest
    permissions:
      pages: write
      id-token: write
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - uses: actions/download-artifact@v4
        with:
          name: study-guide
          path: dist
      - name: Put the page at the site's root
        run: mkdir site && cp dist/*.html site/index.html
      - uses: actions/upload-pages-artifact@v3
        with:
          path: site
      - id: deployment
        uses: actions/deploy-pages@v4
"""

README = """\
# {title}

A study guide made with studyguide: Markdown questions and answers in `content/`, built into an
Anki deck, a printable PDF and a web page that works offline.

    studyguide serve     # the page at http://127.0.0.1:8000/, rebuilt and reloaded on every save
    studyguide check     # every problem in content/ at once, as path:line: message
    studyguide build     # dist/{id}.apkg, dist/{id}.pdf and dist/{id}.html
    studyguide release   # before sharing a new version of the deck; commit content/anki.lock.json

Any of them works from any folder of the guide. Import the `.apkg` with Anki's File > Import, open
the `.html` in any browser, print the `.pdf`. Never change an id once the guide is shared:
learners' cards are tied to it.

## On GitHub

`.github/workflows/studyguide.yml` checks every push and pull request (each problem is shown at
its line in the pull request) and builds the three files; each run keeps them as its artifact
`study-guide`. It installs studyguide with pip from the repository variable `STUDYGUIDE_PACKAGE`
(Settings > Secrets and variables > Actions > Variables): a version on your package index, a git
URL or a wheel's URL; without it, `studyguide=={version}`.

To publish the page on GitHub Pages: under Settings > Pages choose the source "GitHub Actions",
then add the repository variable `PUBLISH_PAGE` with the value `true`. Every push to the default
branch then publishes `dist/{id}.html` as the site's `index.html`. The page is one file that loads
nothing, so any static host serves it as well: copy it there as `index.html`.

To check the content before each commit, add to `.pre-commit-config.yaml` the studyguide
repository with the hook `studyguide-check`.
"""


def readme(title: str, guide_id: str) -> str:
    """Return the new guide's README."""
    return README.replace("{title}", title).replace("{id}", guide_id).replace("{version}", __version__)
