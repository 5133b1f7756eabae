"""User-data where Terraform hands it to EC2: files named by `templatefile()`/`file()`/`filebase64()` and
inline heredocs, in `user_data`/`user_data_base64` of aws_instance, aws_launch_template,
aws_launch_configuration and of module blocks.

python-hcl2 (imported lazily) says which blocks carry user-data, what the expressions are
and the `metadata_options`; it keeps no positions, so each block's line and each inline
heredoc's lines are found again in the file's text (the block header, then the
`user_data =` after it).
"""

from __future__ import annotations

import re
from pathlib import Path

from .discover import Carrier, Input

RESOURCES = ("aws_instance", "aws_launch_template", "aws_launch_configuration")
KEYS = ("user_data", "user_data_base64")
_REF = re.compile(r"""\b(?:templatefile|filebase64|file)\(\s*"([^"]+)\"""")
_HEREDOC = re.compile(r"^[ \t]*(user_data(?:_base64)?)\s*=[^\n]*?<<(-?)([A-Za-z_]\w*)[ \t]*\n",
                      re.M)


def _blocks(text: str) -> list[tuple[str, str, dict]]:
    """(block type, name, body) of every block that sets user-data; [] if not HCL."""
    try:
        import hcl2  # lazy: only when a .tf file is read

        parsed = hcl2.loads(text)
    except Exception:  # noqa: BLE001 - any parse failure: not Terraform we can read
        return []
    out = []
    for block in parsed.get("resource", []):
        for rtype, named in block.items():
            if rtype.strip('"') in RESOURCES:
                out += [(rtype.strip('"'), n.strip('"'), b) for n, b in named.items()
                        if any(k in b for k in KEYS)]
    for block in parsed.get("module", []):
        out += [("module", n.strip('"'), b) for n, b in block.items()
                if any(k in b for k in KEYS)]
    return out


def _block_line(text: str, kind: str, name: str) -> int:
    """1-based line of `resource "KIND" "NAME" {` (or `module "NAME" {`)."""
    head = rf'^[ \t]*module\s+"{re.escape(name)}"' if kind == "module" else \
        rf'^[ \t]*resource\s+"{re.escape(kind)}"\s+"{re.escape(name)}"'
    match = re.search(head, text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _tokens(body: dict) -> str | None:
    options = body.get("metadata_options")
    if isinstance(options, list) and options and isinstance(options[0], dict):
        value = options[0].get("http_tokens")
        return str(value).strip('"') if value is not None else None
    return None


def inputs(path: Path, root: Path) -> list[Input]:
    """The user-data a .tf file hands to EC2, each with the block that carries it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    out = []
    for kind, name, body in _blocks(text):
        line = _block_line(text, kind, name)
        what = f"module.{name}" if kind == "module" else f"{kind}.{name}"
        carrier = Carrier(str(path), line, what, _tokens(body), kind != "module")
        for key in KEYS:
            for ref in _REF.findall(str(body.get(key, ""))):
                ref = ref.replace("${path.module}", ".")  # relative to the .tf's directory
                ref = ref.replace("${path.root}", str(root.resolve()))
                ref = ref.replace("${path.cwd}", str(root.resolve()))
                if "${" in ref:
                    continue  # another interpolation: not a path we can know
                target = Path(ref) if Path(ref).is_absolute() else path.parent / ref
                if target.is_file():
                    out.append(Input(str(target), target, carriers=(carrier,),
                                     reason=f"{key} of {what} ({path}:{line})"))
        out += _inline(path, text, line, carrier)
    return out


def _inline(path: Path, text: str, after: int, carrier: Carrier) -> list[Input]:
    """The first heredoc user-data after line `after` (the block's own)."""
    lines = text.split("\n")
    start_at = sum(len(x) + 1 for x in lines[:after - 1])
    match = _HEREDOC.search(text, start_at)
    if not match:
        return []
    start = text.count("\n", 0, match.end())  # 0-based index of the body's first line
    block_end = re.search(r"^[ \t]*(resource|module|data|variable|output|locals)\b",
                          text[start_at + 1:], re.M)
    if block_end and start_at + 1 + block_end.start() < match.start():
        return []  # that heredoc belongs to a later block
    end = start
    while end < len(lines) and lines[end].strip() != match.group(3):
        end += 1
    body = lines[start:end]
    indent = 0
    if match.group(2) == "-":
        widths = [len(x) - len(x.lstrip()) for x in body if x.strip()]
        indent = min(widths) if widths else 0
        body = [x[indent:] for x in body]
    line_map = tuple((start + 1 + n, indent) for n in range(len(body) or 1))
    return [Input(str(path), path, ("\n".join(body) + "\n").encode("utf-8"), line_map,
                  (carrier,), f"inline {match.group(1)} of {carrier.what}")]
