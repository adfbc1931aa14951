"""The served copies of `studyguide serve`: the page with a reload script and the problems, and card previews.

Only what is sent to the browser changes; the built file never holds the reload script. The
page's Content-Security-Policy allows its own script by hash, so the served copy's policy also
allows the reload script, by its hash, and a connection to this server (`connect-src 'self'`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from html import escape, unescape

from studyguide.errors import Problem, counted
from studyguide.renderers.page import script_hash as source_hash

RELOAD = """(() => {
  const version = %s;
  const events = new EventSource("/events");
  events.onmessage = (event) => { if (event.data !== version) { events.close(); location.reload(); } };
})();"""
CSP = re.compile(r'(<meta http-equiv="Content-Security-Policy" content=")([^"]*)(")', re.I)
BAR_STYLE = (
    "position:fixed;inset-block-end:0;inset-inline-end:0;z-index:2147483647;padding:.3em .7em;"
    "font:13px system-ui,sans-serif;background:#1f2937;color:#fff;border-start-start-radius:6px"
)
PROBLEMS_STYLE = (
    "position:relative;z-index:2147483646;margin:0;padding:1em 1.5em;background:#fde8e8;color:#7a1010;"
    "border-block-end:3px solid #b91c1c;font:15px/1.5 system-ui,sans-serif"
)


def reload_script(version: int) -> str:
    """Return the script that reloads the page when the server's build version moves on."""
    return RELOAD % json.dumps(str(version))


def allowed(csp: str, script: str) -> str:
    """Return a policy that also allows `script` and a connection to this server."""
    directives = [d.strip() for d in csp.split(";") if d.strip()]
    named = {d.split()[0]: i for i, d in enumerate(directives)}
    extra = {"script-src": source_hash(script), "connect-src": "'self'"}
    for name, source in extra.items():
        if name in named:
            directives[named[name]] = directives[named[name]].replace(" 'none'", "") + f" {source}"
        else:
            directives.append(f"{name} {source}")
    return "; ".join(directives)


def problems_html(problems: Sequence[Problem]) -> str:
    """Return the problems of the last build as a list at the top of the page: `path:line: message` each."""
    if not problems:
        return ""
    items = "".join(f"<li><code>{escape(str(p))}</code></li>" for p in problems)
    return (
        f'<div role="alert" id="studyguide-problems" lang="en" dir="ltr" style="{PROBLEMS_STYLE}">'
        f"<strong>{counted(len(problems), 'problem')} found; the page below is the last good build. "
        "Save a fix and it reloads.</strong>"
        f'<ol style="margin:.5em 0 0;padding-inline-start:1.5em">{items}</ol></div>'
    )


def bar_html(links: Sequence[tuple[str, str]]) -> str:
    """Return the small bar of links to the other outputs (cards, PDF, deck)."""
    shown = " · ".join(f'<a style="color:#93c5fd" href="{escape(href)}">{escape(text)}</a>' for href, text in links)
    return f'<div id="studyguide-serve" lang="en" dir="ltr" style="{BAR_STYLE}">studyguide serve: {shown}</div>'


def served(page: str, version: int, problems: Sequence[Problem], links: Sequence[tuple[str, str]]) -> str:
    """Return the served copy of a page: its policy widened, the problems on top, the links and the reload script."""
    script = reload_script(version)
    page = CSP.sub(lambda m: m.group(1) + escape(allowed(unescape(m.group(2)), script)) + m.group(3), page, count=1)
    body = re.search(r"<body[^>]*>", page)
    at = body.end() if body else 0
    page = page[:at] + problems_html(problems) + page[at:]
    end = page.lower().rfind("</body>")
    end = end if end >= 0 else len(page)
    return page[:end] + bar_html(links) + f"<script>{script}</script>" + page[end:]


def standalone(title: str, body: str, version: int, language: str = "en", direction: str = "ltr", css: str = "") -> str:
    """Return a page of the server's own (no build yet, the card previews) with the same reload script."""
    script = reload_script(version)
    policy = allowed("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'", script)
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(language)}" dir="{escape(direction)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(policy)}">'
        f"<title>{escape(title)}</title><style>{css}</style></head><body>{body}<script>{script}</script></body></html>"
    )


def waiting(version: int, problems: Sequence[Problem]) -> str:
    """Return the page shown before a first good build: building, or the problems that stop it."""
    body = problems_html(problems) or "<p>Building… this page reloads when the first build is done.</p>"
    return standalone("studyguide serve", body, version)
