"""The slides' CIFAR-10 net: conv 6@5×5 ReLU, max-pool 2×2, conv 16@5×5 ReLU, FC → 1000 ReLU, FC → 10.

    python examples/cifar10_cnn.py --root ~/data --epochs 15     # CIFAR-10 binary files under root
    python examples/cifar10_cnn.py --epochs 3                     # no CIFAR-10: runs on 1×28×28 digits

It trains on CIFAR-10 (the binary version: data_batch_1..5.bin, test_batch.bin) when the files are
there; otherwise on Fashion-MNIST (when installed) or the bundled MNIST sample, and says which.
"""

import argparse

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
import tinygrad_ru.optim as optim
from tinygrad_ru.data import DataLoader, datasets
from tinygrad_ru.data import transforms as T
from tinygrad_ru.models import cifar_cnn
from tinygrad_ru.train import fit


def load(root):
    try:
        tf = T.Compose([T.ToTensor(), T.Normalize((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616))])
        train = datasets.CIFAR10(root, train=True, transform=tf)
        return train, datasets.CIFAR10(root, train=False, transform=tf), "CIFAR-10"
    except (FileNotFoundError, ValueError) as e:
        print(f"CIFAR-10 not found ({str(e).splitlines()[0]}); falling back to 1×28×28 digits")
    tf = T.Compose([T.ToTensor(), T.Normalize(0.1307, 0.3081)])
    try:
        return (datasets.FashionMNIST(root, train=True, transform=tf),
                datasets.FashionMNIST(root, train=False, transform=tf), "Fashion-MNIST")
    except (FileNotFoundError, ValueError):
        return datasets.MNIST10k(train=True, transform=tf), datasets.MNIST10k(train=False, transform=tf), "MNIST-10k"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", default=None)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--limit", type=int, default=None, help="use only the first N training images")
    args = parser.parse_args()

    tg.manual_seed(0)
    train, test, name = load(args.root)
    if args.limit:
        from tinygrad_ru.data import Subset

        train = Subset(train, range(min(args.limit, len(train))))
    x0 = train[0][0]
    model = cifar_cnn(in_channels=x0.shape[0], image_size=x0.shape[-1])
    print(f"{name}: {len(train)} train / {len(test)} test; input {tuple(x0.shape)}\n{model}")
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    history = fit(model, nn.NLLLoss(), optimizer, DataLoader(train, batch_size=args.batch_size, shuffle=True),
                  DataLoader(test, batch_size=500), epochs=args.epochs)
    for row in history.epochs:
        print(f"epoch {row['epoch']:2d}: train loss {row['train_loss']:.4f}, test accuracy {row['val_acc']:.4f}, "
              f"{row['time']:.1f} s")


if __name__ == "__main__":
    main()
