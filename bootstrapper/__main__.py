"""Console entry point. `--version`, `terraform` and plain `render` command lines answer
without importing typer (see fastpath.py), and a render or query that already succeeded
with the same inputs is replayed from the cache (see replay.py): Terraform runs the data
source on every plan and CI renders on every push, so cold start is part of the product."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:
        from . import __version__

        print(f"bootstrapper {__version__}")
        return 0
    if args[:1] not in (["render"], ["terraform"]):
        return _main(args)
    # A render is short-lived and small: the cycle collector only costs it time (~4 % of
    # a render that misses the cache, most of it during imports). Back on afterwards, for
    # callers that run main() in their own process.
    import gc

    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(args)
    finally:
        if argv is None:
            # The console script exits next, and the interpreter's shutdown collects
            # garbage even with the collector off (~13 ms of a render that misses the
            # cache, for nothing: the process ends). Frozen objects are not examined.
            gc.freeze()
        elif collecting:
            gc.enable()


def _main(args: list[str]) -> int:
    if args == ["terraform"]:
        return _terraform()
    if args[:1] == ["render"] and not os.environ.get("BOOTSTRAPPER_NO_FASTPATH"):
        from . import replay

        key = replay.key("render", args)
        entry = replay.lookup(key)
        if entry is not None and replay.replay(entry) == 0:
            return 0
        from .fastpath import parse_render

        parsed = parse_render(args)
        if parsed is not None:
            from .commands import render

            def record(prof, stdout: bytes, stderr: str) -> None:
                replay.store(key, replay.inputs_of(prof, parsed[0]), stdout, stderr,
                             binary=prof.gzip and not prof.base64)

            return render(*parsed, record=record)
    from .cli import run

    return run(args)


def _terraform() -> int:
    """The data source: replayed when this query already succeeded (see replay.py)."""
    if os.environ.get("BOOTSTRAPPER_NO_FASTPATH") or _isatty(sys.stdin):
        from .terraform import main as terraform_main

        return terraform_main(sys.stdin, sys.stdout, sys.stderr)
    from . import replay

    try:
        query = sys.stdin.buffer.read()
    except (OSError, ValueError):
        from .terraform import main as terraform_main

        return terraform_main(sys.stdin, sys.stdout, sys.stderr)  # it says what is wrong
    key = replay.key("terraform", [], query)
    entry = replay.lookup(key)
    if entry is not None and replay.replay(entry) == 0:
        return 0
    from . import reconfigure

    answered = reconfigure.answer(query)
    if answered is not None:
        stdout, files = answered
        sys.stdout.buffer.write(stdout)
        sys.stdout.buffer.flush()
        replay.store(key, files, stdout, "")  # the same query again: a plain replay
        return 0
    import io

    from .terraform import main as terraform_main

    def record(parsed: dict, stdout: bytes) -> None:
        _record(key, parsed, stdout)

    try:
        return terraform_main(io.BytesIO(query), sys.stdout, sys.stderr, record=record)
    finally:
        reconfigure.release()  # stored (or failed): the others of its shape go on


def _record(key: str, query: dict, stdout: bytes) -> None:
    """Keep a rendered data source's result: for the same query (replay.py), and for
    queries that differ only in the helper's configuration values (reconfigure.py)."""
    from . import reconfigure, replay
    from .profile import from_query

    prof = from_query(query)
    files = replay.inputs_of(prof, None)
    replay.store(key, files, stdout, "")
    reconfigure.remember(query, prof, stdout, files)


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


if __name__ == "__main__":
    sys.exit(main())
