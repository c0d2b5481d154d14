"""The lecture MLP on MNIST, written out as a student would: model, loss, optimizer, loop.

    python examples/mnist_mlp.py --epochs 15

784 → 128 → ReLU → 64 → ReLU → 10 → LogSoftmax, Adam(lr=1e-3), batch 64.  Uses full MNIST when
it is on disk or can be downloaded, otherwise the bundled 10,000-digit sample (8k train / 2k test).
"""

import argparse

import tinygrad_ru as tg
import tinygrad_ru.nn as nn
import tinygrad_ru.optim as optim
from tinygrad_ru.data import DataLoader, best_mnist
from tinygrad_ru.data import transforms as T


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--no-download", action="store_true")
    args = parser.parse_args()

    tg.manual_seed(0)
    transform = T.Compose([T.ToTensor(), T.Normalize(0.1307, 0.3081)])
    train_set, test_set, message = best_mnist(download=not args.no_download, transform=transform)
    print(message)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=1000)

    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10), nn.LogSoftmax(dim=1),
    )
    loss_fn = nn.NLLLoss()
    optimizer = optim.Adam(model.parameters(), lr=args.lr)

    for epoch in range(1, args.epochs + 1):
        model.train()
        for x, y in train_loader:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)   # forward: the graph is built
            loss.backward()               # backward: the chain rule, layer by layer
            optimizer.step()              # θ ← θ − η·Adam(∇θ)
        model.eval()
        correct = 0
        with tg.no_grad():
            for x, y in test_loader:
                correct += int((model(x).argmax(dim=1) == y).sum().item())
        print(f"epoch {epoch:2d}: last batch loss {loss.item():.4f}, test accuracy {correct / len(test_set):.4f}")


if __name__ == "__main__":
    main()
