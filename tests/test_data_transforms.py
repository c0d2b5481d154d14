"""Transforms / augmentation: each one checked against a hand computation."""

import numpy as np
import pytest

import tinygrad_ru as tg
from tinygrad_ru.data import ArrayDataset, DataLoader
from tinygrad_ru.data import transforms as T


def image(h=6, w=6, c=None, seed=0):
    rng = np.random.default_rng(seed)
    shape = (h, w) if c is None else (h, w, c)
    return rng.integers(0, 256, shape, dtype=np.uint8)


def test_to_tensor_layout_and_scale():
    g = image()
    out = T.ToTensor()(g)
    assert out.shape == (1, 6, 6) and out.dtype == np.float32
    np.testing.assert_allclose(out[0], g / 255.0, rtol=1e-6)
    col = image(4, 5, 3)
    out = T.ToTensor()(col)
    assert out.shape == (3, 4, 5)
    np.testing.assert_allclose(out[2], col[:, :, 2] / 255.0, rtol=1e-6)
    batch = T.ToTensor().batch(np.stack([col, col]))
    assert batch.shape == (2, 3, 4, 5)
    np.testing.assert_array_equal(batch[1], out)
    with pytest.raises(ValueError, match="ToTensor"):
        T.ToTensor()(np.zeros(5, dtype=np.uint8))


def test_normalize_numbers():
    x = np.array([[[0.5, 1.0]], [[0.0, 0.25]]], dtype=np.float32)  # C=2, H=1, W=2
    out = T.Normalize((0.5, 0.25), (0.5, 0.25))(x)
    np.testing.assert_allclose(out, [[[0.0, 1.0]], [[-1.0, 0.0]]])
    assert out.dtype == np.float32
    np.testing.assert_allclose(T.Normalize(0.1307, 0.3081)(np.ones((1, 2, 2), np.float32)),
                               np.full((1, 2, 2), (1 - 0.1307) / 0.3081), rtol=1e-6)
    b = T.Normalize((0.5, 0.25), (0.5, 0.25)).batch(np.stack([x, x]))
    np.testing.assert_allclose(b[1], out)
    np.testing.assert_array_equal(x[0, 0], [0.5, 1.0])  # input untouched
    with pytest.raises(ValueError, match="3 channel statistics"):
        T.Normalize((0, 0, 0), (1, 1, 1))(x)
    with pytest.raises(ValueError, match="non-zero"):
        T.Normalize(0, 0)


def test_horizontal_flip_really_flips():
    x = image(5, 7)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=1.0)(x), x[:, ::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(p=0.0)(x), x)
    np.testing.assert_array_equal(T.RandomVerticalFlip(p=1.0)(x), x[::-1])
    tg.manual_seed(0)
    xs = np.stack([image(4, 4, seed=s) for s in range(200)])
    out = T.RandomHorizontalFlip(p=0.5).batch(xs)
    flipped = np.array([np.array_equal(o, i[:, ::-1]) for o, i in zip(out, xs)])
    same = np.array([np.array_equal(o, i) for o, i in zip(out, xs)])
    assert np.all(flipped | same) and 70 < flipped.sum() < 130  # per-sample coin flips


def test_random_crop_shape_and_padding_content():
    x = np.arange(1, 17, dtype=np.float32).reshape(1, 4, 4)  # no zeros inside the image
    tg.manual_seed(0)
    crop = T.RandomCrop(4, padding=2)
    outs = T.RandomCrop(4, padding=2).batch(np.stack([x] * 300))
    assert outs.shape == (300, 1, 4, 4)
    padded = np.pad(x, ((0, 0), (2, 2), (2, 2)))
    windows = {padded[:, i:i + 4, j:j + 4].tobytes() for i in range(5) for j in range(5)}
    assert all(o.tobytes() in windows for o in outs)  # every output is a window of the padded image
    assert len({o.tobytes() for o in outs}) == 25  # all 25 offsets occur
    corner = padded[:, 0:4, 0:4]
    assert any(np.array_equal(o, corner) for o in outs) and corner[0, :2].sum() == 0
    single = crop(x)
    assert single.shape == (1, 4, 4)
    big = T.RandomCrop((3, 5), padding=(1, 0))(np.ones((6, 6)))
    assert big.shape == (3, 5)
    with pytest.raises(ValueError, match="larger than padded image"):
        T.RandomCrop(9)(np.ones((4, 4)))
    edge = T.RandomCrop(6, padding=1, padding_mode="edge").batch(np.stack([x] * 50))
    assert edge.min() >= 1  # edge padding repeats border values, never zeros


def test_rotation_by_90_is_rot90():
    x = image(7, 7).astype(np.float32)
    for interp in ("bilinear", "nearest"):
        np.testing.assert_allclose(T.RandomRotation((90, 90), interpolation=interp)(x), np.rot90(x), atol=1e-4)
        np.testing.assert_allclose(T.RandomRotation((-90, -90), interpolation=interp)(x), np.rot90(x, -1),
                                   atol=1e-4)
        np.testing.assert_allclose(T.RandomRotation((180, 180), interpolation=interp)(x), np.rot90(x, 2),
                                   atol=1e-4)
    u8 = image(8, 8)
    out = T.RandomRotation((90, 90))(u8)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, np.rot90(u8))
    chw = np.stack([x, 2 * x])
    np.testing.assert_allclose(T.RandomRotation((90, 90))(chw), np.rot90(chw, axes=(1, 2)), atol=1e-4)


def test_small_rotation_keeps_centre_and_fills_corners():
    x = np.ones((9, 9), dtype=np.float32)
    out = T.RandomRotation((45, 45), fill=0.0)(x)
    assert out[4, 4] == pytest.approx(1.0) and out[0, 0] == 0.0
    tg.manual_seed(0)
    outs = T.RandomRotation(30).batch(np.stack([image(9, 9).astype(np.float32)] * 8))
    assert len({o.tobytes() for o in outs}) == 8  # independent angles per sample


def test_resize_and_rescale():
    x = np.arange(16, dtype=np.float32).reshape(4, 4)
    np.testing.assert_array_equal(T.Resize(2, interpolation="nearest")(x), x[::2, ::2])
    up = T.Resize((8, 8), interpolation="nearest")(x)
    np.testing.assert_array_equal(up, np.repeat(np.repeat(x, 2, 0), 2, 1))
    down = T.Resize(2)(x)  # bilinear, half-pixel centres: mean of each 2×2 block here
    np.testing.assert_allclose(down, x.reshape(2, 2, 2, 2).mean(axis=(1, 3)))
    assert T.Rescale(0.5)(np.ones((3, 10, 6))).shape == (3, 5, 3)
    assert T.Resize(5).batch(np.ones((2, 1, 7, 7), np.uint8)).dtype == np.uint8
    torch = pytest.importorskip("torch")
    img = np.random.default_rng(0).random((1, 1, 5, 7)).astype(np.float32)
    ref = torch.nn.functional.interpolate(torch.from_numpy(img), size=(8, 4), mode="bilinear",
                                          align_corners=False).numpy()
    np.testing.assert_allclose(T.Resize((8, 4))(img), ref, atol=1e-6)


def test_random_zoom_identity_at_scale_one():
    x = image(6, 6).astype(np.float32)
    np.testing.assert_allclose(T.RandomZoom((1.0, 1.0))(x), x, atol=1e-5)
    zoomed = T.RandomZoom((2.0, 2.0))(np.ones((8, 8), np.float32))
    assert zoomed.min() == pytest.approx(1.0)  # zooming in never reads outside


def test_gaussian_noise_statistics():
    tg.manual_seed(0)
    x = np.zeros((1000, 10), dtype=np.float32)
    out = T.GaussianNoise(0.5).batch(x)
    assert out.dtype == np.float32
    assert abs(out.mean()) < 0.02 and abs(out.std() - 0.5) < 0.02
    clipped = T.GaussianNoise(1.0, clip=(0.0, 1.0)).batch(x)
    assert clipped.min() >= 0 and clipped.max() <= 1


def test_label_noise_rate():
    tg.manual_seed(0)
    y = np.arange(20000) % 10
    noisy = T.LabelNoise(0.2, 10).batch(y)
    rate = np.mean(noisy != y)
    assert abs(rate - 0.2) < 0.015
    assert noisy.min() >= 0 and noisy.max() <= 9
    changed = noisy[noisy != y] - y[noisy != y]
    assert len(np.unique(changed % 10)) == 9  # spread over all other classes
    assert T.LabelNoise(0.0, 10)(3) == 3 and T.LabelNoise(1.0, 10)(3) != 3
    tg.manual_seed(5)
    a = T.LabelNoise(0.3, 10).batch(y)
    tg.manual_seed(5)
    np.testing.assert_array_equal(a, T.LabelNoise(0.3, 10).batch(y))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 10\)"):
        T.LabelNoise(0.1, 10).batch(np.array([3, 12]))


def test_compose_lambda_and_loader_integration():
    calls = []

    def per_sample(x):
        calls.append(1)
        return x * 2

    pipeline = T.Compose([T.ToTensor(), T.Lambda(per_sample), T.Flatten()])
    x = image(3, 3)
    np.testing.assert_allclose(pipeline(x), (x / 255.0 * 2).reshape(-1), rtol=1e-6)
    imgs = np.stack([image(3, 3, seed=s) for s in range(10)])
    ds = ArrayDataset(imgs, np.arange(10), transform=pipeline, target_transform=T.LabelNoise(0.0, 10))
    calls.clear()
    xb, yb = next(iter(DataLoader(ds, batch_size=4)))
    assert xb.shape == (4, 9) and len(calls) == 4  # non-batched Lambda runs once per sample
    np.testing.assert_allclose(xb.numpy(), (imgs[:4] / 255.0 * 2).reshape(4, 9), rtol=1e-6)
    np.testing.assert_array_equal(yb.numpy(), np.arange(4))
    batched = T.Lambda(lambda a: a + 1, batched=True)
    np.testing.assert_array_equal(batched.batch(np.zeros((3, 2))), np.ones((3, 2)))


def reference_rotate(img, degrees, fill):
    """Per-pixel loop: bilinear sampling with outside pixels = fill (the textbook definition)."""
    h, w = img.shape
    t = np.deg2rad(degrees)
    cy, cx = (h - 1) / 2, (w - 1) / 2
    out = np.zeros_like(img, dtype=np.float64)

    def px(r, c):
        return img[r, c] if 0 <= r < h and 0 <= c < w else fill

    for i in range(h):
        for j in range(w):
            y, x = i - cy, j - cx
            sy, sx = cy + np.cos(t) * y + np.sin(t) * x, cx - np.sin(t) * y + np.cos(t) * x
            r0, c0 = int(np.floor(sy)), int(np.floor(sx))
            a, b = sy - r0, sx - c0
            out[i, j] = ((1 - a) * ((1 - b) * px(r0, c0) + b * px(r0, c0 + 1))
                         + a * ((1 - b) * px(r0 + 1, c0) + b * px(r0 + 1, c0 + 1)))
    return out


@pytest.mark.parametrize("angle", [30.0, -57.0, 133.0])
def test_rotation_matches_per_pixel_reference(angle):
    img = np.random.default_rng(1).random((7, 10)).astype(np.float32)
    out = T.RandomRotation((angle, angle), fill=0.25)(img)
    np.testing.assert_allclose(out, reference_rotate(img.astype(np.float64), angle, 0.25), atol=1e-5)
