"""The portability matrix (issue 7) as data, and the compatibility table generated from it.

Each cell is one image shape: which program /bin/sh is, which HTTP client the boot script
finds, which firewall tools exist. tests/instance/test_portability.py boots every cell in
both output formats and asserts the outcome written here; docs/compatibility.md carries the
table made from the same data, and the README its summary (the matrix and what
--install-missing installs per image), kept in sync by a test:

    python tests/instance/portability_matrix.py           rewrite the generated parts
    python tests/instance/portability_matrix.py --check   exit 1 when they are out of date
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "compatibility.md"
README = ROOT / "README.md"

SHELLS = {
    "dash": "`dash`",
    "bash-posix": "`bash --posix`",
    "bash": "`bash`",
    "busybox": "`busybox sh`; PATH: applets, client, firewall",
}
CLIENTS = {
    "curl": "curl",
    "curl-minimal": "curl, curl-minimal's options only",
    "wget": "GNU Wget 1.15+ alone",
    "busybox-wget": "BusyBox wget alone",
}
FIREWALLS = {
    "iptables-nft": "`iptables` (nft backend)",
    "iptables-legacy": "`iptables-legacy`",
    "nft": "`nft` alone",
    "none": "none",
}
# The options bootstrapper-imds and the tests pass to curl, and others known to be in
# curl-minimal: AL2023's (and Fedora's, RHEL 9's) curl built without dict, gopher, imap,
# ldap, mqtt, pop3, rtsp, smb, smtp, telnet, tftp, NTLM, TLS-SRP, brotli, libpsl, libssh
# and the built-in manual. None of these needs any of those. (option, takes a value)
CURL_MINIMAL_OPTIONS = (
    ("-q", False), ("--disable", False), ("-s", False), ("--silent", False),
    ("-S", False), ("--show-error", False), ("-f", False), ("--fail", False),
    ("-L", False), ("--location", False), ("-v", False), ("--verbose", False),
    ("-i", False), ("--include", False), ("-4", False), ("-6", False),
    ("-X", True), ("--request", True), ("-H", True), ("--header", True),
    ("-o", True), ("--output", True), ("-w", True), ("--write-out", True),
    ("-m", True), ("--max-time", True), ("--connect-timeout", True), ("--noproxy", True),
    ("--retry", True), ("--retry-delay", True), ("-d", True), ("--data", True),
    ("-A", True), ("--user-agent", True),
)
CURL_MINIMAL_SCHEMES = ("http", "https", "ftp", "ftps", "file")
# The tools the scripts may run besides the HTTP client, the firewall and systemctl: POSIX
# utilities that busybox also has, plus three that are not POSIX.1-2017 but are in GNU
# coreutils/gzip (every glibc image), busybox, toybox and the BSDs: `mktemp`, and `base64`
# and `gzip` (POSIX's own `uudecode` is missing from stock images). The busybox cells record
# every tool run: all are here.
PORTABLE_TOOLS = {
    "base64": "`base64 -d`: a shell user-data unpacks the helper, sent gzip'd and base64'd "
              "to fit EC2's 16 KB (cloud-config: cloud-init decodes it)",
    "cat": "shell user-data: writes each file it installs",
    "chmod": "file modes (0440 credentials, 0700 scripts)",
    "chown": "credential files to root and the app user's own group",
    "date": "`date -u -d @N`, refresh: now + 30 minutes as ISO 8601 (GNU and busybox)",
    "expr": "refresh: compares two ISO 8601 timestamps as strings",
    "gzip": "`gzip -dc`: the same unpacking, after `base64 -d`",
    "grep": "`grep -q`: GNU Wget 1.15+ check; `grep -qxF`: crontab line added once; "
            "`grep -c`: no other account has the app user's group",
    "head": "`head -n 1`: first match of a JSON field",
    "id": "`id -g USER`, `id -u USER`: the app user's group; allowed users' uids",
    "ls": "`ls -ldn`: owner and mode of every directory above the files, and of the files",
    "mkdir": "`mkdir -p`: directories of the files",
    "mktemp": "`mktemp`, `mktemp -d`: temp file next to each file, private work directory",
    "mv": "`mv -f`: the atomic rename into place",
    "rm": "`rm -f`, `rm -rf`: cleanup of the work directory",
    "sed": "`sed -n 's/.../p'`: JSON fields, the role name, HTTP status from GNU wget",
    "sleep": "backoff between retries (`sleep 0.1`, falling back to `sleep 1`)",
    "tail": "`tail -n 1`: the last HTTP status GNU wget saw",
}


@dataclass(frozen=True)
class Cell:
    shell: str
    client: str
    firewall: str
    like: str  # the images this shape stands for

    @property
    def id(self) -> str:
        return f"{self.shell}+{self.client}+{self.firewall}"

    @property
    def outcome(self) -> str:
        """works; fails-closed (no firewall: lockdown comes first, nothing is fetched);
        no-client (lockdown applied, then no client that can PUT: nothing is fetched)."""
        if self.firewall == "none":
            return "fails-closed"
        if self.client == "busybox-wget":
            return "no-client"
        return "works"


# Twelve working cells: every shell meets each working client once, and the firewall turns
# so that every shell and every client meets each working firewall. Then the four ways it
# must refuse, in the images where they happen.
CELLS = (
    Cell("dash", "curl", "iptables-nft", "Debian 12, Ubuntu cloud images"),
    Cell("dash", "curl-minimal", "iptables-legacy", "Debian, Ubuntu on iptables-legacy"),
    Cell("dash", "wget", "nft", "minimal Debian with wget and nftables"),
    Cell("bash-posix", "curl", "iptables-legacy", "Amazon Linux 2, older RHEL-likes"),
    Cell("bash-posix", "curl-minimal", "nft", "Amazon Linux 2023, RHEL 9, Rocky, Alma"),
    Cell("bash-posix", "wget", "iptables-nft", "RHEL 8-likes without curl"),
    Cell("bash", "curl", "nft", "(pairwise) the scripts run by `bash` itself"),
    Cell("bash", "curl-minimal", "iptables-nft", "(pairwise)"),
    Cell("bash", "wget", "iptables-legacy", "(pairwise)"),
    Cell("busybox", "curl", "nft", "Alpine + curl + nftables"),
    Cell("busybox", "curl-minimal", "iptables-legacy", "(pairwise) Alpine + curl + iptables"),
    Cell("busybox", "wget", "iptables-nft", "Alpine + GNU wget + iptables"),
    Cell("dash", "busybox-wget", "iptables-nft", "minimal Debian whose wget is busybox's"),
    Cell("busybox", "busybox-wget", "nft", "Alpine as shipped, plus nftables"),
    Cell("busybox", "curl", "none", "Alpine + curl, no firewall tool"),
    Cell("bash-posix", "curl-minimal", "none", "Amazon Linux 2023 without nftables"),
)

OUTCOMES = {  # (short, what the test asserts)
    "works": ("works", "credentials written (0440, root's, the app user's group), no IMDSv1; root and the "
              "allowed user reach IMDS on IPv4 and IPv6, uid 65534 and the app user are "
              "refused at once; `refresh` keeps fresh credentials without asking IMDS; the "
              "whole user-data run again adds no rule"),
    "no-client": ("refused: install curl", "exit 1 with one line: \"neither curl nor GNU Wget "
                  "1.15+ is installed (IMDSv2 needs a PUT, which BusyBox wget cannot send): "
                  "install curl, or render with --install-missing\"; lockdown applied "
                  "first; no request to IMDS at all (no IMDSv1 fallback); nothing written"),
    "fails-closed": ("fails closed", "exit 1 with one line: \"lockdown: neither iptables nor nft "
                     "is installed, so IMDS cannot be restricted\"; no request to IMDS; nothing "
                     "written"),
}


# Every cell boots on the Debian 12 image (cloud-init 22.4). The busybox cells stand for
# Alpine, which has no systemd: test_portability boots them in chroot mode (cloud-init's
# stages run by hand). The core scenarios also run on Debian 13 (see BOTH_IMAGES).
CLOUD_INIT = "22.4"


def booted_with(cell: Cell) -> str:
    return f"{CLOUD_INIT}, " + ("no systemd" if cell.shell == "busybox" else "systemd")


def cell_rows(result_header: str, full_shell: bool = True) -> list[str]:
    """The matrix as table rows, one per cell; the README's shortens the busybox label."""
    lines = [f"| /bin/sh | HTTP client | firewall | stands for | cloud-init | {result_header} |",
             "|---|---|---|---|---|---|"]
    for cell in CELLS:
        shell = SHELLS[cell.shell] if full_shell else SHELLS[cell.shell].split(";")[0]
        lines.append(f"| {shell} | {CLIENTS[cell.client]} | {FIREWALLS[cell.firewall]} | "
                     f"{cell.like} | {booted_with(cell)} | {OUTCOMES[cell.outcome][0]} |")
    return lines


def matrix_table() -> str:
    """The compatibility table: one row per cell (each run in both formats), then what each
    result means."""
    lines = cell_rows("expected result, both formats (test_matrix fails otherwise)")
    lines.append("")
    lines += [f"- **{short}**: {meaning}." for short, meaning in OUTCOMES.values()]
    return "\n".join(lines)


def curl_table() -> str:
    names = ", ".join(f"`{name}`" for name, _ in CURL_MINIMAL_OPTIONS)
    schemes = ", ".join(f"`{s}://`" for s in CURL_MINIMAL_SCHEMES)
    return f"Options: {names}.\nURL schemes: {schemes}."


def packages_table() -> str:
    """What --install-missing adds, per feature, as the template renders it."""
    import yaml

    from bootstrapper import build, profile

    cases = (("no lockdown", {}),
             ("`--lockdown` (firewall auto)", {"lockdown": True}),
             ("`--lockdown --firewall nftables`", {"lockdown": True, "firewall": "nftables"}),
             ("`--lockdown --firewall iptables`", {"lockdown": True, "firewall": "iptables"}))
    lines = ["| features | `packages:` added |", "|---|---|"]
    for label, options in cases:
        data = {"format": "cloud-config", "install_missing": True, **options}
        doc = yaml.safe_load(build.build(profile.from_mapping(data)).user_data)
        lines.append(f"| {label} | {', '.join(f'`{p}`' for p in doc['packages'])} |")
    return "\n".join(lines)


# --install-missing per image: package facts from each distribution's documentation (these
# images are not booted here; the matrix rows that stand for them are).
IMAGES = (
    ("Amazon Linux 2023", "bash as sh, curl-minimal, nftables, no iptables",
     "`wget` (nftables already there)", "curl-minimal is used; never ask for `curl` (conflict)"),
    ("RHEL 9, Rocky 9, Alma 9", "bash as sh, curl-minimal or curl, nftables",
     "`wget` (+ `nftables` if missing)", "same curl-minimal conflict; with `--firewall "
     "iptables`, dnf resolves `iptables` to the package that provides it (iptables-nft)"),
    ("Fedora 40 and later", "bash as sh, curl, `wget` is Wget2", "`wget` (Wget2, unused)",
     "curl is used; the helper refuses Wget2"),
    ("Debian 12, Ubuntu (cloud images)", "dash, curl, wget, iptables (nft backend)",
     "nothing new, or `nftables` (unused: iptables works)", ""),
    ("Debian, Ubuntu minimal/container-style", "dash, no HTTP client, no firewall tool",
     "`wget`, `nftables`", "booted by `test_install_missing_on_an_image_without_client_or_firewall`"),
    ("Alpine (cloud images)", "busybox ash and wget, no firewall tool",
     "GNU `wget` (it takes over `wget` on PATH), `nftables`",
     "no systemd: the helper adds its refresh to `/etc/crontabs/root`; BusyBox `crond` must "
     "be running (`rc-update add crond`)"),
)


def images_table() -> str:
    lines = ["| image | has by default | `--install-missing --lockdown` installs | notes |",
             "|---|---|---|---|"]
    lines += [f"| {image} | {has} | {adds} | {notes} |" for image, has, adds, notes in IMAGES]
    return "\n".join(lines)


def summary_table() -> str:
    """The README's matrix: one row per cell, results only."""
    return "\n".join(cell_rows("expected (test_matrix fails otherwise)", full_shell=False))


def tools_table() -> str:
    lines = ["| tool | what for |", "|---|---|"]
    lines += [f"| `{tool}` | {why} |" for tool, why in sorted(PORTABLE_TOOLS.items())]
    return "\n".join(lines)


SECTIONS = {  # file: the generated sections it must have
    DOC: {"matrix": matrix_table, "tools": tools_table, "curl-minimal": curl_table,
          "packages": packages_table, "images": images_table},
    README: {"portability-matrix": summary_table, "portability-images": images_table},
}


def generated(path: Path, text: str) -> str:
    """`text` with every `<!-- NAME:begin -->`...`<!-- NAME:end -->` section regenerated."""
    for name, make in SECTIONS[path].items():
        pattern = re.compile(rf"(<!-- {name}:begin[^>]*-->\n).*?(<!-- {name}:end -->)", re.S)
        if not pattern.search(text):
            raise ValueError(f"{path.name} has no <!-- {name}:begin --> section")
        text = pattern.sub(lambda m: m.group(1) + make() + "\n" + m.group(2), text)
    return text


def main(argv: list[str]) -> int:
    stale = 0
    for path in SECTIONS:
        text = path.read_text(encoding="utf-8")
        fresh = generated(path, text)
        if fresh == text:
            continue
        if "--check" in argv:
            print(f"{path.name} is out of date: run python tests/instance/{Path(__file__).name}",
                  file=sys.stderr)
            stale = 1
        else:
            path.write_text(fresh, encoding="utf-8")
    return stale


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
