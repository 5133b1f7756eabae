"""Docs derived from code stay derived: the README option table is generated from
profile.FIELDS, and every example the README names exists."""

from __future__ import annotations

import re

from support import ROOT

from bootstrapper.reference import BEGIN, END, options_table


def test_readme_option_table_is_generated_from_fields():
    readme = (ROOT / "README.md").read_text()
    current = readme[readme.index(BEGIN):readme.index(END) + len(END)]
    assert current == options_table(), \
        "README option table is stale: python -m bootstrapper.reference, paste between markers"


def test_readme_links_exist():
    readme = (ROOT / "README.md").read_text()
    for target in re.findall(r"\]\(((?!http|#)[^)]+)\)", readme):
        path, _, anchor = target.partition("#")
        assert (ROOT / path).exists(), target
        if anchor:  # a heading there, as GitHub makes anchors of headings
            headings = re.findall(r"^#+ (.+)$", (ROOT / path).read_text(), re.M)
            slugs = {re.sub(r"[^\w\- ]", "", h).strip().lower().replace(" ", "-")
                     for h in headings}
            assert anchor in slugs, target


def test_readme_quick_start_is_two_dev_commands():
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in quick.strip().splitlines()] == \
        ["./dev demo", "./dev test"]
    assert "exec ./dev test" in (ROOT / ".ci" / "run").read_text()
