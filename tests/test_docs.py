"""Docs derived from code stay derived: the README option table is generated from
profile.FIELDS, docs/lint.md's rule sections from the rules' docstrings, and every example
the README names exists."""

from __future__ import annotations

import re

from support import ROOT

from bootstrapper.lint import RULES, ruledocs
from bootstrapper.reference import BEGIN, END, options_table


def test_readme_option_table_is_generated_from_fields():
    readme = (ROOT / "README.md").read_text()
    current = readme[readme.index(BEGIN):readme.index(END) + len(END)]
    assert current == options_table(), \
        "README option table is stale: python -m bootstrapper.reference, paste between markers"


def test_lint_docs_rule_sections_are_generated_from_the_rules():
    docs = (ROOT / "docs" / "lint.md").read_text()
    assert docs.count(ruledocs.BEGIN) == 1 and docs.count(ruledocs.END) == 1
    assert ruledocs.update(docs, RULES) == docs, \
        f"docs/lint.md's rule sections are stale: {ruledocs.REGENERATE}"


def test_lint_docs_generator_rewrites_only_its_region(tmp_path):
    page = tmp_path / "lint.md"
    page.write_text(f"# by hand\n\n{ruledocs.BEGIN}\nold text\n{ruledocs.END}\n\n## also by hand\n")
    assert ruledocs.main(["--write", str(page)]) == 0
    text = page.read_text()
    assert text.startswith("# by hand\n\n" + ruledocs.BEGIN) and "old text" not in text
    assert text.endswith(ruledocs.END + "\n\n## also by hand\n")
    for rule_id in RULES:
        assert f"\n### `{rule_id}`\n" in text
    page.write_text("no markers\n")
    assert ruledocs.main(["--write", str(page)]) == 2 and page.read_text() == "no markers\n"


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
