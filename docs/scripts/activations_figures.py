"""Pictures of docs/activations_init.md.

    python docs/scripts/activations_figures.py

1. docs/img/activations.png — sigmoid, tanh and the ReLU family with their derivatives, the
   derivatives computed by tinygrad_ru's own backward pass (not by hand);
2. docs/img/init_variance.png — the lecture's argument measured: the variance of the
   activations through a 20-layer ReLU net (width 256) for several initialisations;
   the numbers are also written to docs/img/init_variance.txt;
3. docs/img/layer_stats.png — per-layer activation/gradient statistics recorded by hooks during
   one epoch of real training (examples/layer_stats.py: sigmoid/tanh/ReLU, naive vs Xavier/He).
"""

from __future__ import annotations

import runpy
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import tinygrad_ru as tg  # noqa: E402
import tinygrad_ru.nn as nn  # noqa: E402
import tinygrad_ru.nn.functional as F  # noqa: E402
from tinygrad_ru.nn import init  # noqa: E402

IMG = Path(__file__).resolve().parents[1] / "img"
DEPTH, WIDTH, BATCH = 20, 256, 1000


def activation_curves() -> None:
    xs = np.linspace(-4, 4, 401)
    funcs = {
        "sigmoid": tg.sigmoid,
        "tanh": tg.tanh,
        "ReLU": tg.relu,
        "LeakyReLU(0.1)": lambda t: F.leaky_relu(t, 0.1),
        "ELU": tg.elu,
        "GELU": tg.gelu,
        "SiLU (Swish)": tg.silu,
    }
    fig, (ax_f, ax_d) = plt.subplots(1, 2, figsize=(11, 4.2))
    for name, fn in funcs.items():
        x = tg.tensor(xs, dtype=tg.float64, requires_grad=True)
        y = fn(x)
        y.sum().backward()  # d(Σ f(x_i))/dx_i = f'(x_i): the derivative from autograd
        ax_f.plot(xs, y.detach().numpy(), label=name)
        ax_d.plot(xs, x.grad.numpy(), label=name)
    ax_f.set_title("f(x)")
    ax_d.set_title("f'(x) — из backward()")
    ax_d.axhline(0.25, color="grey", lw=0.8, ls=":")
    ax_d.annotate("max σ' = 0.25", (-4, 0.27), fontsize=9, color="grey")
    for ax in (ax_f, ax_d):
        ax.grid(alpha=0.3)
        ax.set_xlabel("x")
    ax_f.set_ylim(-1.5, 4)
    ax_f.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(IMG / "activations.png", dpi=80)
    plt.close(fig)


SCHEMES = {
    "He: N(0, 2/n_in)": lambda w: init.kaiming_normal_(w, nonlinearity="relu"),
    "Xavier: U[±√6/√(n_in+n_out)]": init.xavier_uniform_,
    "PyTorch по умолчанию: U[±1/√n_in]": None,
    "N(0, 1)": lambda w: init.normal_(w, 0.0, 1.0),
    "N(0, 0.01²)": lambda w: init.normal_(w, 0.0, 0.01),
}


def activation_variances(scheme, seed: int = 0) -> list[float]:
    """Var of the activations after each of DEPTH Linear+ReLU layers (forward only)."""
    tg.manual_seed(seed)
    x = tg.randn(BATCH, WIDTH)
    out = [float(x.var().item())]
    with tg.no_grad():
        for _ in range(DEPTH):
            layer = nn.Linear(WIDTH, WIDTH)
            if scheme is not None:
                scheme(layer.weight)
                init.zeros_(layer.bias)
            x = tg.relu(layer(x))
            out.append(float(x.var().item()))
    return out


def init_experiment() -> None:
    rows = {name: activation_variances(fn) for name, fn in SCHEMES.items()}
    fig, ax = plt.subplots(figsize=(8, 4.6))
    for name, v in rows.items():
        ax.semilogy(range(DEPTH + 1), np.maximum(v, 1e-300), marker="o", ms=3, label=name)
    ax.set_xlabel("номер слоя (0 — вход)")
    ax.set_ylabel("Var активаций (лог. шкала)")
    ax.set_title(f"{DEPTH} слоёв Linear({WIDTH}, {WIDTH}) + ReLU, вход N(0, 1), пакет {BATCH}")
    ax.set_ylim(1e-30, 1e30)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(IMG / "init_variance.png", dpi=80)
    plt.close(fig)
    lines = ["scheme | Var after layer 1 | layer 10 | layer 20"]
    for name, v in rows.items():
        lines.append(f"{name} | {v[1]:.3g} | {v[10]:.3g} | {v[20]:.3g}")
    (IMG / "init_variance.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def layer_stats_experiment() -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "layer_stats.py"
    runpy.run_path(str(example), run_name="layer_stats")["main"](["--out", str(IMG / "layer_stats.png")])


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    activation_curves()
    init_experiment()
    layer_stats_experiment()


if __name__ == "__main__":
    main()
