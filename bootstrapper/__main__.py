"""Console entry point. `--version`, `terraform` and plain `render` command lines answer
without importing typer (see fastpath.py): Terraform runs the data source on every plan and
CI renders on every push, so cold start is part of the product."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        from . import __version__

        print(f"bootstrapper {__version__}")
        return 0
    if args == ["terraform"]:
        from .terraform import main as terraform_main

        return terraform_main(sys.stdin, sys.stdout, sys.stderr)
    if not os.environ.get("BOOTSTRAPPER_NO_FASTPATH"):
        from .fastpath import parse_render

        parsed = parse_render(args)
        if parsed is not None:
            from .commands import render

            return render(*parsed)
    from .cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
