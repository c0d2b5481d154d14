"""The Russian docs (docs/*.md) stay true to the code.

- every ```python block that is not marked "# not run" runs (the blocks of one page run in order,
  in one namespace, in a subprocess with a time limit);
- every picture a page references exists, and all pictures together stay under 3 MB;
- every name written in backticks as `tinygrad_ru.module.Name` imports;
- every relative link to another page points to a file in docs/;
- every formula block ($$...$$) is followed by a "Реализация:" line linking the code that
  implements it, and every such link points at the def/class line of its symbol
  (refresh with python docs/scripts/code_links.py);
- docs/api.md lists every public name of the package, each with the current path:line of its
  definition (regenerate with docs/scripts/gen_api.py);
- with mkdocs installed, the site builds with --strict (no warnings).
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
NOT_RUN = "# not run"
PAGE_TIMEOUT_S = 120

_FENCE = re.compile(r"^```([\w+-]*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)[^)]*\)|<img[^>]*\ssrc=\"([^\"]+)\"")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s#]+\.md)(#[^)]*)?\)")
_NAME = re.compile(r"`(tinygrad_ru(?:\.[A-Za-z_]\w*)+)`")


def prose(page: Path) -> str:
    """The page without fenced blocks and inline code (where a ![..](..) is an example, not a picture)."""
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    return re.sub(r"(`+)(?:(?!\1).)+?\1", "", text, flags=re.S)


def python_blocks(page: Path) -> list[str]:
    text = page.read_text(encoding="utf-8")
    return [body for lang, body in _FENCE.findall(text) if lang == "python" and NOT_RUN not in body]


def test_pages_exist() -> None:
    expected = {"index", "autodiff", "backprop_mlp", "activations_init", "optimizers", "schedules",
                "regularization", "stopping", "optimizer_lab", "experiments", "api", "architecture"}
    assert expected <= {p.stem for p in PAGES}, f"missing pages: {expected - {p.stem for p in PAGES}}"


@pytest.mark.parametrize("page", [p for p in PAGES if python_blocks(p)], ids=lambda p: p.name)
def test_python_blocks_run(page: Path, tmp_path: Path) -> None:
    blocks = python_blocks(page)
    script = ["import matplotlib", "matplotlib.use('Agg')"] if _has("matplotlib") else []
    for i, body in enumerate(blocks):
        script.append(f"print('--- block {i + 1} of {len(blocks)} ---', flush=True)")
        script.append(body)
    code = "\n".join(script)
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    try:
        proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=PAGE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{page.name}: code blocks did not finish in {PAGE_TIMEOUT_S} s")
    if proc.returncode != 0:
        last = [ln for ln in proc.stdout.splitlines() if ln.startswith("--- block")]
        pytest.fail(f"{page.name}: {last[-1] if last else 'before the first block'} failed:\n"
                    f"{proc.stderr[-3000:]}")


def _has(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_images_exist(page: Path) -> None:
    text = prose(page)
    missing = []
    for m in _IMAGE.finditer(text):
        src = m.group(1) or m.group(2)
        if src.startswith(("http://", "https://")):
            continue
        if not (page.parent / src).is_file():
            missing.append(src)
    assert not missing, f"{page.name} references missing pictures {missing}; run python docs/scripts/make_all.py"


def test_images_total_size() -> None:
    total = sum(f.stat().st_size for f in (DOCS / "img").rglob("*") if f.is_file())
    assert total < 3_000_000, f"docs/img holds {total / 1e6:.2f} MB of pictures (limit 3 MB)"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_links_between_pages(page: Path) -> None:
    text = prose(page)
    broken = [m.group(1) for m in _LINK.finditer(text)
              if not m.group(1).startswith(("http://", "https://")) and not (page.parent / m.group(1)).is_file()]
    assert not broken, f"{page.name} links to missing pages {broken}"


def resolve(dotted: str) -> object:
    """Import the longest importable module prefix of ``dotted`` and getattr the rest."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)  # AttributeError names what is missing
        return obj
    raise ImportError(dotted)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_backticked_names_resolve(page: Path) -> None:
    sys.path.insert(0, str(ROOT))
    try:
        names = sorted(set(_NAME.findall(page.read_text(encoding="utf-8"))))
        bad = []
        for name in names:
            try:
                resolve(name)
            except (ImportError, AttributeError) as e:
                bad.append(f"{name} ({type(e).__name__}: {e})")
        assert not bad, f"{page.name} names things that do not exist: {bad}"
    finally:
        sys.path.remove(str(ROOT))


def _script(name: str):
    """A module of docs/scripts (gen_api, code_links), imported with the repository on the path."""
    for path in (str(DOCS / "scripts"), str(ROOT)):
        if path not in sys.path:
            sys.path.insert(0, path)
    return importlib.import_module(name)


def test_formula_blocks_link_to_current_code() -> None:
    """Each $$ block is one hop from its code, and no hop has rotted (path gone, line moved)."""
    problems = _script("code_links").problems()
    assert not problems, "\n".join(problems) + "\nrefresh with: python docs/scripts/code_links.py"


def test_important_hops_are_one_link_away() -> None:
    """The hops of issue 13: each formula page links the function that implements it."""
    code_links = _script("code_links")
    hops = {
        "optimizers.md": "tinygrad_ru.optim.Adam._update",
        "backprop_mlp.md": ".Conv2d.backward",
        "autodiff.md": ".topological_order",
        "regularization.md": "tinygrad_ru.nn.functional.batch_norm",
    }
    for page, symbol in hops.items():
        symbols = [m.group("symbol") for m in code_links.ITEM.finditer((DOCS / page).read_text(encoding="utf-8"))]
        assert any(s.endswith(symbol) for s in symbols), f"{page} does not link {symbol}"


def test_code_link_check_catches_rot() -> None:
    """The checker itself: a formula without a link, a wrong line and a vanished symbol are reported."""
    code_links = _script("code_links")
    page = DOCS / "probe.md"  # never written: the text is passed in
    _, loc = code_links.find("tinygrad_ru.optim.Adam._update")
    good = f"`tinygrad_ru.optim.Adam._update` — {code_links.source_link(loc, page)}"
    assert code_links.page_problems(page, f"$$a = b$$\n\nРеализация: {good}\n") == []
    stale = good.replace(f":{loc.line}]", f":{loc.line + 1}]").replace(f"#L{loc.line})", f"#L{loc.line + 1})")
    missing = "`tinygrad_ru.optim.NoSuchOptimizer.step` — [x.py:1](../x.py#L1)"
    found = code_links.page_problems(page, f"$$a = b$$\n\nтекст\n\n$$c$$\n\nРеализация: {stale}; {missing}\n")
    assert len(found) == 3, found
    assert "probe.md:1: formula block `$$a = b" in found[0]
    assert f"defined at {loc}" in found[1]
    assert "NoSuchOptimizer" in found[2] and "does not resolve" in found[2]


def test_api_reference_shows_current_source_paths() -> None:
    """api.md's path:line links are the ones gen_api.py would write now (not stale after code moves)."""
    gen_api = _script("gen_api")
    code_links = _script("code_links")
    links = [m.group(0) for m in code_links.SOURCE_LINK.finditer((DOCS / "api.md").read_text(encoding="utf-8"))]
    expected = [m.group(0) for m in code_links.SOURCE_LINK.finditer(gen_api.render())]
    assert len(links) > 500
    stale = [(a, b) for a, b in zip(links, expected) if a != b][:5]
    assert links == expected, f"docs/api.md has stale source links {stale}...; run python docs/scripts/gen_api.py"


def test_api_reference_lists_every_public_name() -> None:
    gen_api = _script("gen_api")
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    missing = [f"{mod}.{name}" for mod, name in gen_api.public_names() if f"`{mod}.{name}" not in text]
    assert not missing, f"docs/api.md lacks {missing[:10]}...; run python docs/scripts/gen_api.py"


def test_site_builds(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs")
    # no -q: mkdocs 1.6 counts --strict warnings only at the levels it logs, so -q hides them
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "WARNING" not in proc.stdout + proc.stderr, proc.stderr[-3000:]
    optimizers = (tmp_path / "site" / "optimizers" / "index.html").read_text(encoding="utf-8")
    assert "<code>tinygrad_ru/optim/adam.py:" in optimizers, "code links must reach the site as path:line"
    html = (tmp_path / "site" / "autodiff" / "index.html").read_text(encoding="utf-8")
    assert "\\frac{\\partial e}{\\partial b}" in html, "formulas must reach the page intact for MathJax"


def test_pages_have_no_control_characters() -> None:
    """A LaTeX formula written in a non-raw Python string loses its backslashes (\\b, \\t, \\r, \\a, \\f)."""
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        bad = sorted({repr(c) for c in text if c in "\r\t\x07\x08\x0b\x0c"})
        assert not bad, f"{page.name}: control characters {bad} (an escaped LaTeX backslash?)"


def test_readme_pictures_read_at_full_size() -> None:
    """README pictures are shown at their own size (no thumbnails squeezed by width=) and are big
    enough to read; the op-by-op MLP graph of the docs is not a thin 1926×297 strip."""
    pil = pytest.importorskip("PIL.Image")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert not re.search(r"<img[^>]*\swidth=", readme)
    pictures = [a or b for a, b in _IMAGE.findall(readme)]
    assert len(pictures) >= 4
    for rel in pictures:
        with pil.open(ROOT / rel) as im:
            assert im.width >= 500, (rel, im.size)
    with pil.open(DOCS / "img" / "mlp_graph.png") as im:
        assert im.width <= 1400 and im.width / im.height < 2.5, im.size
