"""Cleaning stage: page dumps and HTML pages in, article body and metadata out."""

from cleanwire.clean.html import clean_html
from cleanwire.clean.normalize import normalize_text
from cleanwire.clean.template import TemplateModel
from cleanwire.clean.text import CleanedText, LineDecision, clean_text_dump

__all__ = ["CleanedText", "LineDecision", "TemplateModel", "clean_html", "clean_text_dump", "normalize_text"]
