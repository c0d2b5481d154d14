"""``tinygrad-ru`` — the command line: ``train`` a lecture net; ``compare`` optimizers.

    tinygrad-ru train                                   # the lecture MLP on MNIST (or the bundled sample)
    tinygrad-ru train --model lenet --epochs 10
    tinygrad-ru train --model cifar-cnn --dataset cifar10 --optimizer momentum --lr 0.01
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

# name → (optimizer class, fixed options): the lectures' methods by the names students use
OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    "gd": ("GD", {}), "sgd": ("SGD", {}), "momentum": ("SGD", {"momentum": 0.9}),
    "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}), "adagrad": ("Adagrad", {}),
    "rmsprop": ("RMSprop", {}), "adadelta": ("Adadelta", {}), "adam": ("Adam", {}), "adamw": ("AdamW", {}),
    "adamax": ("Adamax", {}), "nadam": ("NAdam", {}), "radam": ("RAdam", {}), "lion": ("Lion", {}),
    "signsgd": ("SignSGD", {}), "signum": ("SignSGD", {"momentum": 0.9}), "sgdbb": ("SGDBB", {}),
    "lbfgs": ("LBFGS", {}),
}


def make_optimizer(name: str, params: Any, lr: float | None = None, **extra: Any) -> Any:
    """An optimizer by its CLI name (``adam``, ``momentum``, ``sgdbb`` …); ``lr=None`` keeps its default."""
    from . import optim

    key = name.lower()
    if key not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    cls_name, options = OPTIMIZERS[key]
    kwargs = dict(options, **extra)
    if lr is not None:
        kwargs["lr"] = lr
    return getattr(optim, cls_name)(params, **kwargs)


def load_data(dataset: str, root: str | None, download: bool) -> tuple[Any, Any, str]:
    """(train set, test set, a sentence saying which data is used)."""
    from .data import best_mnist, load_dataset
    from .data import transforms as T

    stats = {"cifar10": ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))}
    mean, std = stats.get(dataset, (0.1307, 0.3081))
    transform = T.Compose([T.ToTensor(), T.Normalize(mean, std)])
    if dataset == "auto":
        return best_mnist(root, download=download, transform=transform)
    train = load_dataset(dataset, True, root, download, transform=transform)
    test = load_dataset(dataset, False, root, download, transform=transform)
    return train, test, f"Using {dataset}: {len(train)} train / {len(test)} test images ({train.source})"


def _train(args: argparse.Namespace) -> int:
    import tinygrad_ru as tg

    from . import nn
    from .data import DataLoader
    from .models import build_model
    from .train import Checkpoint, evaluate, fit

    tg.manual_seed(args.seed)
    train_set, test_set, message = load_data(args.dataset, args.root, not args.no_download)
    print(message)
    sample = train_set[0][0]
    channels, size = (1, sample.shape[-1]) if sample.ndim == 2 else (sample.shape[0], sample.shape[-1])
    model = build_model(args.model, channels, size)
    if args.device != "cpu":
        model.to(args.device)
    optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr)
    print(f"model {args.model}: {sum(p.numel() for p in model.parameters()):,} parameters; "
          f"optimizer {type(optimizer).__name__} lr={optimizer.param_groups[0]['lr']:g}; "
          f"{args.epochs} epochs, batch {args.batch_size}")
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=1000)
    callbacks = [Checkpoint(args.checkpoint)] if args.checkpoint else []
    start = time.perf_counter()
    history = fit(model, nn.NLLLoss(), optimizer, train_loader, test_loader, epochs=args.epochs,
                  callbacks=callbacks, device=args.device, progress=None if args.progress else False)
    for row in history.epochs:
        print(f"epoch {row['epoch']:3d}  train loss {row['train_loss']:.4f}  train acc {row['train_acc']:.4f}  "
              f"test loss {row['val_loss']:.4f}  test acc {row['val_acc']:.4f}  ({row['time']:.1f} s)")
    result = evaluate(model, nn.NLLLoss(), test_loader, args.device)
    print(f"test accuracy {result['acc'] * 100:.2f}% after {args.epochs} epochs "
          f"({time.perf_counter() - start:.1f} s, {(time.perf_counter() - start) / max(args.epochs, 1):.1f} s/epoch)")
    if args.save:
        tg.save(model.state_dict(), args.save)
        print(f"saved the weights to {args.save}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from .experiments import compare, format_table, plot_results

    results, _ = compare(args.methods, args.model, args.dataset, args.epochs, args.batch_size, args.seed,
                         args.limit, args.root, not args.no_download)
    print()
    print(format_table(results))
    if args.plot:
        plot_results(results, args.plot)
        print(f"convergence curves written to {args.plot}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tinygrad-ru", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    t = sub.add_parser("train", help="train a lecture net (default: the MLP on MNIST or the bundled sample)")
    t.add_argument("--model", choices=["mlp", "lenet", "cifar-cnn"], default="mlp")
    t.add_argument("--dataset", choices=["auto", "mnist", "mnist10k", "fashion-mnist", "cifar10"], default="auto",
                   help="auto: full MNIST if on disk or downloadable, else the bundled 10k sample")
    t.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default="adam")
    t.add_argument("--lr", type=float, default=None, help="learning rate (default: the optimizer's own)")
    t.add_argument("--epochs", type=int, default=15)
    t.add_argument("--batch-size", type=int, default=64)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (needs CuPy)")
    t.add_argument("--root", default=None, help="where data sets live (default ~/.cache/tinygrad_ru/datasets)")
    t.add_argument("--no-download", action="store_true", help="never try to download full data sets")
    t.add_argument("--save", default=None, help="write the trained weights (.npz) here")
    t.add_argument("--checkpoint", default=None, help="write a resumable checkpoint here after every epoch")
    t.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                   help="a progress bar when the output is a terminal")
    t.set_defaults(func=_train)

    c = sub.add_parser("compare", help="the slides' optimizer comparison: time, loss, accuracy, curves")
    c.add_argument("--methods", nargs="+", default=["sgd", "momentum", "adam", "sgdbb"],
                   help="any optimizer name above, or mb-lbfgs")
    c.add_argument("--model", choices=["mlp", "lenet", "cifar-cnn"], default="mlp")
    c.add_argument("--dataset", choices=["auto", "mnist", "mnist10k", "fashion-mnist", "cifar10"], default="auto")
    c.add_argument("--epochs", type=int, default=15)
    c.add_argument("--batch-size", type=int, default=64)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--limit", type=int, default=None, help="use only the first N training samples")
    c.add_argument("--root", default=None)
    c.add_argument("--no-download", action="store_true")
    c.add_argument("--plot", default="compare_optimizers.png", help="where to write the curves ('' for none)")
    c.set_defaults(func=_compare)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["train", *(argv or [])])
    try:
        return args.func(args)
    except (ValueError, RuntimeError, FileNotFoundError) as e:
        print(f"tinygrad-ru: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
