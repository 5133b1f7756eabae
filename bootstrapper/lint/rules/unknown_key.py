"""unknown-key: a top-level cloud-config key that the targeted cloud-init release does not
read, with a did-you-mean or the releases that do.

cloud-init ignores such a key without a word (22.4's `cloud-init schema` does not flag it
either), so `runcmds:` boots as if it were not there. The message suggests the closest known
key. Also reported in a file that lacks its `#cloud-config` line (which
[`unknown-format`](#unknown-format) reports), when it looks like a cloud-config: adding the
header is not the end of it.

Which top-level keys exist depends on the release that reads the file: `--cloud-init-version
VERSION` (or `cloud-init-version` in the settings) names it, e.g. `22.2` (Amazon Linux
2023), `23.4` (RHEL 9), `24` (Ubuntu 24.04), `25` (Debian 13). The key lists of 22.2,
22.4, 23.1, 23.4, 24.1, 24.4, 25.1 and 25.3 are bundled (read from each release's schema);
a version picks the newest bundled one not newer than it in its major release. Default:
the installed cloud-init's version, else the newest bundled. The text report's first line
and the JSON/SARIF `schema` property name the schema and the release. A key that another
release reads names both: `'ubuntu_pro' is not read by cloud-init 23.4 ..., only from
cloud-init 24.1 on` (cloud-init 23.x calls it `ubuntu_advantage`). Keys that are Jinja
placeholders are not judged.

FAIL:
    #cloud-config
    runcmds: [ls]           # did you mean 'runcmd'?
PASS:
    #cloud-config
    runcmd: [ls]
"""

from __future__ import annotations


from ..template import PLACEHOLDER

ID = "unknown-key"
SEVERITY = "warning"
OPTIONS: dict = {}
FORMERLY = ("schema", "unknown-keys")


def check(doc, ctx):
    if doc.kind == "unknown" and not doc.children:
        yield from _headerless(doc, ctx)
        return
    parsed = doc.config
    if doc.kind != "cloud-config" or parsed is None or parsed.error or \
            not isinstance(parsed.data, dict):
        return
    source = ctx.checker().source
    yield from _unknown_keys(doc, parsed, source.known_keys, source.version)


def _headerless(doc, ctx):
    """A cloud-config missing its header (unknown-format says so) may also misspell a key:
    say that too, or adding the header is not the end of it."""
    from ..cloudconfig import parse

    parsed = parse(doc.text)
    if not isinstance(parsed.data, dict) or not parsed.data:
        return
    source = ctx.checker().source
    if not set(map(str, parsed.data)) & source.known_keys:
        return  # not cloud-config-like at all: unknown-format's finding is enough
    yield from _unknown_keys(doc, parsed, source.known_keys, source.version)


def _unknown_keys(doc, parsed, known, version: str = ""):
    for key in parsed.data:
        name = str(key)
        if name in known or PLACEHOLDER in name:
            continue
        from ..schemas import releases_with  # lazy: only for a key not known

        elsewhere = releases_with(name)
        if elsewhere and version:
            yield doc.problem(parsed.key_line(name), 1, ID, SEVERITY, _other_release(
                name, version, elsewhere))
            continue
        import difflib  # lazy: only for a finding (render's validation runs this rule)

        close = difflib.get_close_matches(name, known, n=1, cutoff=0.7)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        target = f" {version}" if version else ""
        yield doc.problem(parsed.key_line(name), 1, ID, SEVERITY,
                          f"unknown key {name!r}: no module of cloud-init{target} reads it{hint}")


def _other_release(name: str, version: str, releases: list[str]) -> str:
    """A key the target release does not read but another does: name both."""
    from ..schemas import _numbers

    newer = [r for r in releases if _numbers(r) > _numbers(version)]
    span = (f"from cloud-init {newer[0]} on" if newer and releases[-1] == newer[-1]
            else f"by cloud-init {', '.join(releases)}")
    return (f"{name!r} is not read by cloud-init {version} (the target: --cloud-init-version "
            f"or the installed one), only {span}: on {version} it is silently ignored")
