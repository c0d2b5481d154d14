"""The step-by-step backprop page: its states come from the engine's own backward, and it works in a real
browser (headless Chromium from a file:// URL; skipped, saying why, only where no browser can be started)."""

import os
import re
import shutil
import tempfile

import numpy as np
import pytest

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
import tinygrad_ru.nn.functional as F
from tinygrad_ru.viz import backprop_steps, trace_modules
from tinygrad_ru.viz.backprop import fmt_number, fmt_tensor, lecture_example

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def _lecture():
    a = tg.Tensor(2.0, requires_grad=True, name="a")
    b = tg.Tensor(1.0, requires_grad=True, name="b")
    c = a + b
    c.name = "c"
    d = b + 1
    d.name = "d"
    e = c * d
    e.name = "e"
    return a, b, c, d, e


def _engine_truth():
    """The engine's own numbers for the lecture graph, read without the page: .grad and retain_grad."""
    a, b, c, d, e = _lecture()
    c.retain_grad()
    d.retain_grad()
    order = []
    for fn in (e.grad_fn, c.grad_fn, d.grad_fn):
        fn.register_hook(lambda gi, go, fn=fn: order.append(fn.name + ("(c)" if fn is c.grad_fn else
                                                                         "(d)" if fn is d.grad_fn else "")))
    e.backward()
    return {"a": a.grad.item(), "b": b.grad.item(), "c": c.grad.item(), "d": d.grad.item(), "order": order}


def test_fmt_number_three_significant_digits():
    assert fmt_number(5.0) == "5" and fmt_number(0.25) == "0.25" and fmt_number(734.867) == "735"
    assert fmt_number(-1.23456e-5) == "-1.23e-05" and fmt_number(float("nan")) == "nan"
    assert fmt_tensor(np.array([1.0, 2.5])) == "[1, 2.5]"
    assert fmt_tensor(np.arange(10.0)) == "4.5 ± 2.87"


def test_lecture_states_follow_the_engine():
    truth = _engine_truth()
    a, b, c, d, e = _lecture()
    page = backprop_steps(e)
    assert a.grad.item() == truth["a"] and b.grad.item() == truth["b"]  # it ran the real backward
    titles = [s["title"] for s in page.states]
    assert titles[0] == "The graph" and titles[-1] == "Done"
    forward = [t for t in titles if t.startswith("Forward")]
    backward = [t for t in titles if t.startswith("Backward ") and "seed" not in t]
    assert len(forward) == 3 and len(backward) == 3
    # the backward steps in the engine's order, each with the engine's numbers
    notes = [s["note"] for s in page.states if s["title"] in backward]
    names = [re.search(r"· (\w+)</b>\(([^)]*)\)", n).groups() for n in notes]
    got = [fn + ("(c)" if args == "a, b" else "(d)" if args == "b, 1" else "") for fn, args in names]
    assert got == truth["order"]
    c_step = notes[truth["order"].index("Add(c)")]
    d_step = notes[truth["order"].index("Add(d)")]
    assert f"incoming ∂e/∂c = {fmt_number(truth['c'])}" in c_step
    assert f"incoming ∂e/∂d = {fmt_number(truth['d'])}" in d_step
    later = d_step if truth["order"].index("Add(d)") > truth["order"].index("Add(c)") else c_step
    assert "accumulate: ∂e/∂b = 2·1 + 3·1 = 5" in later.replace("3·1 + 2·1", "2·1 + 3·1")
    # the texts each state writes into the picture
    final = page.states[-1]["text"]
    assert sorted(v for v in final.values() if v.startswith("grad")) == sorted(
        f"grad = {fmt_number(v)}" for v in (truth["a"], truth["b"], truth["c"], truth["d"], 1.0))
    assert any(v.endswith("(so far)") for s in page.states for v in s["text"].values())  # b after its first use


def _backward_titles(page):
    return [s["title"].split(": ", 1)[1] for s in page.states
            if s["title"].startswith("Backward ") and "seed" not in s["title"]]


def test_backward_steps_are_the_engines_topological_order():
    from tinygrad_ru.autograd.engine import topological_order

    a, b, c, d, e = _lecture()
    order = [fn.name for fn in topological_order(e)]  # asked before the backward frees the graph
    assert _backward_titles(backprop_steps(e)) == order
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    with trace_modules(model) as trace:
        loss = F.cross_entropy(model(tg.randn(5, 4)), tg.Tensor([0, 1, 1, 0, 1]))
    order = [fn.name for fn in topological_order(loss)]
    assert _backward_titles(backprop_steps(loss, model=trace)) == order


def test_backprop_steps_refuses_what_it_cannot_show():
    a, b, c, d, e = _lecture()
    with pytest.raises(ValueError, match="scalar"):
        backprop_steps(tg.stack([c, d]))
    with pytest.raises(ValueError, match="does not require grad"):
        backprop_steps(tg.Tensor(1.0) * 2)
    with pytest.raises(TypeError, match="Tensor"):
        backprop_steps(3.0)
    e.backward()  # the graph's saved values are gone: the steps cannot be recorded any more
    with pytest.raises(RuntimeError, match="instead of loss.backward"):
        backprop_steps(e)


@needs_dot
def test_page_is_self_contained_and_shows_in_jupyter(tmp_path):
    page = backprop_steps(lecture_example())
    text = page.html()
    assert "<script src" not in text and "<link" not in text and "@import" not in text
    assert not re.search(r"""(src|href)=["']?https?:""", text)
    assert text.count("<svg") == 1
    path = page.save(tmp_path / "sub" / "page.html")
    assert os.path.getsize(path) > 5000
    frame = page._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and "&lt;svg" in frame


@needs_dot
def test_gif_has_one_frame_per_state(tmp_path):
    pytest.importorskip("PIL")
    from PIL import Image

    page = backprop_steps(lecture_example())
    path = page.save_gif(tmp_path / "steps.gif")
    with Image.open(path) as im:
        assert im.n_frames == page.n_states


def _mlp_page():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    x, y = tg.randn(5, 4), tg.Tensor([0, 1, 1, 0, 1])
    with trace_modules(model) as trace:
        out = model(x)
    loss = F.cross_entropy(out, y)
    return model, backprop_steps(loss, model=trace, names={"x": x, "loss": loss})


@needs_dot
def test_mlp_page_one_box_per_module_and_a_view_per_expansion():
    model, page = _mlp_page()
    assert len(page.views) == 1 + 3  # collapsed, and each of the three modules op by op
    boxes = [n for n in page.views[0].nodes if n.startswith("m_")]
    assert len(boxes) == 3
    final = page.states[-1]["text"]
    assert f"∂loss/∂bias = {fmt_tensor(model[0].bias.grad)}" in final.values()
    assert f"∂loss/∂weight = {fmt_tensor(model[2].weight.grad)}" in final.values()


# ----------------------------------------------------------------------------- in a real browser
_CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--window-size=1300,900"]


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver_path = shutil.which("chromedriver")
    if chromium is None or driver_path is None:
        pytest.skip("no headless browser: install Debian's chromium and chromium-driver (.ci/run does)")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = chromium
    for flag in _CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix="tg-chromium-")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(service=Service(driver_path), options=options)
    except Exception as e:  # noqa: BLE001 - any start failure means: no usable browser here
        shutil.rmtree(profile, ignore_errors=True)
        pytest.skip(f"headless Chromium could not be started: {type(e).__name__}: {str(e).splitlines()[0]}")
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


_VISIBLE_TEXTS = """
const out = {};
document.querySelectorAll('#view' + arguments[0] + ' g.node').forEach(function (g) {
  const texts = Array.from(g.querySelectorAll('text'))
    .filter(function (t) { return getComputedStyle(t).visibility !== 'hidden'; })
    .map(function (t) { return t.textContent.trim(); });
  out[g.id] = texts;
});
return out;
"""


def _by_name(nodes):
    return {texts[0]: texts for texts in nodes.values() if texts}


def _errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


@needs_dot
def test_lecture_page_in_chromium(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    truth = _engine_truth()
    page = backprop_steps(lecture_example(), title="e = (a + b)·(b + 1)")
    path = page.save(tmp_path / "lecture.html")
    browser.get("file://" + os.path.abspath(path))
    body = browser.find_element(By.TAG_NAME, "body")
    shots = os.environ.get("TG_BACKPROP_SCREENSHOTS")
    seen_acc = False
    for i, state in enumerate(page.states):
        if i:
            body.send_keys(Keys.ARROW_RIGHT)  # step with the keyboard, as a student does
        assert body.get_attribute("data-state") == str(i)
        assert browser.find_element(By.ID, "counter").text == f"{i + 1} / {page.n_states}"
        assert browser.find_element(By.ID, "title").text == state["title"]
        nodes = _by_name(browser.execute_script(_VISIBLE_TEXTS, 0))
        # every line the state shows is visible with the state's text; nothing else is
        shown = set(state["show"])
        for lid in page.views[0].dynamic_ids():
            el = browser.find_element(By.ID, lid)
            visible = browser.execute_script("return getComputedStyle(arguments[0]).visibility", el) != "hidden"
            assert visible == (lid in shown), (i, lid)
            if visible:
                assert el.get_attribute("textContent") == state["text"][lid]
        if state["title"] == "Done":
            assert "grad = " + fmt_number(truth["a"]) in nodes["a"]
            assert "grad = " + fmt_number(truth["b"]) in nodes["b"]
            assert "grad = " + fmt_number(truth["c"]) in nodes["c"]
            assert "grad = " + fmt_number(truth["d"]) in nodes["d"]
        if "accumulate" in state["note"]:
            seen_acc = True
            assert "grad = " + fmt_number(truth["b"]) in nodes["b"]
            assert browser.find_elements(By.CSS_SELECTOR, "text.acc")
            assert "2·1 + 3·1 = 5" in browser.find_element(By.ID, "note").text
        if state["title"].startswith("Forward 1"):
            assert any(t.startswith("value = ") for t in nodes.get("c", []) + nodes.get("d", []))
        if shots and i in (3, 6, 7):
            browser.save_screenshot(os.path.join(shots, f"backprop_steps_state{i}.png"))
    assert seen_acc
    # the buttons go back and forth too
    browser.find_element(By.ID, "first").click()
    assert body.get_attribute("data-state") == "0"
    browser.find_element(By.ID, "next").click()
    browser.find_element(By.ID, "next").click()
    browser.find_element(By.ID, "prev").click()
    assert body.get_attribute("data-state") == "1"
    assert _errors(browser) == []


@needs_dot
def test_mlp_page_in_chromium_expands_a_module(browser, tmp_path):
    from selenium.webdriver.common.by import By

    model, page = _mlp_page()
    path = page.save(tmp_path / "mlp.html")
    browser.get("file://" + os.path.abspath(path))
    body = browser.find_element(By.TAG_NAME, "body")
    browser.find_element(By.ID, "last").click()
    assert body.get_attribute("data-state") == str(page.n_states - 1)
    texts = [t for ts in browser.execute_script(_VISIBLE_TEXTS, 0).values() for t in ts]
    assert f"∂loss/∂bias = {fmt_tensor(model[0].bias.grad)}" in texts
    # a click on the first Linear's box shows it op by op, at the same point of the walk
    box = next(k for k, u in page.views[0].clickable.items() if u == "0")
    browser.find_element(By.ID, box).click()
    view = int(body.get_attribute("data-view"))
    assert view != 0 and page.views[view].expanded == "0"
    assert browser.find_element(By.ID, f"view{view}").is_displayed()
    assert body.get_attribute("data-state") == str(len(page.view_states[view]) - 1)
    texts = [t for ts in browser.execute_script(_VISIBLE_TEXTS, view).values() for t in ts]
    assert "Linear" in texts and f"grad = {fmt_tensor(model[0].bias.grad)}" in texts
    for i in range(len(page.view_states[view])):  # every state of the expanded view applies cleanly
        browser.execute_script("window.backprop.go(arguments[0])", i)
        assert body.get_attribute("data-state") == str(i)
    assert _errors(browser) == []
