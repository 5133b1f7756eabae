"""Jinja user-data with placeholders: bootstrapper.userdata.template, for the rules."""

from ..userdata.template import HEADER, PLACEHOLDER, syntax_error, with_placeholders

__all__ = ["HEADER", "PLACEHOLDER", "syntax_error", "with_placeholders"]
