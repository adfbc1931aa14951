"""Formulas: drawn as SVG for the page and the PDF, and known to Anki's MathJax."""
