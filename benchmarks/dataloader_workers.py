"""One epoch of the lecture CNN with augmentation, batches made in the main process vs in worker processes.

    python benchmarks/dataloader_workers.py                       # 4,000 images, 0 vs 2 workers, 3 rounds
    python benchmarks/dataloader_workers.py --samples 512 --rounds 1 --workers 2

    python benchmarks/dataloader_workers.py --per-sample          # augment image by image, as torch does

The net is the slides' CNN (``models.cifar_cnn`` on 1×28×28: conv 6@5×5 pad 2, ReLU, max-pool,
conv 16@5×5 pad 2, ReLU, FC 3136→1000, ReLU, FC 1000→10), SGD(lr=0.01, momentum=0.9), batch 64,
on the bundled MNIST-10k with augmentation (random crop with padding 2, rotation ±10°,
normalisation).  Each round runs both settings in turn from the same initial weights (paired), and
times two things: a pass of the loader alone (the data work that workers take off the main process)
and a training epoch.  A time is the median over rounds, a ratio the median of per-round ratios.
Wall-clock times: workers are other processes, so CPU time of this one would not count them.  On
a shared machine the numbers are noisy; compare only the two columns of one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import _env  # noqa: E402

if __name__ == "__main__":
    _env.prepare(keep_blas_env="--keep-blas-env" in sys.argv)

import tinygrad_ru as tg  # noqa: E402
from tinygrad_ru import nn, optim  # noqa: E402
from tinygrad_ru.data import DataLoader, Dataset, Subset, datasets  # noqa: E402
from tinygrad_ru.data import transforms as T  # noqa: E402
from tinygrad_ru.models import cifar_cnn  # noqa: E402


class PerSample(Dataset):
    """The same samples without ``get_batch``: the loader reads and augments them one by one, as torch's."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, i: int):
        return self.dataset[i]


def augmented_mnist(samples: int, per_sample: bool) -> Dataset:
    augment = T.Compose([T.RandomCrop(28, padding=2), T.RandomRotation(10), T.ToTensor(), T.Normalize(0.1307, 0.3081)])
    train = Subset(datasets.MNIST10k(train=True, transform=augment), range(samples))
    return PerSample(train) if per_sample else train


def loader_pass(loader: DataLoader) -> float:
    start = time.perf_counter()
    for _ in loader:
        pass
    return time.perf_counter() - start


def train_epoch(loader: DataLoader, seed: int) -> tuple[float, float]:
    tg.manual_seed(seed)
    model = cifar_cnn(in_channels=1, image_size=28)
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.NLLLoss()
    start = time.perf_counter()
    total = 0.0
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item()
    return time.perf_counter() - start, total / len(loader)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--per-sample", action="store_true",
                        help="augment image by image in __getitem__ (torch's way) instead of a whole batch at once")
    parser.add_argument("--keep-blas-env", action="store_true")
    args = parser.parse_args()

    data = augmented_mnist(args.samples, args.per_sample)
    settings = (0, args.workers)
    passes: dict[int, list[float]] = {n: [] for n in settings}
    epochs: dict[int, list[float]] = {n: [] for n in settings}
    losses: dict[int, float] = {}
    how = "per sample" if args.per_sample else "per batch"
    print(f"lecture CNN, {len(data)} MNIST-10k images augmented {how}, batch {args.batch_size}, "
          f"{os.cpu_count()} cores; {_env.blas_line()}")
    for r in range(args.rounds):
        for n in settings:
            loader = DataLoader(data, batch_size=args.batch_size, shuffle=True, num_workers=n)
            passes[n].append(loader_pass(loader))
            seconds, losses[n] = train_epoch(loader, seed=r)
            epochs[n].append(seconds)
            print(f"  round {r + 1}: num_workers={n}: loader pass {passes[n][-1]:6.2f} s, "
                  f"epoch {seconds:6.2f} s (mean loss {losses[n]:.4f})", flush=True)
    w = args.workers
    for what, times in (("loader pass", passes), ("training epoch", epochs)):
        ratio = statistics.median(b / a for a, b in zip(times[0], times[w], strict=True))
        print(f"{what:15s}: num_workers=0 {statistics.median(times[0]):6.2f} s, num_workers={w} "
              f"{statistics.median(times[w]):6.2f} s, ratio {ratio:.2f}×")


if __name__ == "__main__":
    main()
