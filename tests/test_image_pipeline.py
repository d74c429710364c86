"""The tf.data image pipeline: crop geometry, decode accuracy, order, epochs, corrupt files, arguments."""
import collections

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from keras_autoencoders.data.image_pipeline import (
    DEFAULT_CROP_FRACTION,
    crop_window,
    dataset_from_index,
    decode_crop_resize,
    make_image_dataset,
    split_datasets,
)

FULL, HALF = (178, 218), (89, 109)  # (width, height), as PIL sizes


def save_jpeg(path, pixels: np.ndarray, quality: int = 95):
    Image.fromarray(pixels.astype(np.uint8), "RGB").save(path, "JPEG", quality=quality)
    return str(path)


def white_square(size, fraction: float = 0.9) -> np.ndarray:
    """Black image with a centred white square of side ``fraction`` x width."""
    width, height = size
    side = round(fraction * width)
    top, left = (height - side) // 2, (width - side) // 2
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[top:top + side, left:left + side] = 255
    return pixels


def textured(size, seed: int = 0) -> np.ndarray:
    """A smooth colour gradient with some blurred noise: face-like frequencies, no flat areas."""
    width, height = size
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width] / max(width, height)
    base = np.stack([120 + 100 * np.sin(3 * xx + 1), 120 + 90 * np.cos(4 * yy), 100 + 80 * xx * yy], -1)
    noise = np.asarray(Image.fromarray(rng.integers(0, 255, (height // 4, width // 4, 3), dtype=np.uint8))
                       .resize((width, height), Image.BILINEAR), np.float32)
    return np.clip(0.7 * base + 0.3 * noise, 0, 255)


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    folder = tmp_path_factory.mktemp("images")
    out = {}
    for name, size in (("full", FULL), ("half", HALF)):
        out[f"square_{name}"] = save_jpeg(folder / f"square_{name}.jpg", white_square(size))
        out[f"textured_{name}"] = save_jpeg(folder / f"textured_{name}.jpg", textured(size))
    return out


GRAY_SIZE = (40, 48)


def gray_level(i: int) -> int:
    return 10 + 20 * i


@pytest.fixture
def gray_folder(tmp_path):
    """Ten small JPEGs, image i a uniform gray of level gray_level(i), and conditions [i, 1]."""
    width, height = GRAY_SIZE
    paths = [save_jpeg(tmp_path / f"{i:06d}.jpg", np.full((height, width, 3), gray_level(i)))
             for i in range(10)]
    conditions = np.stack([np.arange(10), np.ones(10)], axis=1).astype(np.float32)
    return paths, conditions


def epoch(dataset):
    """One pass: the list of batches as numpy (images, conditions) pairs."""
    return [(x.numpy(), c.numpy()) for x, c in dataset]


def order(batches):
    return [int(i) for _, c in batches for i in c[:, 0]]


# --- crop geometry ---------------------------------------------------------------------------

def test_crop_window_is_centred_and_relative_to_the_width():
    assert crop_window(218, 178).numpy().tolist() == [39, 19, 140, 140]
    assert crop_window(109, 89).numpy().tolist() == [19, 9, 70, 70]  # the same part of the face
    assert crop_window(218, 178, 1.0).numpy().tolist() == [20, 0, 178, 178]
    assert crop_window(50, 178).numpy().tolist() == [0, 64, 50, 50]  # clamped to the height
    assert crop_window(tf.constant(7), tf.constant(3), 0.01).numpy().tolist() == [3, 1, 1, 1]  # at least 1


@pytest.mark.parametrize("name", ["full", "half"])
@pytest.mark.parametrize("image_size", [64, 32])
def test_output_shape_dtype_and_range(images, name, image_size):
    out = decode_crop_resize(images[f"textured_{name}"], image_size)
    assert out.shape == (image_size, image_size, 3) and out.dtype == tf.float32
    assert 0.0 <= float(tf.reduce_min(out)) and float(tf.reduce_max(out)) <= 1.0
    assert float(tf.math.reduce_std(out)) > 0.05  # a real image, not a constant


@pytest.mark.parametrize("name", ["full", "half"])
def test_default_crop_keeps_the_centre_and_a_wider_crop_brings_in_the_border(images, name):
    centre = decode_crop_resize(images[f"square_{name}"]).numpy()
    assert centre.min() > 0.9  # all (near) white at both resolutions
    wide = decode_crop_resize(images[f"square_{name}"], crop_fraction=1.0).numpy()
    assert wide[:, :2].max() < 0.25 and wide[:, -2:].max() < 0.25  # black left and right edges
    assert wide[24:40, 24:40].min() > 0.9


# --- decode accuracy -------------------------------------------------------------------------

@pytest.mark.parametrize("name,size", [("full", FULL), ("half", HALF)])
def test_matches_a_numpy_pil_reference_of_the_same_crop_and_resize(images, name, size):
    path = images[f"textured_{name}"]
    width, height = size
    y, x, side, _ = crop_window(height, width, DEFAULT_CROP_FRACTION).numpy().tolist()
    with Image.open(path) as im:
        ref = im.convert("RGB").crop((x, y, x + side, y + side)).resize((64, 64), Image.BILINEAR)
    ref = np.asarray(ref, np.float32) / 255.0
    out = decode_crop_resize(path).numpy()
    assert np.abs(out - ref).mean() < 0.02


@pytest.mark.parametrize("resize_method,reference", [
    ("area", lambda crop: tf.image.resize(crop, (64, 64), method="area")),
    ("bilinear", lambda crop: tf.image.resize(crop, (64, 64), antialias=True)),
])
def test_decoding_only_the_window_equals_decoding_all_then_cropping(images, resize_method, reference):
    path = images["textured_full"]
    full = tf.io.decode_jpeg(tf.io.read_file(path), channels=3)[39:179, 19:159]
    out = decode_crop_resize(path, resize_method=resize_method).numpy()
    np.testing.assert_allclose(out, (reference(full) / 255.0).numpy(), atol=1e-5)


def test_area_resize_is_the_mean_of_each_pixel_block_and_close_to_bilinear(images):
    path = images["textured_full"]
    # A 128-pixel crop of the 178-pixel width: each output pixel covers a 2x2 block.
    fraction = 128 / 178
    y, x, side, _ = crop_window(218, 178, fraction).numpy().tolist()
    assert side == 128
    crop = tf.io.decode_jpeg(tf.io.read_file(path), channels=3).numpy()[y:y + 128, x:x + 128].astype(np.float64)
    block_means = crop.reshape(64, 2, 64, 2, 3).mean(axis=(1, 3)) / 255.0
    area = decode_crop_resize(path, crop_fraction=fraction).numpy()
    np.testing.assert_allclose(area, block_means, atol=1e-5)
    bilinear = decode_crop_resize(path, resize_method="bilinear").numpy()
    assert 0 < np.abs(decode_crop_resize(path).numpy() - bilinear).mean() < 0.02
    with pytest.raises(ValueError, match="resize_method"):
        decode_crop_resize(path, resize_method="nearest")


def test_batches_shapes_and_images_match_their_conditions(gray_folder):
    paths, conditions = gray_folder
    dataset = make_image_dataset(paths, conditions, 4, image_size=16)
    images_spec, conditions_spec = dataset.element_spec
    assert images_spec.shape.as_list() == [None, 16, 16, 3] and images_spec.dtype == tf.float32
    assert conditions_spec.shape.as_list() == [None, 2] and conditions_spec.dtype == tf.float32
    batches = epoch(dataset)
    assert [len(c) for _, c in batches] == [4, 4, 2]  # last partial batch kept
    for x, c in batches:
        for image, (i, one) in zip(x, c):
            assert one == 1.0 and abs(image.mean() - gray_level(int(i)) / 255) < 0.02


def test_each_image_once_per_epoch_and_drop_remainder(gray_folder):
    paths, conditions = gray_folder
    dataset = make_image_dataset(paths, conditions, 4, image_size=8, seed=3)
    for _ in range(2):
        assert collections.Counter(order(epoch(dataset))) == collections.Counter(range(10))
    dropped = epoch(make_image_dataset(paths, conditions, 4, image_size=8, drop_remainder=True))
    assert [len(c) for _, c in dropped] == [4, 4]
    assert len(set(order(dropped))) == 8


def test_order_is_reproducible_from_the_seed_and_new_each_epoch(gray_folder):
    paths, conditions = gray_folder

    def two_epochs(seed):
        dataset = make_image_dataset(paths, conditions, 3, image_size=8, seed=seed)
        return order(epoch(dataset)), order(epoch(dataset))

    first, second = two_epochs(0)
    assert (first, second) == two_epochs(0)  # same seed: same first and second epoch
    assert first != second  # reshuffled each epoch
    assert two_epochs(1)[0] != first  # another seed, another order
    unshuffled = make_image_dataset(paths, conditions, 3, image_size=8, shuffle=False)
    assert order(epoch(unshuffled)) == list(range(10))


@pytest.mark.parametrize("damage", ["truncate", "zero_between_markers"])
def test_corrupt_file_is_skipped_by_the_backstop_or_raises(gray_folder, damage):
    paths, conditions = gray_folder
    data = open(paths[6], "rb").read()
    if damage == "truncate":
        damaged = data[: len(data) // 2]
    else:  # everything but the start and end markers zeroed (headers too): the header read fails
        damaged = data[:4] + bytes(len(data) - 6) + data[-2:]
    with open(paths[6], "wb") as f:
        f.write(damaged)
    kept = order(epoch(make_image_dataset(paths, conditions, 4, image_size=8)))
    assert sorted(kept) == [i for i in range(10) if i != 6]  # n - 1 images
    with pytest.raises(tf.errors.OpError):
        epoch(make_image_dataset(paths, conditions, 4, image_size=8, skip_decode_errors=False))


def test_dataset_from_index_uses_paths_and_conditions(gray_folder):
    paths, conditions = gray_folder

    class Index:
        def paths(self):
            return paths

        def conditions(self):
            return conditions

    via_index = epoch(dataset_from_index(Index(), 5, image_size=8, shuffle=False))
    direct = epoch(make_image_dataset(paths, conditions, 5, image_size=8, shuffle=False))
    for (x1, c1), (x2, c2) in zip(via_index, direct, strict=True):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(c1, c2)


# --- argument errors -------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,match", [
    ({"conditions": np.zeros((9, 2))}, "conditions has 9 rows but paths has 10"),
    ({"conditions": np.zeros(10)}, "conditions must be a 2-d array"),
    ({"paths": []}, "paths is empty"),
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 2.5}, "batch_size"),
    ({"batch_size": True}, "batch_size"),
    ({"crop_fraction": 0.0}, "crop_fraction"),
    ({"crop_fraction": 1.2}, "crop_fraction"),
    ({"image_size": 0}, "image_size"),
    ({"seed": 1.5}, "seed"),
])
def test_argument_errors_name_the_argument(gray_folder, kwargs, match):
    paths, conditions = gray_folder
    args = {"paths": paths, "conditions": conditions, "batch_size": 4, **kwargs}
    if args["paths"] == []:
        args["conditions"] = np.zeros((0, 2))
    with pytest.raises(ValueError, match=match):
        make_image_dataset(args.pop("paths"), args.pop("conditions"), args.pop("batch_size"), **args)


def test_a_single_path_string_is_rejected(gray_folder):
    with pytest.raises(TypeError, match="paths"):
        make_image_dataset(gray_folder[0][0], np.zeros((1, 2)), 4)
    with pytest.raises(ValueError, match="crop_fraction"):
        crop_window(10, 10, -0.5)


def test_split_datasets_shuffle_the_training_split_only(gray_folder):
    paths, conditions = gray_folder

    class Index:
        def __init__(self, rows):
            self.rows = rows

        def paths(self):
            return [paths[i] for i in self.rows]

        def conditions(self):
            return conditions[self.rows]

    splits = {"train": Index([0, 1, 2, 3, 4, 5]), "valid": Index([6, 7]), "test": Index([8, 9])}
    datasets = split_datasets(splits, 3, seed=5, image_size=8)
    assert list(datasets) == ["train", "valid", "test"]
    for name in ("valid", "test"):  # in file order
        np.testing.assert_array_equal(np.concatenate([c for _, c in epoch(datasets[name])]), splits[name].conditions())
    shuffled = np.concatenate([c for _, c in epoch(datasets["train"])])
    reference = epoch(make_image_dataset(splits["train"].paths(), splits["train"].conditions(), 3, seed=5,
                                         image_size=8))
    np.testing.assert_array_equal(shuffled, np.concatenate([c for _, c in reference]))  # the seed's order


@pytest.mark.parametrize("shuffle", [True, False])
def test_each_process_decodes_its_rows_of_every_whole_global_batch(gray_folder, shuffle):
    paths, conditions = gray_folder
    epochs = tf.Variable(0, dtype=tf.int64)

    def batches(process):
        return make_image_dataset(paths, conditions, 4, image_size=8, seed=2, shuffle=shuffle, epoch_variable=epochs,
                                  process=process)

    for epoch_number in (0, 1):
        epochs.assign(epoch_number)
        one = [order([batch]) for batch in epoch(batches((0, 1)))]  # one process: 4, 4, 2
        first, second = (epoch(batches((p, 2))) for p in (0, 1))
        assert [len(c) for _, c in first] == [len(c) for _, c in second] == [2, 2]  # the partial batch dropped
        assert batches((1, 2)).cardinality().numpy() == 2  # known, as fit's progress needs
        # side by side, the two shares are one process's whole global batches, row for row
        assert [order([a]) + order([b]) for a, b in zip(first, second)] == one[:2]


@pytest.mark.parametrize("kwargs, match", [
    ({"batch_size": 5}, "must be a multiple of their count"),
    ({"epoch_variable": None}, "needs an epoch_variable"),
    ({"batch_size": 12}, "10 images make no global batch of 12"),
])
def test_a_share_that_cannot_stay_in_step_is_refused(gray_folder, kwargs, match):
    paths, conditions = gray_folder
    args = {"batch_size": 4, "epoch_variable": tf.Variable(0, dtype=tf.int64), **kwargs}
    with pytest.raises(ValueError, match=match):
        make_image_dataset(paths, conditions, args.pop("batch_size"), image_size=8, seed=0, process=(0, 2), **args)
