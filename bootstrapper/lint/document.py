"""The Document and Snippet types rules read: defined by the one reader, bootstrapper.userdata."""

from ..userdata.document import SHELLS, Document, Snippet

__all__ = ["SHELLS", "Document", "Snippet"]
