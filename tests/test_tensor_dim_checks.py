"""Every dim-taking method checks its dims as PyTorch does: IndexError for a dim out of range
(naming the op and the valid range), RuntimeError for a repeated dim; non-numeric data is refused."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinygrad_ru as tg

# name -> f(lib, x) on a 2×3×4 tensor; each must fail in PyTorch and here with the same type
BAD = {
    "permute out of range": lambda L, x: x.permute(0, 1, 5),
    "permute repeated": lambda L, x: x.permute(0, 0, 1),
    "permute too few": lambda L, x: x.permute(0, 1),
    "t of 3-D": lambda L, x: x.t(),
    "transpose of 1-D": lambda L, x: x[0, 0].transpose(0, 5),
    "transpose": lambda L, x: x.transpose(0, 3),
    "squeeze": lambda L, x: x.squeeze(5),
    "squeeze repeated": lambda L, x: x.squeeze((0, 0)),
    "unsqueeze": lambda L, x: x.unsqueeze(5),
    "unsqueeze negative": lambda L, x: x.unsqueeze(-5),
    "sum dim": lambda L, x: x.sum(dim=5),
    "sum repeated": lambda L, x: x.sum(dim=(0, 0)),
    "sum repeated negative": lambda L, x: x.sum(dim=(0, -3)),
    "mean dim": lambda L, x: x.mean(dim=-4),
    "var repeated": lambda L, x: x.var(dim=(1, 1)),
    "std dim": lambda L, x: x.std(dim=3),
    "max dim": lambda L, x: x.max(dim=3),
    "min dim": lambda L, x: x.min(dim=-4),
    "argmax dim": lambda L, x: x.argmax(dim=3),
    "amax repeated": lambda L, x: x.amax((0, 0)),
    "logsumexp dim": lambda L, x: x.logsumexp(3),
    "prod dim": lambda L, x: x.prod(dim=3),
    "cumsum dim": lambda L, x: x.cumsum(3),
    "cat dim": lambda L, x: L.cat([x, x], dim=3),
    "stack dim": lambda L, x: L.stack([x, x], dim=4),
    "flatten end": lambda L, x: x.flatten(0, 5),
    "flatten order": lambda L, x: x.flatten(2, 1),
    "softmax dim": lambda L, x: x.softmax(dim=3),
    "log_softmax dim": lambda L, x: x.log_softmax(dim=-4),
}


def _error(lib, f):
    x = lib.ones(2, 3, 4)
    with pytest.raises(Exception) as e:
        f(lib, x)
    return e.value


@pytest.mark.parametrize("name", list(BAD))
def test_bad_dims_raise(name):
    err = _error(tg, BAD[name])
    assert isinstance(err, (IndexError, RuntimeError))
    op = name.split()[0]
    assert op in str(err) or "t()" in str(err)  # the message names the op


@pytest.mark.parametrize("name", list(BAD))
def test_bad_dims_raise_as_torch(name):
    torch = pytest.importorskip("torch")
    ours, theirs = _error(tg, BAD[name]), _error(torch, BAD[name])
    assert type(ours) is type(theirs), (ours, theirs)
    m = re.search(r"expected to be in range of \[(-?\d+), (-?\d+)\], but got (-?\d+)", str(theirs))
    if m:  # the same range and dim in the message
        assert m.group(0) in str(ours)


def test_valid_dims_still_work():
    x = tg.ones(2, 3, 4)
    assert x.permute(2, 0, 1).shape == (4, 2, 3)
    assert x.permute(-1, 0, 1).shape == (4, 2, 3)
    assert x.sum(dim=(0, -1)).shape == (3,)
    assert x[0, 0].transpose(0, -1).shape == (4,)
    assert tg.ones(2, 3).t().shape == (3, 2) and tg.ones(3).t().shape == (3,)
    assert tg.stack([x, x], dim=-1).shape == (2, 3, 4, 2)
    assert x.unsqueeze(-4).shape == (1, 2, 3, 4) and x.unsqueeze(3).shape == (2, 3, 4, 1)
    assert tg.tensor(5.0).sum(dim=0).shape == () and tg.tensor(5.0).unsqueeze(-1).shape == (1,)


@pytest.mark.parametrize("data,error", [
    (["1", "2"], ValueError),
    (np.array(["1", "2"]), ValueError),
    ([[1, 2], [3]], ValueError),
    ([object()], RuntimeError),
    (None, RuntimeError),
    ({"a": 1}, RuntimeError),
])
def test_non_numeric_data_is_refused(data, error):
    with pytest.raises(error, match="Tensor"):
        tg.tensor(data)


def test_non_numeric_data_errors_as_torch():
    torch = pytest.importorskip("torch")
    for data in (["1", "2"], [[1, 2], [3]], [object()], None, {"a": 1}):
        with pytest.raises(Exception) as theirs:
            torch.tensor(data)
        with pytest.raises(Exception) as ours:
            tg.tensor(data)
        assert type(ours.value) is type(theirs.value), data
