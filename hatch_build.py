"""Wheel build hook: ship the built-in templates' Python code (bootstrapper/template_code.py
says why). Not for editable installs, whose templates are edited in place."""

from __future__ import annotations

import os
import sys
import tempfile

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        os.environ["BOOTSTRAPPER_NO_CACHE"] = "1"  # generating must not touch ~/.cache
        sys.path.insert(0, self.root)
        try:
            from bootstrapper.template_code import MODULE, module_files

            files = module_files()
        finally:
            sys.path.remove(self.root)
        where = tempfile.mkdtemp(prefix="bootstrapper-template-code-")
        for name, text in files.items():
            path = os.path.join(where, name)
            with open(path, "w", encoding="utf-8") as out:
                out.write(text)
            build_data["force_include"][path] = f"bootstrapper/{MODULE}/{name}"
