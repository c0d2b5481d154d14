"""Pictures of docs/optimizers.md, made with the real optimizer classes.

    python docs/scripts/optimizers_figures.py

1. docs/img/optim_convergence.png — f(θ_k) − f* on an ill-conditioned quadratic
   f(θ) = ½ θᵀAθ − bᵀθ in 20 dimensions (condition number 100), full-batch gradients;
2. docs/img/optim_eps_placement.png — the size of the first Adam step |θ₁ − θ₀| against the
   gradient size |g|, with ε outside the root (PyTorch) and inside it (lecture 03 / the article);
3. docs/img/optim_momentum_forms.png — SGD momentum in PyTorch's form and in the lecture's form
   (η inside the velocity) under a step schedule that cuts η tenfold: identical until the cut.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import tinygrad_ru as tg  # noqa: E402
from tinygrad_ru import optim  # noqa: E402
from tinygrad_ru.optim import lr_scheduler  # noqa: E402

IMG = Path(__file__).resolve().parents[1] / "img"
DIM, COND, STEPS = 20, 100.0, 150


def quadratic(seed: int = 0) -> tuple[np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((DIM, DIM)))
    eig = np.geomspace(1.0, COND, DIM)
    a = (q * eig) @ q.T
    b = rng.standard_normal(DIM)
    theta_star = np.linalg.solve(a, b)
    return a, b, float(-0.5 * b @ theta_star)


def run(make_opt, a: np.ndarray, b: np.ndarray, f_star: float, steps: int = STEPS, closure_needed=False):
    theta = tg.zeros(DIM, dtype=tg.float64, requires_grad=True)
    A, B = tg.tensor(a, dtype=tg.float64), tg.tensor(b, dtype=tg.float64)
    opt = make_opt([theta])

    def f():
        return 0.5 * (theta @ (A @ theta)) - B @ theta

    def closure():
        opt.zero_grad()
        loss = f()
        loss.backward()
        return loss

    gaps = []
    for _ in range(steps):
        with tg.no_grad():
            gaps.append(f().item() - f_star)
        if isinstance(opt, optim.NewtonCG):
            opt.step(f)
        elif closure_needed or isinstance(opt, (optim.LBFGS, optim.AcceleratedGD)):
            opt.step(closure)
        else:
            closure()
            opt.step()
    return np.maximum(np.array(gaps), 1e-16)


def convergence() -> None:
    a, b, f_star = quadratic()
    lr = 1.0 / COND  # 1/L
    methods = {
        "GD (η = 1/L)": (lambda p: optim.GD(p, lr=lr), False),
        "SGD + momentum 0.9": (lambda p: optim.SGD(p, lr=lr, momentum=0.9), False),
        "SGD + Nesterov 0.9": (lambda p: optim.SGD(p, lr=lr, momentum=0.9, nesterov=True), False),
        "AcceleratedGD, (k−1)/(k+2)": (lambda p: optim.AcceleratedGD(p, lr=lr), True),
        "Adam (η = 0.05)": (lambda p: optim.Adam(p, lr=0.05), False),
        "RMSprop (η = 0.01)": (lambda p: optim.RMSprop(p, lr=0.01), False),
        "Adagrad (η = 0.5)": (lambda p: optim.Adagrad(p, lr=0.5), False),
        "L-BFGS (1 итерация на шаг)": (lambda p: optim.LBFGS(p, lr=1.0, max_iter=1), True),
        "NewtonCG": (lambda p: optim.NewtonCG(p, cg_max_iter=DIM), False),
    }
    fig, ax = plt.subplots(figsize=(8.5, 5))
    for name, (make, needs_closure) in methods.items():
        gaps = run(make, a, b, f_star, closure_needed=needs_closure)
        style = "--" if "GD" in name and "SGD" not in name else "-"
        ax.semilogy(gaps, style, label=name, lw=1.5)
    ax.set_xlabel("итерация k")
    ax.set_ylabel("f(θ_k) − f*")
    ax.set_title(f"Квадратичная функция, размерность {DIM}, число обусловленности {COND:g}")
    ax.set_ylim(1e-12, None)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(IMG / "optim_convergence.png", dpi=80)
    plt.close(fig)


def eps_placement() -> None:
    gs = np.geomspace(1e-7, 1e-1, 61)
    lr = 1e-3
    fig, ax = plt.subplots(figsize=(7, 4.3))
    for inside, label in [(False, "ε снаружи корня (PyTorch, лекция 4)"), (True, "ε под корнем (лекция 03, статья)")]:
        steps = []
        for g in gs:
            p = tg.zeros(1, dtype=tg.float64, requires_grad=True)
            opt = optim.Adam([p], lr=lr, eps=1e-8, eps_inside_sqrt=inside)
            p.grad = tg.tensor([g], dtype=tg.float64)
            opt.step()
            steps.append(abs(p.detach().numpy()[0]))
        ax.loglog(gs, np.array(steps) / lr, label=label)
    ax.axvline(1e-4, color="grey", ls=":", lw=1)
    ax.annotate("|g| = √ε = 1e-4", (1.2e-4, 2e-3), fontsize=9, color="grey")
    ax.set_xlabel("|g| на первом шаге")
    ax.set_ylabel("|θ₁ − θ₀| / η")
    ax.set_title("Первый шаг Adam, ε = 1e-8")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=9)
    fig.tight_layout()
    fig.savefig(IMG / "optim_eps_placement.png", dpi=80)
    plt.close(fig)


def momentum_forms() -> None:
    a, b, _ = quadratic(1)
    traces = {}
    for lecture in (False, True):
        theta = tg.zeros(DIM, dtype=tg.float64, requires_grad=True)
        A, B = tg.tensor(a, dtype=tg.float64), tg.tensor(b, dtype=tg.float64)
        opt = optim.SGD([theta], lr=0.01, momentum=0.9, lecture_form=lecture)
        sched = lr_scheduler.StepLR(opt, step_size=40, gamma=0.1)
        xs = []
        for _ in range(100):
            opt.zero_grad()
            (0.5 * (theta @ (A @ theta)) - B @ theta).backward()
            opt.step()
            sched.step()
            xs.append(theta.detach().numpy().copy())
        traces[lecture] = np.array(xs)
    diff = np.linalg.norm(traces[True] - traces[False], axis=1)
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.semilogy(np.arange(1, 101), np.maximum(diff, 1e-18))
    ax.axvline(40, color="grey", ls=":", lw=1)
    ax.annotate("η: 0.01 → 0.001", (42, 1e-3), fontsize=9)
    ax.set_xlabel("шаг")
    ax.set_ylabel("‖θ(лекция) − θ(PyTorch)‖")
    ax.set_title("SGD(momentum=0.9): lecture_form=True против формы PyTorch, StepLR")
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(IMG / "optim_momentum_forms.png", dpi=80)
    plt.close(fig)


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    convergence()
    eps_placement()
    momentum_forms()


if __name__ == "__main__":
    main()
