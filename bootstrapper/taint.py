"""`vars` taint: a value from `--var` reaches the output only through `| sh`, `| yaml` or
`| raw` as its last step.

Two checks, because each alone has a hole:
- static (`check_source`): the template's syntax tree. Every name bound from an expression
  that mentions `vars` (`set`, `for`, `with`) is tainted too; any printed expression that
  mentions a tainted name must end in one of the three filters (both branches of an inline
  `if` are checked), and nothing tainted may be printed inside a `{% filter %}` block (that
  filter would come after ours). Concatenation (`~`), `%`, `format`, `join` and every other
  filter or method are covered because they do not end in a quoting filter.
- at run time (`UserValue`): a `vars` value stays a `UserValue` through the str methods that
  filters call (`lower`, `strip`, `replace`, ...), so a value that crosses templates through a
  variable is still refused when printed bare (render.py's finalize).
"""

from __future__ import annotations

from typing import Any, Iterable

from .errors import TemplateError

QUOTING_FILTERS = ("sh", "yaml", "raw")


class UserValue(str):
    """A `vars` value. Printing one bare is a render error: it must pass `| sh` (a shell
    word), `| yaml` (a YAML scalar) or `| raw` (verbatim, on purpose). No single default
    quoting is right in both shell lines and YAML values, so the template must say which.
    str methods return UserValue too, so a filter that calls one keeps the taint."""

    def __str__(self) -> str:
        return self


def _keep_taint(name: str):
    method = getattr(str, name)

    def wrapped(self, *args: Any, **kwargs: Any):
        result = method(self, *args, **kwargs)
        if isinstance(result, str):
            return UserValue(result)
        if isinstance(result, (list, tuple)):
            return type(result)(UserValue(r) if isinstance(r, str) else r for r in result)
        return result

    wrapped.__name__ = name
    return wrapped


for _name in ("capitalize", "casefold", "center", "expandtabs", "format", "format_map",
              "join", "ljust", "lower", "lstrip", "partition", "removeprefix", "removesuffix",
              "replace", "rjust", "rpartition", "rsplit", "rstrip", "split", "splitlines",
              "strip", "swapcase", "title", "translate", "upper", "zfill", "__add__",
              "__mod__", "__mul__", "__rmul__", "__getitem__", "__format__"):
    setattr(UserValue, _name, _keep_taint(_name))


def check_source(source: str, name: str, env) -> None:
    """Refuse (TemplateError naming file:line) a template where a vars-derived value is
    printed without `| sh`, `| yaml` or `| raw` as its last step."""
    from jinja2 import nodes

    tree = env.parse(source, name=name)
    if any(f.name not in env.filters for f in tree.find_all(nodes.Filter)):
        return  # compiling it fails on the unknown filter, with a did-you-mean: say that
    tainted = {"vars"}
    # Bindings can chain (a = vars.x; b = a ~ ""): repeat until nothing new is tainted.
    while True:
        before = len(tainted)
        for node in tree.find_all((nodes.Assign, nodes.For, nodes.With)):
            for target, value in _bindings(node):
                if _mentions(value, tainted):
                    tainted |= {n.name for n in target.find_all(nodes.Name)} | (
                        {target.name} if isinstance(target, nodes.Name) else set())
        if len(tainted) == before:
            break
    for output in tree.find_all(nodes.Output):
        for expr in output.nodes:
            if not isinstance(expr, nodes.TemplateData):
                _check_printed(expr, tainted, name)
    for block in tree.find_all(nodes.FilterBlock):
        for output in block.find_all(nodes.Output):
            for expr in output.nodes:
                if _mentions(expr, tainted):
                    raise TemplateError(
                        f"{name}:{expr.lineno}: a vars value is printed inside a "
                        f"{{% filter %}} block, which would change it after its quoting "
                        "filter; quote it outside the block")


def _bindings(node) -> Iterable[tuple[Any, Any]]:
    from jinja2 import nodes

    if isinstance(node, nodes.Assign):
        yield node.target, node.node
    elif isinstance(node, nodes.For):
        yield node.target, node.iter
    elif isinstance(node, nodes.With):
        yield from zip(node.targets, node.values)


def _mentions(expr, tainted: set[str]) -> bool:
    from jinja2 import nodes

    if isinstance(expr, nodes.Name):
        return expr.name in tainted
    return any(n.name in tainted for n in expr.find_all(nodes.Name))


def _check_printed(expr, tainted: set[str], name: str) -> None:
    from jinja2 import nodes

    if not _mentions(expr, tainted):
        return
    if isinstance(expr, nodes.Filter) and expr.name in QUOTING_FILTERS:
        return
    if isinstance(expr, nodes.CondExpr):
        _check_printed(expr.expr1, tainted, name)
        if expr.expr2 is not None:
            _check_printed(expr.expr2, tainted, name)
        return
    last = f"`{expr.name}`" if isinstance(expr, (nodes.Filter, nodes.Test)) else \
        f"a {type(expr).__name__.lower()} expression"
    raise TemplateError(
        f"{name}:{expr.lineno}: a vars value is printed through {last}, not through "
        "| sh (shell lines), | yaml (YAML values) or | raw (verbatim, on purpose) as the "
        "last step; a filter or concatenation after the quoting, or none, can let it "
        "break out")
