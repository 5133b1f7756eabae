#!/usr/bin/env python3
"""User-data size per option combination (issue 15): bytes of EC2's 16,384-byte limit that
the bootstrap itself takes, raw (no --gzip), beside the ceilings: the minimal profile under
8 KB, the richest under 12 KB, each in both formats. tests/test_helper.py holds the ceilings.

    python3 benchmarks/size.py
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bootstrapper import build, profile  # noqa: E402 - after the path set-up
from bootstrapper.encode import EC2_LIMIT  # noqa: E402
from support import RICHEST  # noqa: E402 - the same "richest" profile the test holds

MINIMAL_CEILING, RICHEST_CEILING = 8 * 1024, 12 * 1024
# Each option that adds bytes, as the profile keys that switch it on.
OPTIONS = {
    "lockdown": {"lockdown": True, "allow_user": ["www-data", "monitoring"]},
    "refresh": {"refresh": True},
    "process": {"credential_process_file": "/run/bootstrapper/web-app.json"},
    "service": {"service": "web-app"},
    "install": {"install_missing": True},
}


def size(data: dict) -> int:
    return len(build.build(profile.from_mapping(data)).raw)


def main() -> int:
    print(f"user-data bytes without --gzip, of EC2's {EC2_LIMIT} (ceilings: minimal "
          f"< {MINIMAL_CEILING}, richest < {RICHEST_CEILING})")
    print(f"{'options':42} {'cloud-config':>12} {'shell':>8}")
    worst = 0
    for n in range(len(OPTIONS) + 1):
        for combo in itertools.combinations(OPTIONS, n):
            data = {"refresh": False}
            for name in combo:
                data |= OPTIONS[name]
            cc = size(data | {"format": "cloud-config"})
            sh = "-" if "install" in combo else size(data | {"format": "shell"})
            worst = max(worst, cc, sh if isinstance(sh, int) else 0)
            print(f"{'+'.join(combo) or '(none)':42} {cc:12} {sh:>8}")
    rows = [("minimal (the defaults)", {}, MINIMAL_CEILING),
            ("richest (tests/support.py RICHEST)", RICHEST, RICHEST_CEILING)]
    failed = False
    for name, data, ceiling in rows:
        cc = size(data | {"format": "cloud-config"})
        sh = size(data | {"format": "shell", "install_missing": False})
        ok = max(cc, sh) < ceiling
        failed |= not ok
        print(f"{name:42} {cc:12} {sh:8}  {'ok' if ok else 'over'} < {ceiling}")
    print(f"largest combination: {worst} bytes, {EC2_LIMIT - worst} left for users' parts")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
