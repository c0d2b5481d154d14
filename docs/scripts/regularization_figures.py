"""Pictures of docs/regularization.md.

    python docs/scripts/regularization_figures.py

1. docs/img/dropout_expectation.png — the mean of a unit's output over many dropout masks, in
   training and at test time, for the inverted (PyTorch) and the lecture's form: both match
   the test-time output in expectation;
2. docs/img/label_smoothing.png — the target distribution of cross_entropy(label_smoothing=ε)
   in PyTorch's form and the lecture's (ε/(K−1));
3. docs/img/augmentations.png — one MNIST-10k digit through each augmentation transform;
4. docs/img/weight_decay.png — coupled L2 vs decoupled weight decay: identical for SGD,
   different for Adam (distance between the two runs' weights).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import tinygrad_ru as tg  # noqa: E402
import tinygrad_ru.nn.functional as F  # noqa: E402
from tinygrad_ru import optim  # noqa: E402
from tinygrad_ru.data import MNIST10k  # noqa: E402
from tinygrad_ru.data import transforms as T  # noqa: E402

IMG = Path(__file__).resolve().parents[1] / "img"


def dropout_expectation() -> None:
    tg.manual_seed(0)
    p = 0.5
    x = tg.tensor(np.linspace(0.2, 2.0, 10), dtype=tg.float64)
    masks = 4000
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    idx = np.arange(10)
    for k, (form, color) in enumerate([("inverted", "C0"), ("lecture", "C1")]):
        train = np.mean([F.dropout(x, p, training=True, scaling=form).numpy() for _ in range(masks)], axis=0)
        test = F.dropout(x, p, training=False, scaling=form).numpy()
        ax.bar(idx + (k - 0.5) * 0.38, train, width=0.36, color=color, alpha=0.55,
               label=f"scaling='{form}': среднее в обучении ({masks} масок)")
        ax.plot(idx + (k - 0.5) * 0.38, test, "_", color=color, ms=14, mew=2.5,
                label=f"scaling='{form}': выход на тесте")
    ax.plot(idx, x.numpy(), "k.", label="x (вход)")
    ax.set_xlabel("номер нейрона")
    ax.set_ylabel("выход dropout, p = 0.5")
    ax.set_title("Dropout: в обоих вариантах тест совпадает с матожиданием обучения")
    ax.legend(fontsize=7.5, loc="upper left")
    ax.grid(alpha=0.3, axis="y")
    fig.tight_layout()
    fig.savefig(IMG / "dropout_expectation.png", dpi=80)
    plt.close(fig)


def smoothed_target(form: str, eps: float, k: int, true: int) -> np.ndarray:
    """Recover the target q from the gradient of the loss: ∂L/∂z = softmax(z) − q, at z = 0."""
    z = tg.zeros(1, k, dtype=tg.float64, requires_grad=True)
    F.cross_entropy(z, tg.tensor([true]), label_smoothing=eps, smoothing_form=form).backward()
    return 1.0 / k - z.grad.numpy()[0]


def label_smoothing() -> None:
    k, eps, true = 5, 0.1, 2
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    for j, form in enumerate(["pytorch", "lecture"]):
        q = smoothed_target(form, eps, k, true)
        bars = ax.bar(np.arange(k) + (j - 0.5) * 0.38, q, width=0.36, label=f"smoothing_form='{form}'")
        ax.bar_label(bars, labels=[f"{v:.3f}" for v in q], fontsize=7)
    ax.set_xticks(range(k))
    ax.set_xlabel(f"класс (верный — {true})")
    ax.set_ylabel("целевая вероятность q")
    ax.set_title(f"Label smoothing, K = {k}, ε = {eps}")
    ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(IMG / "label_smoothing.png", dpi=80)
    plt.close(fig)


def augmentations() -> None:
    tg.manual_seed(3)
    img, label = MNIST10k(train=True, transform=T.ToTensor())[0]
    img = np.asarray(img)
    shown = [
        ("исходная", T.Lambda(lambda x: x)),
        ("RandomHorizontalFlip(p=1)", T.RandomHorizontalFlip(p=1.0)),
        ("RandomCrop(28, padding=4)", T.RandomCrop(28, padding=4)),
        ("RandomRotation(25)", T.RandomRotation(25)),
        ("RandomZoom((0.7, 1.3))", T.RandomZoom((0.7, 1.3))),
        ("GaussianNoise(0.3)", T.GaussianNoise(0.3, clip=(0.0, 1.0))),
    ]
    fig, axes = plt.subplots(1, len(shown), figsize=(2.0 * len(shown), 2.4))
    for ax, (title, tf) in zip(axes, shown):
        out = np.asarray(tf(img))
        ax.imshow(out.reshape(28, 28), cmap="gray", vmin=0, vmax=1)
        ax.set_title(title, fontsize=7)
        ax.axis("off")
    fig.suptitle(f"Аугментации tinygrad_ru.data.transforms (цифра {label} из MNIST-10k)", fontsize=9)
    fig.tight_layout()
    fig.savefig(IMG / "augmentations.png", dpi=80)
    plt.close(fig)


def weight_decay() -> None:
    rng = np.random.default_rng(0)
    X = tg.tensor(rng.standard_normal((200, 10)) * np.geomspace(0.1, 10, 10), dtype=tg.float64)
    y = tg.tensor(rng.standard_normal(200), dtype=tg.float64)
    lam = 0.1

    def run(make_opt, penalty_in_loss: bool, steps: int = 200) -> list[np.ndarray]:
        w = tg.zeros(10, dtype=tg.float64, requires_grad=True)
        opt = make_opt([w])
        out = []
        for _ in range(steps):
            opt.zero_grad()
            loss = ((X @ w - y) ** 2).mean()
            if penalty_in_loss:
                loss = loss + lam * F.l2_penalty([w])  # the lecture's λ/2·Σθ², gradient λθ
            loss.backward()
            opt.step()
            out.append(w.detach().numpy().copy())
        return out

    pairs = {
        # SGD's weight_decay shrinks θ ← θ − ηλθ: the same as the L2 term's gradient
        "SGD: L2 в потере vs SGD(weight_decay=λ)": (lambda ps: optim.SGD(ps, lr=0.005),
                                                    lambda ps: optim.SGD(ps, lr=0.005, weight_decay=lam)),
        "Adam: L2 в потере vs AdamW(weight_decay=λ)": (lambda ps: optim.Adam(ps, lr=0.05),
                                                       lambda ps: optim.AdamW(ps, lr=0.05, weight_decay=lam)),
    }
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, (coupled_opt, decay_opt) in pairs.items():
        coupled, decoupled = run(coupled_opt, True), run(decay_opt, False)
        diff = [np.linalg.norm(a - b) for a, b in zip(coupled, decoupled)]
        ax.semilogy(np.maximum(diff, 1e-18), label=name)
    ax.set_xlabel("шаг")
    ax.set_ylabel("‖θ(L2 в функции потерь) − θ(weight decay)‖")
    ax.set_title(f"L2-штраф λ/2·Σθ² против раздельного weight decay, λ = {lam}")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    fig.savefig(IMG / "weight_decay.png", dpi=80)
    plt.close(fig)


def main() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    dropout_expectation()
    label_smoothing()
    augmentations()
    weight_decay()


if __name__ == "__main__":
    main()
