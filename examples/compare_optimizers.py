"""The MIPT slides' tables reproduced: one net, several optimizers, time / loss / accuracy / curves.

    python examples/compare_optimizers.py                                  # lecture MLP: SGD, Momentum, Adam, SGD-BB
    python examples/compare_optimizers.py --model cifar-cnn --methods mb-lbfgs adam sgd momentum sgdbb
    tinygrad-ru compare --epochs 5                                         # the same from the CLI
"""

import sys

from tinygrad_ru.cli import main

if __name__ == "__main__":
    sys.exit(main(["compare", *sys.argv[1:]]))
