"""The small shell reader the command-level rules rely on."""

from __future__ import annotations

from bootstrapper.lint.shell import parse


def simple(text: str):
    return [(c.line, c.words) for c in parse(text)]


def test_separators_continuations_and_comments():
    assert simple("a 1; b 2 && c\\\n  3 # not a word\nd 'x y' \"z\"\n") == [
        (1, ["a", "1"]), (1, ["b", "2"]), (1, ["c", "3"]), (3, ["d", "x y", "z"])]


def test_command_substitution_is_captured_and_assignment_kept_raw():
    cmds = parse('X=$(curl -s "$U" | jq .a)\n')
    sorted(cmds, key=lambda c: c.name)  # every command is parsed
    by_name = {c.name: c for c in cmds}
    assert by_name["curl"].captured and by_name["curl"].piped
    assert by_name["jq"].captured and not by_name["jq"].piped
    assert by_name[""].assigns == [("X", '$(curl -s "$U" | jq .a)')]
    assert by_name["curl"].pipe_to is by_name["jq"]


def test_group_and_loop_redirects_apply_inside():
    cmds = {c.words[0]: c for c in reversed(parse(
        "{\n  printf a\n} >file\nwhile read l; do echo \"$l\"; done 2>&1 >out\nf() { echo x >&2; }\n"))
        if c.words}
    assert cmds["printf"].all_redirects() == [(">", "file")]
    assert (">", "out") in cmds["echo"].all_redirects()
    assert cmds["read"].function == ""


def test_functions_and_their_bodies():
    cmds = parse("log() { printf '%s\\n' \"$*\" >&2; }\nfunction die {\n  log \"$1\"\n}\nlog hi\n")
    assert [(c.name, c.function) for c in cmds] == [("printf", "log"), ("log", "die"),
                                                     ("log", "")]


def test_heredocs_quoted_script_bodies_are_read_as_scripts():
    cmds = parse("cat >/x <<'EOF'\n#!/bin/sh\necho \"$SECRET\" it's\nEOF\ncat <<EOF2\ndon't $A\nEOF2\nnext\n")
    names = [(c.line, c.name) for c in cmds]
    assert names == [(1, "cat"), (3, "echo"), (5, "cat"), (8, "next")]
    assert cmds[2].stdin_text == "don't $A\n"


def test_case_arms_and_arrays_do_not_derail():
    cmds = simple("case $x in\n  a|b) echo one ;;\n  *) echo two ;;\nesac\narr=(a \"b c\")\nlast\n")
    assert (2, ["echo", "one"]) in cmds and (3, ["echo", "two"]) in cmds
    assert cmds[-1] == (6, ["last"])


def test_never_raises_on_broken_input():
    for text in ["echo 'unterminated", "$(", "`", "{ }", ")))", "<<", "a <<EOF\nno end",
                 "${", "f() {", "echo \"$(", "if then fi done esac }"]:
        parse(text)
