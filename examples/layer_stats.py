"""Vanishing and exploding gradients, measured during real training (lecture 4).

    python examples/layer_stats.py                  # writes layer_stats.png (about a minute)
    python examples/layer_stats.py --quick          # 1000 digits, a few seconds

A deep MLP (``--depth`` hidden layers Linear(width, width) + activation) is trained for one
epoch on the bundled MNIST-10k sample with SGD + momentum, five times:

* sigmoid and tanh with Xavier's U[±√6/√(n_in+n_out)] (σ' ≤ 1/4 against tanh'(0) = 1);
* ReLU with naive weights, too small N(0, 0.05²) and too large N(0, 1), and with He's N(0, 2/n_in).

The callback :class:`tinygrad_ru.train.LayerStats` watches the output h_k of every activation
layer with module hooks (a forward hook for h_k, a full backward hook for ∂L/∂h_k) and the
picture shows, per layer, the std of h_k, the std of ∂L/∂h_k and the fraction of zeros in h_k
at the first and the last step of training.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
import tinygrad_ru.optim as optim
from tinygrad_ru.data import DataLoader, Subset, load_dataset
from tinygrad_ru.data import transforms as T
from tinygrad_ru.nn import init
from tinygrad_ru.train import LayerStats, evaluate, fit
from tinygrad_ru.viz import plot_layer_stats

# label -> (activation module class, weight initialisation)
CONFIGS: dict[str, tuple[type, Callable]] = {
    "sigmoid + Xavier": (nn.Sigmoid, init.xavier_uniform_),
    "tanh + Xavier": (nn.Tanh, init.xavier_uniform_),
    "ReLU + N(0, 0.05²)": (nn.ReLU, lambda w: init.normal_(w, 0.0, 0.05)),
    "ReLU + N(0, 1)": (nn.ReLU, lambda w: init.normal_(w, 0.0, 1.0)),
    "ReLU + He": (nn.ReLU, lambda w: init.kaiming_normal_(w, nonlinearity="relu")),
}


def deep_mlp(depth: int, width: int, act: type, weight_init: Callable) -> nn.Module:
    """784 → width → ... (``depth`` hidden layers) → 10; every Linear initialised by ``weight_init``, biases 0."""
    layers: list[nn.Module] = [nn.Flatten()]
    sizes = [784] + [width] * depth
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [nn.Linear(n_in, n_out), act()]
    layers += [nn.Linear(width, 10), nn.LogSoftmax(dim=1)]
    model = nn.Sequential(*layers)
    for m in model.modules():
        if isinstance(m, nn.Linear):
            weight_init(m.weight)
            init.zeros_(m.bias)
    return model


def run(label: str, act: type, weight_init: Callable, train_set, test_set, args) -> tuple[LayerStats, str]:
    tg.manual_seed(0)
    model = deep_mlp(args.depth, args.width, act, weight_init)
    stats = LayerStats(layers=act, every=args.every)
    loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    try:
        fit(model, nn.NLLLoss(), optim.SGD(model.parameters(), lr=args.lr, momentum=0.9), loader,
            epochs=args.epochs, callbacks=[stats], progress=False)
        acc = evaluate(model, nn.NLLLoss(), DataLoader(test_set, batch_size=1000))["acc"]
        result = f"тест: {acc:.0%}"
    except FloatingPointError as e:  # an exploding run: the statistics up to the last finite step stay
        step = str(e).split(" at step ")[1].split(" ")[0]
        result = f"NaN на шаге {step}"
    first, last = stats.profile("grad_std", 0), stats.profile("grad_std", -1)
    print(f"{label:20s} {result:16s} std dL/dh, first step: layer 1 {first[0]:.2e}, layer {len(first)} "
          f"{first[-1]:.2e};  last step: {last[0]:.2e}, {last[-1]:.2e}")
    return stats, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--depth", type=int, default=10, help="hidden layers (default 10)")
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--every", type=int, default=5, help="record every N-th step")
    parser.add_argument("--quick", action="store_true", help="1000 training digits: a few seconds")
    parser.add_argument("--out", default="layer_stats.png")
    args = parser.parse_args(argv)

    transform = T.Compose([T.ToTensor(), T.Normalize(0.1307, 0.3081)])
    train_set = load_dataset("mnist10k", train=True, transform=transform)
    test_set = load_dataset("mnist10k", train=False, transform=transform)
    if args.quick:
        train_set = Subset(train_set, range(1000))
    print(f"{args.depth} hidden layers of width {args.width}, SGD(lr={args.lr}, momentum=0.9), "
          f"{args.epochs} epoch(s) on {len(train_set)} digits of MNIST-10k")
    runs = {}
    for label, (act, weight_init) in CONFIGS.items():
        stats, result = run(label, act, weight_init, train_set, test_set, args)
        runs[f"{label} ({result})"] = stats
    plot_layer_stats(
        runs, path=args.out,
        titles={"act_std": "std активаций $h_k$", "grad_std": r"std градиентов $\partial L/\partial h_k$",
                "act_zeros": "доля нулей в $h_k$"},
        xlabel="номер скрытого слоя k (от входа к выходу)",
        when=[(0, "начало обучения (шаг 1)"), (-1, "конец эпохи")],
        suptitle=f"{args.depth} слоёв Linear({args.width}, {args.width}) + активация, MNIST-10k, SGD",
    )
    print(f"picture written to {args.out}")


if __name__ == "__main__":
    main()
