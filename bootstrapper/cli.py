"""The command line: parse, call, print, exit code. The only module that prints.

Render options are generated from `profile.FIELDS`, so the CLI cannot drift from the profile.
"""

from __future__ import annotations

import inspect
import os
import sys
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer

from . import __version__
from .commands import resolve_profile, write_output  # noqa: F401 - shared with fastpath
from .errors import EXIT_USAGE, BootstrapperError, RefusedError
from .profile import FIELDS, Field

app = typer.Typer(
    name="bootstrapper",
    help="Render validated EC2 user-data that gets the instance role's credentials to your "
    "app through IMDSv2, with no secret in code, config or AMI.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
templates_app = typer.Typer(help="The built-in templates: list them, print one to start from.",
                            rich_markup_mode=None, add_completion=False)
app.add_typer(templates_app, name="templates")


def fail(err: BootstrapperError) -> typer.Exit:
    """Report `err` on stderr as one line (findings after it) and return the exit."""
    typer.echo(f"bootstrapper: error: {err}", err=True)
    if isinstance(err, RefusedError):
        for problem in err.findings[1:]:
            typer.echo(f"  {problem}", err=True)
    return typer.Exit(err.exit_code)


# --- render options, generated from the profile schema ----------------------------------

def _option(f: Field) -> inspect.Parameter:
    default = f" [default: {f.default}]" if f.default not in (None, (), {}) else ""
    choices = f" One of: {', '.join(f.choices)}." if f.choices else ""
    option = typer.Option(*f.decls, help=f.help + choices + default, metavar=f.spec.metavar,
                          show_default=False)
    return inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=None,
                             annotation=Annotated[f.spec.cli_type, option])


def with_render_options(extra: list[inspect.Parameter]) -> Callable:
    """Give a command the PROFILE argument and every render option from `FIELDS`."""
    profile_arg = inspect.Parameter(
        "profile_path", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None,
        annotation=Annotated[Optional[str], typer.Argument(
            metavar="[PROFILE]", help="YAML profile (- reads stdin); options override its "
            "keys (see the epilog for lists).")])

    def decorate(func: Callable) -> Callable:
        params = [profile_arg] + [_option(f) for f in FIELDS if f.cli] + extra
        func.__signature__ = inspect.Signature(params)
        func.__annotations__ = {p.name: p.annotation for p in params}
        return func

    return decorate


RENDER_EPILOG = """Examples:

\b
  bootstrapper render                                   # working default: role discovered
  bootstrapper render examples/web-app.yaml             # a profile
  bootstrapper render --format shell --role app-role --app-user app --lockdown
  bootstrapper render --template my.yaml.j2 --var domain=example.com
  bootstrapper render examples/minimal.yaml --gzip --base64 --output user-data.b64
  echo 'role: app-role' | bootstrapper render -        # the profile from stdin

PROFILE is a YAML file of the options above with _ for - (- reads stdin). Options
override its keys; a list given on the command line (--allow-user, --part) replaces the
profile's list, and --var sets its keys over the profile's vars.
"""


@app.command(epilog=RENDER_EPILOG)
@with_render_options([])
def render(**options: Any) -> None:
    """Render user-data (cloud-config, shell or MIME) to stdout or --output."""
    from . import commands

    raise typer.Exit(commands.render(options.pop("profile_path"), options))


TERRAFORM_EPILOG = """Example (HCL):

\b
  data "external" "user_data" {
    program = ["bootstrapper", "terraform"]
    query   = { role = "app-role", lockdown = "true" }
  }
  # user_data = data.external.user_data.result.user_data_base64

Query keys are the render options with _ (see `bootstrapper render --help`), every value
a string: lockdown = "true", allow_users = "a,b", vars = jsonencode({...}). The result:
user_data, user_data_base64, sha256, size_bytes. Module: examples/terraform/.
"""


@app.command(epilog=TERRAFORM_EPILOG)
def terraform() -> None:
    """Terraform `external` data source program: JSON query on stdin, JSON result on
    stdout."""
    from .terraform import main as terraform_main

    raise typer.Exit(terraform_main(sys.stdin, sys.stdout, sys.stderr))


# --- launch-template (issue 5: owned by bootstrapper/launch_template.py) ---------------


LAUNCH_TEMPLATE_EPILOG = """\b
Examples:
  bootstrapper launch-template examples/web-app.yaml --iam-instance-profile web-app \\
      --output lt.json
  aws ec2 create-launch-template --launch-template-name web-app \\
      --launch-template-data file://lt.json
  bootstrapper launch-template --format mime --part app.yaml --gzip --hop-limit 2  # containers

\b
UserData is always base64 (the API wants it so); --base64 is refused: it would encode twice.
"""


@app.command("launch-template", epilog=LAUNCH_TEMPLATE_EPILOG)
@with_render_options([_option(f) for f in FIELDS if f.name in ("hop_limit",
                                                                 "iam_instance_profile")])
def launch_template(**options: Any) -> None:
    """JSON for `aws ec2 create-launch-template --launch-template-data file://...`:
    UserData (base64), MetadataOptions (IMDSv2 required), IamInstanceProfile."""
    from .launch_template import render as render_launch_template

    try:
        prof = resolve_profile(options.pop("profile_path"), options, "launch-template")
        write_output(render_launch_template(prof), prof.output)
    except BootstrapperError as err:
        raise fail(err) from None


# --- inspect (issue 5: owned by bootstrapper/explain.py) ------------------------------


INSPECT_EPILOG = """Examples:

\b
  bootstrapper inspect user-data.b64                  # base64 → gzip → MIME → parts
  aws ec2 describe-instance-attribute --instance-id i-0abc --attribute userData \\
    --query UserData.Value --output text | bootstrapper inspect -
  bootstrapper inspect user-data --format json
"""


@app.command("inspect", epilog=INSPECT_EPILOG)
def inspect_cmd(
    path: Annotated[str, typer.Argument(help="User-data file (- for stdin).")],
    output_format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    extract: Annotated[Optional[str], typer.Option(
        "--extract", metavar="DIR", help="Also write each part's exact bytes to "
        "DIR/NN-FILENAME.")] = None,
) -> None:
    """Show what cloud-init will see in existing user-data (base64 → gzip → MIME → parts):
    each part's type, size and summary, the sizes against EC2's limit, and the order
    scripts run in. Exit 1 when cloud-init would not get working user-data."""
    import json

    from . import explain

    try:
        if output_format not in ("text", "json"):
            raise BootstrapperError(f"--format: must be text or json (got {output_format!r})")
        from .inputs import read_capped  # one size cap for every command

        data = read_capped(path, "user-data", sys.stdin.buffer)
        report = explain.explain(data)
        if extract and os.path.exists(extract) and not os.path.isdir(extract):
            raise BootstrapperError(f"--extract {extract}: is a file; name a directory (new "
                                    "or existing) to write the parts into")
        if extract:
            explain.extract(report, extract)
    except BootstrapperError as err:
        raise fail(err) from None
    if output_format == "json":
        typer.echo(json.dumps({"path": path, **report.as_dict()}, indent=2, sort_keys=True))
    else:
        typer.echo(explain.format_text(report), nl=False)
    raise typer.Exit(1 if report.errors else 0)


# --- lint (issue 6: owned by bootstrapper/lint/) ---------------------------------------


LINT_EPILOG = """Examples:

\b
  bootstrapper lint infra/                         # every user-data file below infra/
  bootstrapper lint user-data.yaml --format json
  bootstrapper lint . --format sarif --output lint.sarif
  bootstrapper render | bootstrapper lint -
  bootstrapper lint --severity warning --disable size-limit cloud-init/

Rules (listed by --list-rules), suppressions (# bootstrapper: disable=RULE) and
[tool.bootstrapper.lint] settings: docs/lint.md (installed with the package as bootstrapper/docs/lint.md). Exit 0
clean, 1 an error-severity finding, 2 bad usage or an unreadable path.
"""


@app.command("lint", epilog=LINT_EPILOG)
def lint(
    paths: Annotated[Optional[list[str]], typer.Argument(
        help="Files or directories (walked for user-data files); - for stdin.",
        show_default=False)] = None,
    output_format: Annotated[str, typer.Option(
        "--format", help="text, json, sarif or github.")] = "text",
    severity: Annotated[Optional[str], typer.Option(
        "--severity", help="Report findings at or above: info, warning or error. "
        "[default: info, or the config's]")] = None,
    schema: Annotated[Optional[str], typer.Option(
        "--schema", metavar="auto|builtin|cloud-init|FILE",
        help="cloud-config schema: the installed cloud-init's (auto, the default, falls "
        "back to the built-in one), builtin, or a JSON schema file.")] = None,
    cloud_init_version: Annotated[Optional[str], typer.Option(
        "--cloud-init-version", metavar="VERSION",
        help="The cloud-init release that reads the files (e.g. 22.2 on Amazon Linux 2023, "
        "23.4 on RHEL 9, 24 on Ubuntu 24.04): its top-level keys are the known ones. "
        "[default: the installed cloud-init's, else the newest bundled]")] = None,
    baseline: Annotated[Optional[str], typer.Option(
        "--baseline", metavar="FILE",
        help="Do not report findings recorded in FILE (a --format json report of an "
        "earlier run): adopt lint on an old repository, fail only on new findings.")] = None,
    disable: Annotated[Optional[list[str]], typer.Option(
        "--disable", metavar="RULE", help="Turn a rule off (repeatable).")] = None,
    exclude: Annotated[Optional[list[str]], typer.Option(
        "--exclude", metavar="PATTERN",
        help="Skip matching files and directories when walking (repeatable).")] = None,
    config: Annotated[Optional[str], typer.Option(
        "--config", metavar="FILE",
        help="pyproject.toml to read [tool.bootstrapper.lint] from. [default: the nearest "
        "one above the current directory]")] = None,
    no_config: Annotated[bool, typer.Option(
        "--no-config", help="Ignore pyproject.toml settings.")] = False,
    only_user_data: Annotated[bool, typer.Option(
        "--only-user-data", help="Skip named files that do not look like user-data (as "
        "when walking a directory): for pre-commit, which names every changed file.")] = False,
    color: Annotated[str, typer.Option(
        "--color", help="auto, always or never (text format).")] = "auto",
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", metavar="FILE", help="Write the report there instead of stdout.")] = None,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="List on stderr every file considered: linted or skipped, "
        "and why.")] = False,
    list_rules: Annotated[bool, typer.Option(
        "--list-rules", help="Print every rule: its id, default severity and what it finds "
        "(docs/lint.md has each rule's section), then exit.")] = False,
) -> None:
    """Lint any EC2 user-data: YAML, schema, shellcheck, IMDSv1 calls, secrets, file modes,
    sizes. Reads cloud-config, scripts, boothooks, MIME, #include, Jinja templates, gzip and
    base64, nested."""
    from . import lint as linter
    from .errors import EXIT_FINDINGS, EXIT_OK
    from .lint import report as formats

    if list_rules:
        from .lint.ruledocs import listing

        typer.echo(listing(linter.RULES), nl=False)
        raise typer.Exit(EXIT_OK)
    if not paths:
        raise fail(BootstrapperError("Missing argument 'PATHS...': a file, a directory, or - "
                                     "for standard input (see `bootstrapper lint --help`)"))
    progress = _LintProgress()
    try:
        _lint_check_choices(output_format, severity, color)
        settings = linter.settings_for(config=Path(config) if config else None,
                                       use_config=not no_config)
        settings = linter.with_options(settings, severity=severity, schema=schema,
                                       disable=tuple(disable or ()), exclude=tuple(exclude or ()),
                                       cloud_init_version=cloud_init_version, baseline=baseline)
        log = (lambda path, why: typer.echo(f"{path}: {why}", err=True)) if verbose else None
        result = linter.lint_paths(paths, settings, only_user_data=only_user_data,
                                   progress=progress, log=log)
        progress.clear()
        if not result.files:
            typer.echo(f"bootstrapper: warning: no user-data files in {' '.join(paths)}", err=True)
        use_color = color == "always" or (color == "auto" and not output and sys.stdout.isatty()
                                          and not os.environ.get("NO_COLOR"))
        rendered = {"text": lambda: formats.text(result, use_color),
                    "json": lambda: formats.as_json(result),
                    "sarif": lambda: formats.sarif(result, linter.RULES),
                    "github": lambda: formats.github(result)}[output_format]()
        write_output(rendered.encode("utf-8"), output)
    except BootstrapperError as err:
        progress.clear()
        raise fail(err) from None
    raise typer.Exit(EXIT_FINDINGS if result.count("error") else EXIT_OK)


def _lint_check_choices(output_format: str, severity: str | None, color: str) -> None:
    for name, value, allowed in (("--format", output_format, ("text", "json", "sarif", "github")),
                                 ("--severity", severity, (None, "info", "warning", "error")),
                                 ("--color", color, ("auto", "always", "never"))):
        if value not in allowed:
            raise BootstrapperError(f"{name}: {value!r} is not one of "
                                    f"{', '.join(a for a in allowed if a)}")


_PROGRESS_MIN_FILES = 20  # fewer files finish before a progress line would help


class _LintProgress:
    """A progress line on stderr for runs over many files, only when stderr is a terminal."""

    def __init__(self) -> None:
        self.shown = False

    def __call__(self, done: int, total: int, stage: str) -> None:
        if total >= _PROGRESS_MIN_FILES and sys.stderr.isatty():
            what = f"{done}/{total} files" if stage == "files" else f"running {stage}"
            sys.stderr.write(f"\r\033[Kbootstrapper lint: {what}")
            sys.stderr.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
            self.shown = False


# --- templates (issue 10) ----------------------------------------------------------------


TEMPLATES_EPILOG = """Examples:

\b
  bootstrapper templates list
  bootstrapper templates show user-data.sh.j2 > my.sh.j2     # then edit, or better:
  echo '{% extends "user-data.sh.j2" %}{% block after_credentials %}
  systemctl start app{% endblock %}' > my.sh.j2 && bootstrapper render --template my.sh.j2
"""


@templates_app.command("list", epilog=TEMPLATES_EPILOG)
def templates_list() -> None:
    """The built-in templates and the blocks each offers."""
    from . import catalog

    for name in catalog.names():
        item = catalog.info(name)
        typer.echo(name)
        if item.description:
            typer.echo(f"    {item.description}")
        if item.blocks:
            typer.echo(f"    blocks: {', '.join(item.blocks)}")


@templates_app.command("show", epilog=TEMPLATES_EPILOG)
def templates_show(name: Annotated[str, typer.Argument(help="Template name.")]) -> None:
    """Print one built-in template, to start your own from."""
    from . import catalog

    try:
        typer.echo(catalog.show(name), nl=False)
    except BootstrapperError as err:
        raise fail(err) from None


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"bootstrapper {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    version: Annotated[Optional[bool], typer.Option(
        "--version", callback=version_callback, is_eager=True,
        help="Print the version and exit.")] = None,
) -> None:
    """Render validated EC2 user-data that gets the instance role's credentials to your app
    through IMDSv2, with no secret in code, config or AMI."""


def run(argv: list[str] | None = None) -> int:
    """Entry point used by __main__: click's usage errors become our one line, exit 2."""
    import click

    try:
        code = app(args=argv, prog_name="bootstrapper", standalone_mode=False)
    except click.UsageError as err:
        typer.echo(f"bootstrapper: error: {usage_line(err)}", err=True)
        return EXIT_USAGE
    except click.Abort:
        typer.echo("bootstrapper: error: aborted", err=True)
        return EXIT_USAGE
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USAGE)
    return code if isinstance(code, int) else 0


def usage_line(err) -> str:  # noqa: ANN001 - a click.UsageError
    """click's usage error as one line: its message (each suggestion once, values cut) and
    where to read more, instead of the multi-line usage block."""
    import re

    message = " ".join(err.format_message().split())
    message = re.sub(r"(\s*\(?Did you mean [^?]+\?\)?)(?=.*\1)", "", message)
    message = re.sub(r"'([^']{60})[^']{20,}'", r"'\1...'", message)
    command = err.ctx.command_path if err.ctx is not None else "bootstrapper"
    return f"{message.rstrip('.')} (see `{command} --help`)"
