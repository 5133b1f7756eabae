"""Lint reads user-data through bootstrapper.userdata, the one reader (no copy here)."""

from ..userdata.tree import detect, extract

__all__ = ["detect", "extract"]
