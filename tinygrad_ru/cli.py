"""``tinygrad-ru`` — the command line: ``train`` a lecture net; ``compare`` optimizers; ``tune`` hyper-parameters;
``explain`` backprop.

    tinygrad-ru train                                   # the lecture MLP on MNIST (or the bundled sample)
    tinygrad-ru train --model lenet --epochs 10
    tinygrad-ru train --model cifar-cnn --dataset cifar10 --optimizer momentum --lr 0.01
    tinygrad-ru train --epochs 15 --checkpoint run.ckpt # … interrupted? continue it bit for bit:
    tinygrad-ru train --epochs 15 --resume run.ckpt
    tinygrad-ru compare                                 # the slides' optimizer comparison
    tinygrad-ru train --config best.json                # a configuration found by `tinygrad-ru tune`
    tinygrad-ru tune --trials 20                        # hyper-parameter search (needs optuna)
    tinygrad-ru explain                                 # the lecture's backprop, step by step, in the browser
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from . import experiments, nn, recipes
from .backend import manual_seed
from .data import DataLoader, Subset
from .models import build_model
from .recipes import OPTIMIZERS, SCHEDULES, input_geometry, make_optimizer, make_scheduler
from .serialization import save
from .train import Callback, Checkpoint, Trainer, evaluate
from .tune.cli import add_parser as add_tune_parser


def read_config(parser: argparse.ArgumentParser, train: argparse.ArgumentParser, args: argparse.Namespace,
                argv: Sequence[str]) -> argparse.Namespace:
    """``--config FILE.json``: its keys become the defaults of ``train``; flags on the command line win."""
    try:
        with open(args.config, encoding="utf-8") as f:
            config = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise ValueError(f"--config {args.config}: cannot read a JSON object ({e})") from None
    known = set(vars(args)) - {"func", "command", "config"}
    unknown = sorted(set(config) - known) if isinstance(config, dict) else None
    if unknown is None or unknown:
        raise ValueError(f"--config {args.config}: unknown keys {unknown}; train accepts {sorted(known)}")
    train.set_defaults(**config)
    return parser.parse_args(argv)


def _cli_words(message: str) -> str:
    """Say an API hint (``download=True``) the way a command-line user acts on it."""
    return message.replace("Pass download=True", "Run without --no-download").replace(
        "pass download=True", "run without --no-download")


def load_data(dataset: str, root: str | None, download: bool) -> tuple[Any, Any, str]:
    """:func:`tinygrad_ru.recipes.load_data`, its sentence worded for the command line."""
    train, test, message = recipes.load_data(dataset, root, download)
    return train, test, _cli_words(message)


def check_output_path(option: str, path: str | None) -> None:
    """Refuse an output path whose folder does not exist or cannot be written — before any training."""
    if not path:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"{option} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"{option} {path}: the folder {folder} is not writable")
    if os.path.isdir(path):
        raise ValueError(f"{option} {path}: is a folder; give a file name")


def require_plotting(what: str) -> None:
    """Report a missing matplotlib before a long run, not after it."""
    # lazy: any tinygrad_ru.viz module loads the whole viz package, ~20% of `tinygrad-ru --help`'s start-up
    from .viz._mpl import require_matplotlib

    try:
        require_matplotlib()
    except ImportError as e:
        raise ValueError(f"{what} needs matplotlib: pip install matplotlib pillow") from e


def _epoch_line(row: dict[str, Any], last_epoch: int) -> str:
    val = ""
    if row.get("val_loss") is not None:
        val = f"  test loss {row['val_loss']:.4f}  test acc {row['val_acc']:.4f}"
    return (f"epoch {row['epoch']:3d}/{last_epoch}  train loss {row['train_loss']:.4f}  "
            f"train acc {row['train_acc']:.4f}{val}  ({row['time']:.1f} s)")


class EpochPrinter(Callback):
    """A training callback that prints one line per epoch as soon as it ends (flushed, so that a pipe
    or a CI log sees it at once), with an optional progress bar on a terminal (stderr) meanwhile."""

    def __init__(self, last_epoch: int, bar: bool, batches: int | None = None) -> None:
        self.last_epoch, self.bar_wanted, self.batches, self.bar = last_epoch, bar, batches, None

    def on_epoch_begin(self, trainer: Any, epoch: int) -> None:
        if self.bar_wanted:
            from tqdm.auto import tqdm  # lazy: only a run with a progress bar pays for importing tqdm

            self.bar = tqdm(total=self.batches, desc=f"epoch {epoch + 1}/{self.last_epoch}", leave=False,
                            file=sys.stderr)

    def on_batch_end(self, trainer: Any, step: int, logs: dict[str, Any]) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{logs['loss']:.4f}")

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, Any]) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        print(_epoch_line(logs, self.last_epoch), flush=True)

    def on_train_end(self, trainer: Any) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _train(args: argparse.Namespace) -> int:
    check_output_path("--save", args.save)
    check_output_path("--checkpoint", args.checkpoint)
    if args.resume and not os.path.isfile(args.resume):
        raise ValueError(f"--resume {args.resume}: no such checkpoint file")
    manual_seed(args.seed)
    train_set, test_set, message = load_data(args.dataset, args.root, not args.no_download)
    if args.limit is not None:
        train_set = Subset(train_set, range(min(args.limit, len(train_set))))
        message += f"\n  --limit: training on the first {len(train_set)} samples"
    print(message, flush=True)
    model = build_model(args.model, *input_geometry(train_set), width=args.width, dropout=args.dropout)
    if args.device != "cpu":
        model.to(args.device)
    extra = {"weight_decay": args.weight_decay} if args.weight_decay else {}
    optimizer = make_optimizer(args.optimizer, model.parameters(), args.lr, **extra)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=1000)
    printer = EpochPrinter(args.epochs, bool(args.progress) and sys.stderr.isatty(), len(train_loader))
    callbacks: list[Any] = [printer] + ([Checkpoint(args.checkpoint)] if args.checkpoint else [])
    trainer = Trainer(model, nn.NLLLoss(), optimizer, make_scheduler(args.schedule, optimizer, args.epochs),
                      callbacks=callbacks, device=args.device, progress=False)
    if args.resume:
        trainer.load_checkpoint(args.resume)
        if trainer.epoch >= args.epochs:
            raise ValueError(f"--resume {args.resume}: the checkpoint is already at epoch {trainer.epoch}; "
                             f"ask for more with --epochs (now {args.epochs})")
        print(f"resuming {args.resume} after epoch {trainer.epoch}", flush=True)
    print(f"model {args.model}: {sum(p.numel() for p in model.parameters()):,} parameters; "
          f"optimizer {type(optimizer).__name__} lr={optimizer.param_groups[0]['lr']:g}; "
          f"{args.epochs} epochs, batch {args.batch_size}", flush=True)
    start = time.perf_counter()
    first = trainer.epoch
    trainer.fit(train_loader, test_loader, epochs=args.epochs - first)
    seconds = time.perf_counter() - start
    result = evaluate(model, nn.NLLLoss(), test_loader, args.device)
    print(f"test accuracy {result['acc'] * 100:.2f}% after {trainer.epoch} epoch{'s' if trainer.epoch != 1 else ''} "
          f"({seconds:.1f} s, {seconds / max(trainer.epoch - first, 1):.1f} s/epoch)", flush=True)
    if args.save:
        save(model.state_dict(), args.save)
        print(f"saved the weights to {args.save}")
    return 0


def _compare(args: argparse.Namespace) -> int:
    if args.plot:
        check_output_path("--plot", args.plot)
        require_plotting("compare --plot")
    data = load_data(args.dataset, args.root, not args.no_download)
    results, _ = experiments.compare(args.methods, args.model, args.dataset, args.epochs, args.batch_size,
                                     args.seed, args.limit, data=data)
    print()
    print(experiments.format_table(results))
    if args.plot:
        experiments.plot_results(results, args.plot)
        print(f"convergence curves written to {args.plot}")
    return 0


def _explain(args: argparse.Namespace) -> int:
    # lazy: any tinygrad_ru.viz module loads the whole viz package, ~20% of `tinygrad-ru --help`'s start-up
    from .viz.backprop import backprop_steps, lecture_example

    check_output_path("--out", args.out)
    check_output_path("--gif", args.gif)
    if args.gif:
        try:
            import PIL  # noqa: F401
        except ImportError as e:
            raise ValueError("explain --gif needs Pillow: pip install pillow") from e
    page = backprop_steps(lecture_example(), title="e = (a + b)·(b + 1): backprop step by step")
    page.save(args.out)
    print(f"wrote {args.out} ({page.n_states} states): open it in a browser; step with ← → or the buttons")
    if args.gif:
        page.save_gif(args.gif)
        print(f"wrote {args.gif} ({page.n_states} frames)")
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


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
    t.add_argument("--epochs", type=_positive_int, default=15,
                   help="the number of epochs (with --resume: the total, counting those already run)")
    t.add_argument("--batch-size", type=_positive_int, default=64)
    t.add_argument("--limit", type=_positive_int, default=None, help="use only the first N training samples")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (needs CuPy)")
    t.add_argument("--root", default=None, help="where data sets live (default ~/.cache/tinygrad_ru/datasets)")
    t.add_argument("--no-download", action="store_true", help="never try to download full data sets")
    t.add_argument("--save", default=None, help="write the trained weights (.npz) here")
    t.add_argument("--checkpoint", default=None, help="write a resumable checkpoint here after every epoch")
    t.add_argument("--resume", default=None, metavar="CHECKPOINT",
                   help="continue a run from a --checkpoint file (same options; bit-identical to an uninterrupted run)")
    t.add_argument("--progress", action=argparse.BooleanOptionalAction, default=True,
                   help="a progress bar when the output is a terminal")
    t.add_argument("--width", type=_positive_int, default=None, help="mlp: first hidden layer (default 128)")
    t.add_argument("--dropout", type=float, default=None, help="mlp: dropout after hidden layers (default 0)")
    t.add_argument("--weight-decay", type=float, default=0.0)
    t.add_argument("--schedule", choices=SCHEDULES, default="constant", help="lr schedule over the epochs")
    t.add_argument("--config", default=None, help="JSON of these options (e.g. from `tinygrad-ru tune`)")
    t.set_defaults(func=_train)
    parser.train_parser = t  # read_config sets its defaults

    c = sub.add_parser("compare", help="the slides' optimizer comparison: time, loss, accuracy, curves")
    c.add_argument("--methods", nargs="+", default=["sgd", "momentum", "adam", "sgdbb"],
                   help="any optimizer name above, or mb-lbfgs")
    c.add_argument("--model", choices=["mlp", "lenet", "cifar-cnn"], default="mlp")
    c.add_argument("--dataset", choices=["auto", "mnist", "mnist10k", "fashion-mnist", "cifar10"], default="auto")
    c.add_argument("--epochs", type=_positive_int, default=15)
    c.add_argument("--batch-size", type=_positive_int, default=64)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--limit", type=_positive_int, default=None, help="use only the first N training samples")
    c.add_argument("--root", default=None)
    c.add_argument("--no-download", action="store_true")
    c.add_argument("--plot", default="compare_optimizers.png", help="where to write the curves ('' for none)")
    c.set_defaults(func=_compare)

    add_tune_parser(sub)

    e = sub.add_parser("explain", help="write the lecture's backprop example as a step-by-step HTML page")
    e.add_argument("--out", default="backprop_steps.html", help="the HTML page to write")
    e.add_argument("--gif", default=None, help="also write the steps as an animated GIF (for slides)")
    e.set_defaults(func=_explain)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # bare `tinygrad-ru`: say what it can do instead of starting a long run
        parser.print_help()
        return 0
    try:
        if args.command == "train" and args.config:
            args = read_config(parser, parser.train_parser, args, sys.argv[1:] if argv is None else argv)
        return args.func(args)
    except (ValueError, RuntimeError, FileNotFoundError, FloatingPointError) as e:
        print(f"tinygrad-ru: error: {_cli_words(str(e))}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
