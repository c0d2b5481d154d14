"""Links from the formulas of docs/*.md to the code that implements them: one hop, kept true.

A formula block (one ``$$...$$``, or several separated only by blank lines) is followed, as the
next non-blank line, by a line that starts with ``Реализация:`` and names one or more symbols::

    Реализация: `tinygrad_ru.optim.Adam._update` — [tinygrad_ru/optim/adam.py:69](../tinygrad_ru/optim/adam.py#L69)

(several items are separated by ``;``).  The same item may stand anywhere in prose too, e.g. after
the paragraph about the topological sort.  **The dotted symbol is the truth**; the ``path:line``
is derived from it: the symbol is imported, and the line is the ``def``/``class`` line of its
definition (found with ``ast`` by ``__qualname__``, so decorators do not shift it).

    python docs/scripts/code_links.py           # rewrite every path:line from its symbol (idempotent)
    python docs/scripts/code_links.py --check   # exit 1, naming page and block, if a link is stale
                                                # or a formula block has none (tests/test_docs.py)

When code moves, rerun the first command.  A symbol whose module no longer defines it is looked
for in the other modules of the same package (``tinygrad_ru.ops.nn_ops.Linear.backward`` →
``tinygrad_ru.ops.linear.Linear.backward``): found once, the symbol itself is rewritten; otherwise
the script says which symbol to fix by hand.

Why a relative ``../tinygrad_ru/...#L69`` link: on GitHub (and in an editor's Markdown preview)
it opens the file at that line.  ``mkdocs build --strict`` rejects links that leave ``docs/``,
so this module is also a mkdocs hook (``hooks:`` in mkdocs.yml): on the site each such link
becomes the text `tinygrad_ru/optim/adam.py:69`, or a link into the repository when mkdocs.yml
sets ``repo_url``.
"""

from __future__ import annotations

import argparse
import ast
import functools
import importlib
import inspect
import os
import pkgutil
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PACKAGE = "tinygrad_ru"
MARKER = "Реализация:"

# an item: `symbol` — [path:line](relative/path#Lline)
ITEM = re.compile(r"`(?P<symbol>tinygrad_ru(?:\.\w+)+)` — \[(?P<text>[^\]\n]*)\]\((?P<href>[^)\s]*)\)")
# any link from a page into the package's source (the hook turns these into text on the site)
SOURCE_LINK = re.compile(
    r"\[(?P<text>[^\]\n]+)\]\((?P<rel>(?:\.\./)+)(?P<path>tinygrad_ru/[^)#\s]+\.py)#L(?P<line>\d+)\)")
_FENCE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?^[ \t]*\1[ \t]*$", re.S | re.M)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1)(?!\n[ \t]*\n).)+?\1", re.S)  # within one paragraph
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_DEF_LINE = re.compile(r"^\s*(?:async\s+def|def|class)\s+(\w+)")


# ----------------------------------------------------------------------------- symbol → path:line


class Location(NamedTuple):
    path: str  # relative to the repository root, with "/"
    line: int  # 1-based, the def/class line

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@functools.cache
def _definitions(filename: str) -> dict[str, int]:
    """``__qualname__`` → line of the ``def``/``class`` keyword for every definition in a file."""
    tree = ast.parse(Path(filename).read_text(encoding="utf-8"), filename)
    out: dict[str, int] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                out.setdefault(name, child.lineno)  # the first definition wins (as for `if` / `else` twins)
                inner = name + "." if isinstance(child, ast.ClassDef) else name + ".<locals>."
                visit(child, inner)
            else:
                visit(child, prefix)  # statements (if, try, with) do not change the qualname

    visit(tree, "")
    return out


def _unwrap(obj: Any) -> Any:
    if isinstance(obj, property):
        obj = obj.fget
    if isinstance(obj, (staticmethod, classmethod)) or inspect.ismethod(obj):
        obj = obj.__func__
    if isinstance(obj, functools.partial):
        obj = obj.func
    try:
        return inspect.unwrap(obj)
    except ValueError:
        return obj


def locate(obj: Any) -> Location | None:
    """Where ``obj`` (function, method, class, property) is defined in this repository, or None."""
    obj = _unwrap(obj)
    if inspect.isclass(obj):
        module = sys.modules.get(obj.__module__)
        filename = getattr(module, "__file__", None)
    elif inspect.isfunction(obj):
        filename = obj.__code__.co_filename
    else:
        return None
    if not filename:
        return None
    path = Path(filename).resolve()
    try:
        rel = path.relative_to(ROOT).as_posix()
    except ValueError:
        return None  # defined outside the repository (NumPy, the standard library)
    line = _definitions(str(path)).get(obj.__qualname__)
    if line is None and inspect.isfunction(obj):  # made by a factory: start from its code object
        lines = path.read_text(encoding="utf-8").splitlines()
        line = obj.__code__.co_firstlineno
        while line <= len(lines) and not _DEF_LINE.match(lines[line - 1]):
            line += 1
    return Location(rel, line) if line else None


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _getattrs(obj: Any, names: list[str]) -> Any:
    for name in names:
        obj = inspect.getattr_static(obj, name) if inspect.isclass(obj) else getattr(obj, name)
    return obj


def resolve(symbol: str) -> Any:
    """Import the longest importable prefix of ``symbol`` and get the rest as attributes."""
    parts = symbol.split(".")
    for i in range(len(parts), 0, -1):
        module = _import(".".join(parts[:i]))
        if module is not None:
            return _getattrs(module, parts[i:])  # AttributeError names what is missing
    raise ImportError(symbol)


def _defined_in(package: Any, rest: list[str]) -> list[str]:
    """``module.rest`` for every module under ``package`` that defines ``rest[0]`` and has ``rest``."""
    found = []
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        candidate = _import(info.name)
        head = getattr(candidate, rest[0], None)
        if head is None or getattr(head, "__module__", None) != info.name:
            continue
        try:
            _getattrs(candidate, rest)
        except AttributeError:
            continue
        found.append(".".join([info.name, *rest]))
    return found


def _moved(symbol: str) -> list[str]:
    """Where a symbol went: the modules of the same package that now *define* it.

    ``tinygrad_ru.ops.nn_ops.Linear.backward`` after ``nn_ops.py`` was split: the longest
    importable prefix is ``tinygrad_ru.ops``; the vanished module name ``nn_ops`` is dropped (only
    lower-case leading names that are not the last, i.e. module names, are) and ``Linear.backward``
    is looked for in every module under ``tinygrad_ru.ops``."""
    parts = symbol.split(".")
    for i in range(len(parts) - 1, 0, -1):
        module = _import(".".join(parts[:i]))
        if module is None:
            continue
        package = module if hasattr(module, "__path__") else _import(module.__name__.rpartition(".")[0])
        rest = parts[i:]
        while True:
            found = _defined_in(package, rest)
            if found or len(rest) == 1 or not rest[0].islower() or hasattr(module, rest[0]):
                return found
            rest = rest[1:]
    return []


def find(symbol: str) -> tuple[str, Location]:
    """``(symbol, location)``; the symbol comes back changed when its definition moved modules.

    Raises LookupError with a message saying what to fix."""
    try:
        obj = resolve(symbol)
    except (ImportError, AttributeError) as e:
        moved = _moved(symbol)
        if len(moved) != 1:
            where = f"candidates {moved}" if moved else "no module of its package defines it"
            raise LookupError(f"`{symbol}` does not resolve ({type(e).__name__}: {e}); {where}") from None
        symbol, obj = moved[0], resolve(moved[0])
    loc = locate(obj)
    if loc is None:
        raise LookupError(f"`{symbol}` is not a function or class defined in this repository")
    return symbol, loc


def source_link(loc: Location, page: Path) -> str:
    """``[path:line](relative/path#Lline)`` as written on ``page``."""
    rel = Path(os.path.relpath(ROOT / loc.path, page.parent)).as_posix()
    return f"[{loc}]({rel}#L{loc.line})"


# ----------------------------------------------------------------------------- pages


def _blank(m: re.Match) -> str:
    """The matched text with every character but newlines replaced by spaces (offsets stay)."""
    return re.sub(r"[^\n]", " ", m.group(0))


def _masked(text: str) -> str:
    """The page with fenced code and inline code blanked out: formulas and links there do not count."""
    return _CODE_SPAN.sub(lambda m: m.group(0) if m.group(0).startswith("`tinygrad_ru.") else _blank(m),
                          _FENCE.sub(_blank, text))


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def formula_blocks(text: str) -> list[tuple[int, int, str]]:
    """``(first line, end offset, LaTeX start)`` of every display-formula block of a page."""
    masked = _masked(text)
    blocks: list[tuple[int, int, str]] = []
    last_end = None
    for m in _DISPLAY.finditer(masked):
        if last_end is not None and not masked[last_end:m.start()].strip():
            first, _, latex = blocks[-1]
            blocks[-1] = (first, m.end(), latex)  # formulas separated only by blank lines: one block
        else:
            blocks.append((_line_of(text, m.start()), m.end(), " ".join(m.group(1).split())[:50]))
        last_end = m.end()
    return blocks


def _next_line(text: str, offset: int) -> str:
    rest = text[offset:]
    after = rest.split("\n", 1)[1] if "\n" in rest else ""
    for line in after.splitlines():
        if line.strip():
            return line.strip()
    return ""


def page_problems(page: Path, text: str | None = None) -> list[str]:
    """Formula blocks without a link and links that no longer point at their symbol."""
    text = page.read_text(encoding="utf-8") if text is None else text
    problems = []
    for line, end, latex in formula_blocks(text):
        if not (_next_line(text, end).startswith(MARKER) and ITEM.search(_next_line(text, end))):
            problems.append(f"{page.name}:{line}: formula block `$${latex}…` is not followed by a "
                            f"'{MARKER} `symbol` — [path:line](…)' line")
    masked = _masked(text)
    for m in ITEM.finditer(masked):
        where = f"{page.name}:{_line_of(text, m.start())}"
        symbol = m.group("symbol")
        try:
            new_symbol, loc = find(symbol)
        except LookupError as e:
            problems.append(f"{where}: {e}")
            continue
        if new_symbol != symbol:
            problems.append(f"{where}: `{symbol}` moved to `{new_symbol}`")
        written = f"[{m.group('text')}]({m.group('href')})"
        if written != source_link(loc, page):
            problems.append(f"{where}: `{symbol}` links {written}, but it is defined at {loc}"
                            f"{_why_stale(m.group('text'))}")
    return problems


def _why_stale(text: str) -> str:
    """Say what is wrong at the written path:line (a missing file, a line that defines nothing)."""
    path, _, line = text.rpartition(":")
    if not (ROOT / path).is_file():
        return f" ({path} does not exist)"
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    if not line.isdigit() or not 1 <= int(line) <= len(lines):
        return f" ({path} has no line {line})"
    m = _DEF_LINE.match(lines[int(line) - 1])
    return f" ({text} defines {m.group(1)})" if m else f" ({text} is not a def/class line)"


def refresh(page: Path, text: str) -> tuple[str, int, list[str]]:
    """The page with every item's symbol and path:line made current; (text, changed, errors)."""
    masked, out, pos, changed, errors = _masked(text), [], 0, 0, []
    for m in ITEM.finditer(masked):
        try:
            symbol, loc = find(m.group("symbol"))
        except LookupError as e:
            errors.append(f"{page.name}:{_line_of(text, m.start())}: {e}")
            continue
        new = f"`{symbol}` — {source_link(loc, page)}"
        if new != text[m.start():m.end()]:
            changed += 1
        out += [text[pos:m.start()], new]
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), changed, errors


def pages() -> list[Path]:
    return [p for p in sorted(DOCS.glob("*.md")) if p.name != "api.md"]  # api.md: docs/scripts/gen_api.py


def _repository_on_path() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # this checkout's tinygrad_ru, not an installed one


def problems() -> list[str]:
    """Every problem on every page (the docs test asserts there are none)."""
    _repository_on_path()
    return [msg for page in pages() for msg in page_problems(page)]


def counts() -> dict[str, int]:
    """Number of code links per page."""
    return {p.name: len(ITEM.findall(_masked(p.read_text(encoding="utf-8")))) for p in pages()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report stale links and formula blocks without one")
    args = ap.parse_args(argv)
    _repository_on_path()
    if args.check:
        found = problems()
        print("\n".join(found) or f"code links up to date: {sum(counts().values())} on {len(pages())} pages")
        return 1 if found else 0
    errors, total = [], 0
    for page in pages():
        text = page.read_text(encoding="utf-8")
        new, changed, errs = refresh(page, text)
        errors += errs
        total += changed
        if new != text:
            page.write_text(new, encoding="utf-8")
            print(f"{page.name}: {changed} link(s) updated")
    remaining = problems()  # blocks without a link need a symbol written by hand
    print("\n".join(remaining) or f"{total} link(s) updated; all up to date")
    return 1 if remaining else 0


# ----------------------------------------------------------------------------- mkdocs hook


def _site_link(m: re.Match, repo_url: str) -> str:
    label = f"{m.group('path')}:{m.group('line')}"
    if repo_url:
        return f"[`{label}`]({repo_url.rstrip('/')}/blob/HEAD/{m.group('path')}#L{m.group('line')})"
    return f"`{label}`"


def on_page_markdown(markdown, page, config, files):  # noqa: ANN001, ANN201 - mkdocs hook API
    """Links into ../tinygrad_ru/ leave the site: show them as `path:line` (or link to repo_url)."""
    repo_url = config.get("repo_url") or ""
    kept: list[str] = []

    def keep(m: re.Match) -> str:
        kept.append(m.group(0))
        return f"CODELINKKEEP{len(kept) - 1}Z"

    text = _CODE_SPAN.sub(keep, _FENCE.sub(keep, markdown))
    text = SOURCE_LINK.sub(lambda m: _site_link(m, repo_url), text)
    return re.sub(r"CODELINKKEEP(\d+)Z", lambda m: kept[int(m.group(1))], text)


if __name__ == "__main__":
    raise SystemExit(main())
