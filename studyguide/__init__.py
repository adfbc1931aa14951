"""studyguide: one Markdown question set, built into an Anki deck, a PDF and an HTML page."""

__version__ = "0.1.0"
