"""A cloud-config's YAML with positions: bootstrapper.userdata.cloudconfig, for the rules."""

from ..userdata.cloudconfig import Parsed, child, content_start, language_of, parse

__all__ = ["Parsed", "child", "content_start", "language_of", "parse"]
