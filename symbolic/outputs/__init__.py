"""Outputs: LaTeX/PDF, Markdown, HTML, text, plots, the docs and the notebook; Korean text."""
