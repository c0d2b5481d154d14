"""Generate docs/api.md: the public names of every tinygrad_ru module, from their docstrings.

    python docs/scripts/gen_api.py            # rewrite docs/api.md
    python docs/scripts/gen_api.py --check    # exit 1 if docs/api.md is out of date

A module's public names are its ``__all__`` (or, without one, the names not starting with ``_``
that are defined in it).  For each: where it is defined (``path:line`` of its ``def``/``class``
line, as a link into the source, the same form and the same locator as the formula links of
``code_links.py``), the signature (``inspect.signature``) and the docstring as written (it carries
the formulas), in a code block so that nothing is reinterpreted as Markdown.  Classes also list
their public methods, each with its ``path:line`` and the first line of its docstring.

After code moves, rerun the first command: the paths and lines come from the code.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
from code_links import locate, source_link  # noqa: E402 - the script's own folder, put on the path above

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "api.md"

MODULES = [
    ("tinygrad_ru", "Пакет верхнего уровня: Tensor, фабрики, операции, режимы градиента"),
    ("tinygrad_ru.autograd", "Движок: Function, backward, grad, gradcheck"),
    ("tinygrad_ru.backend", "NumPy/CuPy, устройства, dtype, генератор случайных чисел"),
    ("tinygrad_ru.nn", "Модули и слои"),
    ("tinygrad_ru.nn.functional", "Функциональная форма слоёв и функций потерь"),
    ("tinygrad_ru.nn.init", "Инициализация весов"),
    ("tinygrad_ru.nn.utils", "Вспомогательные функции nn"),
    ("tinygrad_ru.optim", "Оптимизаторы"),
    ("tinygrad_ru.optim.lr_scheduler", "Расписания шага обучения"),
    ("tinygrad_ru.data", "Датасеты, загрузчики, сэмплеры"),
    ("tinygrad_ru.data.transforms", "Преобразования и аугментации"),
    ("tinygrad_ru.data.datasets", "MNIST, Fashion-MNIST, CIFAR-10, MNIST-10k"),
    ("tinygrad_ru.train", "Цикл обучения, история, обратные вызовы"),
    ("tinygrad_ru.models", "Сети лекций"),
    ("tinygrad_ru.experiments", "Сравнение оптимизаторов (таблицы слайдов)"),
    ("tinygrad_ru.serialization", "Сохранение и загрузка"),
    ("tinygrad_ru.tune", "Подбор гиперпараметров на Optuna"),
    ("tinygrad_ru.torch_format", "Формат torch.save: чтение без исполнения кода и запись"),
    ("tinygrad_ru.cuda", "tg.cuda: is_available, device_count (как torch.cuda)"),
    ("tinygrad_ru.accelerator", "tg.accelerator: is_available, current_accelerator (как torch.accelerator)"),
    ("tinygrad_ru.viz", "Графы вычислений"),
    ("tinygrad_ru.viz.optimizers", "Лаборатория оптимизаторов"),
    ("tinygrad_ru.viz.testfunctions", "Тестовые функции лаборатории"),
    ("tinygrad_ru.viz.plots", "Графики обучения и расписаний"),
    ("tinygrad_ru.viz.landscape", "Ландшафт функции потерь"),
]


def _import(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _names(mod) -> list[str]:
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n, v in vars(mod).items() if not n.startswith("_")
                 and getattr(v, "__module__", None) == mod.__name__ and (inspect.isclass(v) or inspect.isfunction(v))]
    return sorted(set(names), key=lambda n: (n.lower(), n))


def public_names() -> list[tuple[str, str]]:
    """``(module, name)`` for every documented public name (the docs test checks api.md lists them)."""
    sys.path.insert(0, str(ROOT))
    out = []
    for mod_name, _ in MODULES:
        mod = _import(mod_name)
        if mod is None:
            continue
        for name in _names(mod):
            if inspect.ismodule(getattr(mod, name, None)):
                continue
            out.append((mod_name, name))
    return out


def _no_addresses(text: str) -> str:
    """``<function f at 0x7f…>`` → ``<function f>``: the page is the same on every run."""
    return re.sub(r" at 0x[0-9a-f]+", "", text)


def _signature(obj) -> str:
    try:
        return _no_addresses(str(inspect.signature(obj)))
    except (TypeError, ValueError):
        return ""


def _kind(obj) -> str:
    if inspect.isclass(obj):
        return "класс"
    if callable(obj):
        return "функция"
    return "значение"


def _where(obj) -> str:
    """`` · [path:line](../path#Lline)`` for an object defined in this repository, else ``""``."""
    loc = locate(obj)
    return f" · {source_link(loc, OUT)}" if loc else ""


def _entry(mod_name: str, name: str, obj) -> list[str]:
    lines = [f"### `{mod_name}.{name}`", ""]
    if inspect.isclass(obj) or callable(obj):
        sig = _signature(obj)
        lines += [f"*{_kind(obj)}*{_where(obj)}", "", "```text", f"{name}{sig}", "```", ""]
    else:
        value = _no_addresses(repr(obj)).replace("`", "'")
        value = value if len(value) <= 280 else value[:280] + " …"  # cut inside, so that the backticks pair
        lines += [f"*{_kind(obj)}*: `{value}`", ""]
        return lines
    doc = inspect.getdoc(obj)
    if doc:
        lines += ["```text", doc, "```", ""]
    if inspect.isclass(obj):
        methods = []
        for mname, member in sorted(vars(obj).items()):
            if mname.startswith("_") or not callable(member):
                continue
            mdoc = (inspect.getdoc(member) or "").split("\n")[0]
            head = f"- `{mname}{_signature(member)}`{_where(member)}"
            methods.append(f"{head} — {mdoc}" if mdoc else head)
        if methods:
            lines += ["Методы:", ""] + methods + [""]
    return lines


def render() -> str:
    sys.path.insert(0, str(ROOT))
    parts = [
        "# Справочник API",
        "",
        "Сгенерировано из docstring пакета скриптом `python docs/scripts/gen_api.py` — не правьте",
        "вручную. Описания на английском, как в коде; формулы в docstring записаны в Unicode или LaTeX.",
        "Для каждого модуля перечислены его публичные имена (`__all__`); рядом с каждым именем и методом —",
        "`путь:строка` его определения (строка `def`/`class`), так что до кода один шаг.",
        "",
        "## Модули",
        "",
    ]
    present = [(m, title) for m, title in MODULES if _import(m) is not None]
    for mod_name, title in present:
        anchor = mod_name.replace(".", "")
        parts.append(f"- [`{mod_name}`](#{anchor}) — {title}")
    parts.append("")
    for mod_name, title in present:
        mod = _import(mod_name)
        parts += [f"## {mod_name}", "", f"{title}.", ""]
        doc = inspect.getdoc(mod)
        if doc:
            parts += ["```text", doc, "```", ""]
        submodules = []
        for name in _names(mod):
            obj = getattr(mod, name, None)
            if obj is None:
                continue
            if inspect.ismodule(obj):
                submodules.append(name)
                continue
            parts += _entry(mod_name, name, obj)
        if submodules:
            parts += ["Подмодули: " + ", ".join(f"`{mod_name}.{s}`" for s in submodules), ""]
    return "\n".join(parts).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check that docs/api.md is up to date")
    args = ap.parse_args(argv)
    text = render()
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("docs/api.md is out of date: run python docs/scripts/gen_api.py")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
