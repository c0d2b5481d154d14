"""mkdocs hook: keep $...$ and $$...$$ away from Markdown, hand them to MathJax intact.

Python-Markdown would eat backslashes (``\\{``, ``\\|``) and turn ``m_t ... x_{t}`` into
emphasis.  Before rendering, every formula outside code is replaced by a plain token; after
rendering the token becomes ``\\(...\\)`` (inline) or ``\\[...\\]`` (display), HTML-escaped.
Needs nothing but mkdocs itself (``hooks:`` in mkdocs.yml, mkdocs >= 1.4).
"""

from __future__ import annotations

import html
import re

_FENCE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n.*?^[ \t]*\1[ \t]*$", re.S | re.M)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_DISPLAY = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$\w])\$(?![\s$])([^$\n]+?)(?<![\s\\])\$(?![\w$])")
_TOKEN = "MATHJAXTOKEN{}Z"
_TOKEN_RE = re.compile(r"MATHJAXTOKEN(\d+)Z")


def _protect_text(text: str, store: list[str]) -> str:
    def display(m: re.Match) -> str:
        store.append("\\[" + m.group(1).strip() + "\\]")
        return _TOKEN.format(len(store) - 1)

    def inline(m: re.Match) -> str:
        store.append("\\(" + m.group(1) + "\\)")
        return _TOKEN.format(len(store) - 1)

    out, pos = [], 0
    for m in _CODE_SPAN.finditer(text):  # formulas never inside `code`
        chunk = _DISPLAY.sub(display, text[pos:m.start()])
        out.append(_INLINE.sub(inline, chunk))
        out.append(m.group(0))
        pos = m.end()
    chunk = _DISPLAY.sub(display, text[pos:])
    out.append(_INLINE.sub(inline, chunk))
    return "".join(out)


def protect(markdown: str, store: list[str]) -> str:
    """Replace formulas outside fenced code by tokens (their LaTeX goes to ``store``)."""
    out, pos = [], 0
    for m in _FENCE.finditer(markdown):
        out.append(_protect_text(markdown[pos:m.start()], store))
        out.append(m.group(0))
        pos = m.end()
    out.append(_protect_text(markdown[pos:], store))
    return "".join(out)


def restore(html_text: str, store: list[str]) -> str:
    return _TOKEN_RE.sub(lambda m: html.escape(store[int(m.group(1))], quote=False), html_text)


def on_page_markdown(markdown, page, config, files):  # noqa: ANN001, ANN201 - mkdocs hook API
    store: list[str] = []
    page._math_store = store
    return protect(markdown, store)


def _restore_toc(items, store: list[str]) -> None:
    for item in items:  # headings with formulas: the table of contents was built from the tokens
        item.title = restore(item.title, store)
        _restore_toc(item.children, store)


def on_page_content(html_text, page, config, files):  # noqa: ANN001, ANN201 - mkdocs hook API
    store = getattr(page, "_math_store", [])
    _restore_toc(getattr(page, "toc", []) or [], store)
    return restore(html_text, store)
