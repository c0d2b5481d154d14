"""``BackpropSteps``: the recorded backward as one self-contained HTML page, or as a GIF for slides."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
from typing import Any

from .._mpl import ensure_parent
from .states import _states
from .template import _PAGE, _SCRIPT
from .view import _View


class BackpropSteps:
    """The recorded backward of one graph as a step-by-step page (see :mod:`tinygrad_ru.viz.backprop`).

    ``html()`` the page's text, ``save(path)`` writes it, ``save_gif(path)`` an animation of the
    states (needs Graphviz's ``dot`` and Pillow); displays itself in Jupyter.
    ``states`` (of the first view) lists what each state shows — the numbers the page displays.
    """

    def __init__(self, views: list[_View], title: str) -> None:
        self.views, self.title = views, title
        self.view_states = [_states(v, v.rec) for v in views]
        for v, states in zip(views, self.view_states):
            v.reserve(states)
        self.svgs: list[str] | None = None

    @property
    def states(self) -> list[dict[str, Any]]:
        return self.view_states[0]

    @property
    def n_states(self) -> int:
        return len(self.view_states[0])

    def _svg(self, k: int) -> str:
        if self.svgs is None:
            self.svgs = [_svg_with_line_ids(v.dot(self.title).pipe(format="svg").decode("utf-8"), v)
                         for v in self.views]
        return self.svgs[k]

    def html(self) -> str:
        """The whole page: SVG, states and script inline; works offline from a file:// URL."""
        _require_dot()
        data = []
        for view, states in zip(self.views, self.view_states):
            data.append({"label": view.label, "expanded": view.expanded, "clickable": view.clickable,
                         "dynamic": sorted(view.dynamic_ids()), "states": states})
        svgs = "".join(f'<div class="view" id="view{k}" style="display:{"block" if k == 0 else "none"}">'
                       f"{self._svg(k)}</div>" for k in range(len(self.views)))
        payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
        hint = "← → (or the buttons) step through the states"
        if len(self.views) > 1:
            hint += " · click a module box to see it op by op; click an op of the frame to fold it back"
        return (_PAGE.replace("%TITLE%", html.escape(self.title)).replace("%HINT%", hint).replace("%SVGS%", svgs)
                .replace("%DATA%", payload).replace("%SCRIPT%", _SCRIPT))

    def save(self, path: Any) -> str:
        """Write the page to ``path`` (parent folders are created) and return the path."""
        path = ensure_parent(path)
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.html())
        return path

    def _repr_html_(self) -> str:
        page = self.html()
        return (f'<iframe srcdoc="{html.escape(page, quote=True)}" style="width:100%;height:640px;border:0" '
                f'title="{html.escape(self.title)}"></iframe>')

    def frames(self, view: int = 0, dpi: int = 96) -> list[Any]:
        """Every state of ``view`` as a Pillow image (Graphviz draws each state with the same layout)."""
        # imported on use: Pillow is an optional extra (for GIFs only), not a cycle
        from PIL import Image

        _require_dot()
        v = self.views[view]
        images = []
        for st in self.view_states[view]:
            g = v.dot(f"{self.title}\n{st['title']}\n{_plain(st['note'])}", state=st)
            g.attr(dpi=str(dpi))
            images.append(Image.open(io.BytesIO(g.pipe(format="png"))).convert("RGB"))
        return images

    def save_gif(self, path: Any, seconds_per_state: float = 1.6, view: int = 0, dpi: int = 96) -> str:
        """An animated GIF of the states (for slides); all frames padded to one size."""
        from PIL import Image  # an optional extra, as in frames()

        frames = self.frames(view, dpi)
        w = max(f.width for f in frames)
        h = max(f.height for f in frames)
        padded = []
        for f in frames:
            canvas = Image.new("RGB", (w, h), "white")
            canvas.paste(f, ((w - f.width) // 2, 0))
            padded.append(canvas.convert("P", palette=Image.ADAPTIVE, colors=128))
        path = ensure_parent(path)
        padded[0].save(path, save_all=True, append_images=padded[1:], duration=int(seconds_per_state * 1000),
                       loop=0, optimize=True)
        return path


def _plain(note: str) -> str:
    """A state's note as plain lines (for the GIF's caption)."""
    text = re.sub(r"<br\s*/?>", "\n", note)
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _require_dot() -> None:
    if shutil.which("dot") is None:
        raise RuntimeError("backprop_steps: the page is laid out by Graphviz's `dot` program, which is not "
                           "installed (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz)")


def _svg_with_line_ids(svg: str, view: _View) -> str:
    """Give every text line of a node (and every edge label) an id ``<node>__<k>``: Graphviz 2.x does not
    emit the ids of HTML-label cells, but it writes one <text> per cell, in order."""
    svg = svg[svg.index("<svg"):]
    out, pos = [], 0
    for m in re.finditer(r'<g id="([^"]+)" class="(node|edge|cluster)">(.*?)</g>', svg, flags=re.S):
        gid, parts = m.group(1), m.group(3).split("<text ")
        body = parts[0] + "".join(f'<text id="{gid}__{k}" ' + part for k, part in enumerate(parts[1:]))
        out.append(svg[pos:m.start(3)])
        out.append(body)
        pos = m.end(3)
    out.append(svg[pos:])
    return "".join(out)
