"""User-data where Terraform hands it to EC2: files named by `templatefile()`/`file()` and
inline heredocs, in `user_data`/`user_data_base64` of aws_instance, aws_launch_template,
aws_launch_configuration and of module blocks.

python-hcl2 (lazy) says which blocks carry user-data and what the expression is; it keeps
no positions, so an inline heredoc is found again in the file's text (after its
`user_data =`) and findings are shifted to its lines and indentation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

RESOURCES = ("aws_instance", "aws_launch_template", "aws_launch_configuration")
KEYS = ("user_data", "user_data_base64")
_REF = re.compile(r"""\b(?:templatefile|file)\(\s*"([^"]+)\"""")
_HEREDOC = re.compile(r"^[ \t]*(user_data(?:_base64)?)\s*=[^\n]*?<<(-?)([A-Za-z_]\w*)[ \t]*\n",
                      re.M)


@dataclass(frozen=True)
class Inline:
    """A heredoc's body: body line 1 is file line `line + 1`, shifted right `column`."""

    text: str
    line: int
    column: int
    key: str


def carriers(text: str) -> list[tuple[str, str, dict]]:
    """(block type, name, body) of every block that sets user-data; [] if not HCL."""
    try:
        import hcl2  # lazy: only when a .tf file is walked
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


def referenced(path: Path, text: str, root: Path) -> list[Path]:
    """Files whose content `templatefile()`/`file()` feeds to a user-data argument."""
    out = []
    for _, _, body in carriers(text):
        for key in KEYS:
            for ref in _REF.findall(str(body.get(key, ""))):
                ref = ref.replace("${path.module}", str(path.parent))
                ref = ref.replace("${path.root}", str(root)).replace("${path.cwd}", str(root))
                if "${" not in ref:
                    out.append(Path(ref) if Path(ref).is_absolute() else path.parent / ref)
    return out


def inline(text: str) -> list[Inline]:
    """Heredoc user-data written in the .tf file itself."""
    if not carriers(text):
        return []
    out = []
    lines = text.split("\n")
    for match in _HEREDOC.finditer(text):
        start = text.count("\n", 0, match.end())  # 0-based index of the body's first line
        end = start
        while end < len(lines) and lines[end].strip() != match.group(3):
            end += 1
        body = lines[start:end]
        indent = 0
        if match.group(2) == "-":
            widths = [len(x) - len(x.lstrip()) for x in body if x.strip()]
            indent = min(widths) if widths else 0
            body = [x[indent:] for x in body]
        out.append(Inline("\n".join(body) + "\n", start, indent, match.group(1)))
    return out
