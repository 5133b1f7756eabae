"""Console entry point. `--version` and `terraform` answer without importing typer: Terraform
runs the data source on every plan, so cold start is part of the product."""

from __future__ import annotations

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
    from .cli import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
