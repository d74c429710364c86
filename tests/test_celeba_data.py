"""Tests of the CelebA reader (official layout) and of the small-folder writer.

Small folders are written with ``write_celeba_folder`` into ``tmp_path``; the text
files are checked against a plain ``str.split`` parser written here, independent
of the numpy parser under test.  The tests on the real CelebA subset run only when
``KERAS_AUTOENCODERS_DATA`` holds a ``celeba/`` folder.
"""
import os
import pathlib
import warnings

import numpy as np
import pytest
from PIL import Image

from keras_autoencoders.data.celeba import (
    ATTRIBUTE_FILE,
    ATTRIBUTE_NAMES,
    IMAGE_FOLDER,
    OFFICIAL_COUNT,
    PARTITION_FILE,
    SPLITS,
    CelebaFormatError,
    CelebaIndex,
    CorruptImageWarning,
    UnknownAttributeError,
    find_celeba_root,
    load_celeba_index,
    read_attribute_file,
    read_partition_file,
    scan_jpegs,
)
from keras_autoencoders.data.locations import DATA_ENV_VAR, DataNotFoundError
from keras_autoencoders.errors import SettingsError
from keras_autoencoders.data.make_celeba_folder import (
    corrupt_jpeg,
    draw_face,
    format_attribute_file,
    format_partition_file,
    main,
    synthetic_attributes,
    write_celeba_folder,
)

COUNT = 20
SIZE = (32, 40)
PARTITION = (14, 3, 3)


def _naive_attributes(path, rows=None):
    """(file names, names, values) of an attribute file, parsed with plain str.split."""
    lines = pathlib.Path(path).read_text().splitlines()
    body = [line.split() for line in lines[2:] if line.strip()][:rows]
    return [r[0] for r in body], lines[1].split(), np.array([[int(v) for v in r[1:]] for r in body])


def _naive_partition(path, rows=None):
    body = [line.split() for line in pathlib.Path(path).read_text().splitlines() if line.strip()]
    return {name: int(split) for name, split in body[:rows]}


@pytest.fixture
def root(tmp_path):
    """A 20-image CelebA folder (32x40 synthetic faces) with a 14/3/3 partition."""
    return write_celeba_folder(tmp_path / "celeba", COUNT, SIZE, partition=PARTITION, seed=3)


def _real_celeba_root():
    folder = os.environ.get(DATA_ENV_VAR, "")
    root = pathlib.Path(folder) / "celeba" if folder else None
    if root is None or not (root / ATTRIBUTE_FILE).is_file() or not (root / IMAGE_FOLDER).is_dir():
        pytest.skip(f"no real CelebA folder (set {DATA_ENV_VAR} to a folder holding celeba/)")
    return root


def _edit_lines(path, edit):
    path = pathlib.Path(path)
    lines = path.read_text().splitlines()
    edit(lines)
    path.write_text("\n".join(lines) + "\n")


def _set_token(line_no, position, value):
    """An edit replacing token ``position`` of 1-based line ``line_no``."""
    def edit(lines):
        tokens = lines[line_no - 1].split()
        tokens[position] = value
        lines[line_no - 1] = " ".join(tokens)
    return edit


# --------------------------------------------------------------------------- round trip


def test_round_trip_names_values_partition(root):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a real partition and good images: no warning at all
        index = load_celeba_index(root)
    names, header, values = _naive_attributes(root / ATTRIBUTE_FILE)
    assert names == [f"{i:06d}.jpg" for i in range(1, COUNT + 1)]
    assert index.filenames.tolist() == names
    assert index.attribute_names == ATTRIBUTE_NAMES == tuple(header)
    assert index.attributes.dtype == np.int8 and index.attributes.shape == (COUNT, 40)
    np.testing.assert_array_equal(index.attributes, values)
    assert set(np.unique(values)) == {-1, 1}
    partition = _naive_partition(root / PARTITION_FILE)
    np.testing.assert_array_equal(index.partition, [partition[n] for n in names])
    np.testing.assert_array_equal(index.partition, [0] * 14 + [1] * 3 + [2] * 3)
    assert index.partition.dtype == np.int8
    assert index.skipped == ()
    assert len(index) == COUNT and index.root == root
    for path in index.paths()[:3]:
        with Image.open(path) as im:
            assert im.format == "JPEG" and im.size == SIZE and im.mode == "RGB"


def test_attribute_file_uses_official_formatting(root):
    lines = (root / ATTRIBUTE_FILE).read_text().split("\n")
    assert lines[0] == str(COUNT)
    assert lines[1] == " ".join(ATTRIBUTE_NAMES) + " "
    for line in lines[2:-1]:
        name, rest = line[:10], line[10:]
        assert name.endswith(".jpg")
        # One space, the first value, then values right-aligned in 3 characters.
        assert rest[0] == " " and rest[1:].lstrip("-").startswith("1")
        tail = rest[1 + len(rest[1:].split()[0]):]
        assert len(tail) == 3 * 39 and all(tail[i:i + 3] in (" -1", "  1") for i in range(0, len(tail), 3))
    assert lines[-1] == ""


def test_conditions_split_select(root):
    index = load_celeba_index(root)
    cond = index.conditions()
    assert cond.dtype == np.float32 and cond.shape == (COUNT, 40)
    np.testing.assert_array_equal(cond, (index.attributes == 1).astype(np.float32))
    assert set(np.unique(cond)) == {0.0, 1.0}

    sizes = {name: len(index.split(name)) for name in SPLITS}
    assert sizes == dict(zip(SPLITS, PARTITION)) == index.split_counts()
    valid = index.split("valid")
    assert valid.filenames.tolist() == ["000015.jpg", "000016.jpg", "000017.jpg"]
    np.testing.assert_array_equal(valid.attributes, index.attributes[14:17])
    assert set(valid.partition.tolist()) == {1}
    with pytest.raises(SettingsError, match="train"):
        index.split("validation")

    picked = index.select([3, 1])
    assert isinstance(picked, CelebaIndex)
    assert picked.filenames.tolist() == ["000004.jpg", "000002.jpg"]
    np.testing.assert_array_equal(picked.attributes, index.attributes[[3, 1]])
    assert picked.paths() == [index.paths()[3], index.paths()[1]]
    mask = np.zeros(COUNT, dtype=bool)
    mask[[0, 5]] = True
    assert index.select(mask).filenames.tolist() == ["000001.jpg", "000006.jpg"]


def test_attribute_selection_by_name(root):
    full = load_celeba_index(root)
    wanted = ["Smiling", "Male", "Eyeglasses"]
    index = load_celeba_index(root, wanted)
    assert index.attribute_names == tuple(wanted)
    columns = [ATTRIBUTE_NAMES.index(name) for name in wanted]
    np.testing.assert_array_equal(index.attributes, full.attributes[:, columns])
    assert index.attribute_index("Male") == 1
    assert full.attribute_index("Smiling") == 31
    with pytest.raises(KeyError) as info:
        index.attribute_index("Young")
    assert "Young" in str(info.value) and "Smiling, Male, Eyeglasses" in str(info.value)


def test_multiple_space_separated_rows(tmp_path):
    path = tmp_path / ATTRIBUTE_FILE
    path.write_text(
        "3\n"
        "Bald Smiling Young \n"
        "000001.jpg -1  1  1\n"
        "000002.jpg 1 -1     -1\n"
        "000003.jpg\t 1\t1 -1 \r\n"
        "\n\n"
    )
    filenames, names, values = read_attribute_file(path)
    assert filenames.tolist() == ["000001.jpg", "000002.jpg", "000003.jpg"]
    assert names == ("Bald", "Smiling", "Young")
    assert values.dtype == np.int8
    np.testing.assert_array_equal(values, [[-1, 1, 1], [1, -1, -1], [1, 1, -1]])


def test_partition_file_parses_to_dict(tmp_path):
    path = tmp_path / PARTITION_FILE
    path.write_text("000001.jpg 0\n000002.jpg  2\n000003.jpg 1\n\n")
    assert read_partition_file(path) == {"000001.jpg": 0, "000002.jpg": 2, "000003.jpg": 1}


def test_full_size_official_text_files_load(tmp_path):
    """The official set's 202,599 rows (official formatting), joined with its partition."""
    names = [f"{i:06d}.jpg" for i in range(1, OFFICIAL_COUNT + 1)]
    block = np.random.default_rng(5).choice(np.array([-1, 1], np.int8), (997, 40))
    values = block[np.arange(OFFICIAL_COUNT) % len(block)]  # 997 value rows, formatted once, repeated
    header, formatted = format_attribute_file(names[:997], ATTRIBUTE_NAMES, block).split("\n", 2)[1:]
    rows = [line.split(" ", 1)[1] for line in formatted.splitlines()]
    (tmp_path / ATTRIBUTE_FILE).write_text(f"{OFFICIAL_COUNT}\n{header}\n" + "".join(
        f"{name} {rows[i % len(rows)]}\n" for i, name in enumerate(names)))
    splits = np.repeat(np.arange(3, dtype=np.int8), [162_770, 19_867, 19_962])
    (tmp_path / PARTITION_FILE).write_text(format_partition_file(names, splits))
    index = load_celeba_index(tmp_path, check_images=False)  # its time: bench/official_indexes.py
    assert index.filenames[-1] == "202599.jpg" and len(index) == OFFICIAL_COUNT
    assert index.attributes.dtype == np.int8 and index.partition.dtype == np.int8
    np.testing.assert_array_equal(index.attributes, values)
    np.testing.assert_array_equal(index.partition, splits)
    assert index.split_counts() == {"train": 162_770, "valid": 19_867, "test": 19_962}


# --------------------------------------------------------------------------- bad input


BAD_ATTRIBUTE_FILES = {
    # name: (edit of the lines, line named in the error or None, text in the message)
    "39 values": (lambda lines: lines.__setitem__(6, lines[6].rsplit(None, 1)[0]), 7,
                  "expected 41 fields (file name, 40 values), found 40"),
    "41 values": (lambda lines: lines.__setitem__(4, lines[4] + "  1"), 5, "found 42"),
    "value 0": (_set_token(5, 3, "0"), 5, "'0'"),
    "value 2": (_set_token(12, 40, "2"), 12, "'2' for attribute Young of 000010.jpg"),
    "value 1.0": (_set_token(3, 1, "1.0"), 3, "'1.0'"),
    "count too big": (_set_token(1, 0, "21"), 1, "says 21 images but the file lists 20 rows"),
    "count not a number": (_set_token(1, 0, "twenty"), 1, "number of images"),
    "duplicate header name": (_set_token(2, 5, "Bald"), 2, "duplicate attribute name 'Bald'"),
    "duplicate file name": (_set_token(9, 0, "000003.jpg"), 9,
                            "duplicate row for 000003.jpg (first on line 5)"),
    "blank row": (lambda lines: lines.__setitem__(3, "   "), 4, "blank line"),
    "empty file": (lambda lines: lines.clear(), None, "empty"),
}


BAD_PARTITION_FILES = {
    "split 3": (_set_token(3, 1, "3"), 3, "split '3' of 000003.jpg"),
    "split -1": (_set_token(20, 1, "-1"), 20, "split '-1'"),
    "no split": (lambda lines: lines.__setitem__(4, "000005.jpg"), 5,
                 "expected 2 fields (file name, split), found 1"),
    "split not a number": (_set_token(2, 1, "train"), 2, "'train'"),
    "duplicate": (_set_token(6, 0, "000001.jpg"), 6, "duplicate row for 000001.jpg (first on line 1)"),
}


BAD_TEXT_FILES = {**{(ATTRIBUTE_FILE, case): v for case, v in BAD_ATTRIBUTE_FILES.items()},
                  **{(PARTITION_FILE, case): v for case, v in BAD_PARTITION_FILES.items()}}


@pytest.mark.parametrize("file_name,case", sorted(BAD_TEXT_FILES))
def test_bad_text_file_names_file_and_line(root, file_name, case):
    edit, line, text = BAD_TEXT_FILES[file_name, case]
    _edit_lines(root / file_name, edit)
    with pytest.raises(CelebaFormatError) as info:
        load_celeba_index(root)
    message = str(info.value)
    assert info.value.path == root / file_name and file_name in message
    assert info.value.line == line
    if line is not None:
        assert f"{file_name}, line {line}: " in message
    assert text in message


def test_name_missing_from_either_text_file(root, tmp_path):
    _edit_lines(root / PARTITION_FILE, lambda lines: lines.pop(7))  # drops 000008.jpg
    with pytest.raises(CelebaFormatError) as info:
        load_celeba_index(root)
    assert info.value.path.name == PARTITION_FILE
    assert "000008.jpg" in str(info.value) and f"listed in {ATTRIBUTE_FILE}" in str(info.value)

    other = write_celeba_folder(tmp_path / "other", 4, SIZE)
    _edit_lines(other / PARTITION_FILE, lambda lines: lines.append("000099.jpg 0"))
    with pytest.raises(CelebaFormatError) as info:
        load_celeba_index(other)
    assert info.value.path.name == PARTITION_FILE and info.value.line == 5
    assert str(info.value).endswith(f"listed image 000099.jpg is absent from {ATTRIBUTE_FILE}")


def test_missing_root_lists_tried_places(tmp_path, monkeypatch):
    nowhere = tmp_path / "nowhere"
    with pytest.raises(DataNotFoundError) as info:
        load_celeba_index(nowhere)
    message = str(info.value)
    assert str(nowhere) in message and "no such folder" in message
    assert "mmlab.ie.cuhk.edu.hk/projects/CelebA.html" in message and "no automatic download" in message
    assert "allow the download" not in message

    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(DataNotFoundError) as info:  # an explicit folder: no fall-back to the env var
        find_celeba_root(empty)
    assert str(empty / "celeba") in str(info.value) and DATA_ENV_VAR not in str(info.value).split("To fix")[0]

    monkeypatch.delenv(DATA_ENV_VAR, raising=False)
    with pytest.raises(DataNotFoundError) as info:
        find_celeba_root()
    assert f"environment variable {DATA_ENV_VAR}: not set" in str(info.value)

    monkeypatch.setenv(DATA_ENV_VAR, str(empty))
    with pytest.raises(DataNotFoundError) as info:
        find_celeba_root()
    assert str(empty / "celeba") in str(info.value)


def test_root_found_directly_or_through_celeba_subfolder(root, monkeypatch):
    assert find_celeba_root(root) == root
    assert find_celeba_root(root.parent) == root
    monkeypatch.setenv(DATA_ENV_VAR, str(root.parent))
    assert find_celeba_root() == root
    monkeypatch.setenv(DATA_ENV_VAR, str(root))
    assert find_celeba_root() == root


@pytest.mark.parametrize("entry", [ATTRIBUTE_FILE, PARTITION_FILE, IMAGE_FOLDER])
def test_missing_entry_inside_root_is_named(root, entry):
    path = root / entry
    if path.is_dir():
        for child in path.iterdir():
            child.unlink()
        path.rmdir()
    else:
        path.unlink()
    with pytest.raises(DataNotFoundError) as info:
        load_celeba_index(root)
    assert isinstance(info.value, FileNotFoundError)
    assert str(path) in str(info.value) and entry in str(info.value).splitlines()[0]


def test_no_image_folder_needed_without_image_checks(root):
    (root / IMAGE_FOLDER).rename(root / "elsewhere")
    index = load_celeba_index(root, check_images=False)
    assert len(index) == COUNT and index.skipped == ()


def test_unknown_attribute_name(root):
    with pytest.raises(UnknownAttributeError) as info:
        load_celeba_index(root, ["Smiling", "Smilling", "Hat"])
    assert isinstance(info.value, ValueError) and isinstance(info.value, KeyError)
    message = str(info.value)
    assert "'Smilling'" in message and "'Hat'" in message and ATTRIBUTE_FILE in message
    assert ", ".join(ATTRIBUTE_NAMES) in message


def test_listed_image_absent(root):
    (root / IMAGE_FOLDER / "000004.jpg").unlink()
    (root / IMAGE_FOLDER / "000011.jpg").unlink()
    with pytest.raises(FileNotFoundError) as info:
        load_celeba_index(root)
    message = str(info.value)
    assert "2 of 20" in message and "000004.jpg, 000011.jpg" in message and IMAGE_FOLDER in message


def test_truncated_jpeg_skipped_with_one_warning(root):
    corrupt_jpeg(root / IMAGE_FOLDER / "000005.jpg", "truncate")
    full = _naive_attributes(root / ATTRIBUTE_FILE)[2]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        index = load_celeba_index(root)
    assert [w.category for w in caught] == [CorruptImageWarning]
    text = str(caught[0].message)
    assert "1 of 20" in text and "000005.jpg" in text and "FF D9" in text
    assert index.skipped == ("000005.jpg",)
    assert len(index) == COUNT - 1 and "000005.jpg" not in index.filenames.tolist()
    np.testing.assert_array_equal(index.attributes, np.delete(full, 4, axis=0))
    np.testing.assert_array_equal(index.partition, np.delete([0] * 14 + [1] * 3 + [2] * 3, 4))
    assert index.split("train").skipped == ("000005.jpg",)


def test_truncated_jpeg_raises_when_asked(root):
    bad = corrupt_jpeg(root / IMAGE_FOLDER / "000012.jpg", "truncate")
    with pytest.raises(CelebaFormatError) as info:
        load_celeba_index(root, on_corrupt="raise")
    assert info.value.path == bad and str(bad) in str(info.value)


def test_bad_on_corrupt_value(root):
    with pytest.raises(SettingsError, match="on_corrupt.*'ignore'"):
        load_celeba_index(root, on_corrupt="ignore")
    with pytest.raises(SettingsError, match="on_corrupt"):
        scan_jpegs([], on_corrupt="warn")


def test_scan_jpegs_marker_checks(root, tmp_path):
    folder = root / IMAGE_FOLDER
    corrupt_jpeg(folder / "000002.jpg", "truncate")
    corrupt_jpeg(folder / "000003.jpg", "garbage")
    (folder / "000004.jpg").write_bytes(b"")
    Image.new("RGB", SIZE).save(folder / "000005.jpg", "PNG")  # a PNG with a .jpg name
    paths = [folder / f"{i:06d}.jpg" for i in range(1, 7)] + [tmp_path / "absent.jpg"]
    with pytest.warns(CorruptImageWarning, match="4 of 7") as caught:
        mask = scan_jpegs(paths)
    assert len(caught) == 1
    assert mask.tolist() == [True, False, True, False, False, True, False]
    # "garbage" keeps the markers, so only decoding finds it (later, in the tf.data pipeline).
    with pytest.raises(OSError):
        Image.open(folder / "000003.jpg").load()
    with pytest.raises(CelebaFormatError, match="000002.jpg"):
        scan_jpegs(paths, on_corrupt="raise")
    with pytest.raises(ValueError, match="mode"):
        corrupt_jpeg(folder / "000001.jpg", "flip")


# --------------------------------------------------------------------------- fallback split


def _load_recording(root, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        index = load_celeba_index(root, **kwargs)
    return index, caught


@pytest.mark.parametrize("partition", [None, (15, 5, 0)])
def test_fallback_split_when_a_split_is_empty(tmp_path, partition):
    root = write_celeba_folder(tmp_path / "celeba", COUNT, SIZE, partition=partition)
    index, caught = _load_recording(root, seed=7)
    assert len(caught) == 1 and caught[0].category is UserWarning
    text = str(caught[0].message)
    assert PARTITION_FILE in text and "0.8" in text and "0.1" in text
    counts = index.split_counts()
    assert all(counts[name] > 0 for name in SPLITS)
    for name, fraction in zip(SPLITS, (0.8, 0.1, 0.1)):
        assert abs(counts[name] - fraction * COUNT) <= 1
    assert sorted(np.concatenate([index.split(n).filenames for n in SPLITS]).tolist()) == sorted(
        index.filenames.tolist())

    again, _ = _load_recording(root, seed=7)
    np.testing.assert_array_equal(again.partition, index.partition)
    other, _ = _load_recording(root, seed=8)
    assert not np.array_equal(other.partition, index.partition)


def test_fallback_split_fractions(tmp_path):
    root = write_celeba_folder(tmp_path / "celeba", 41, (16, 20))
    index, caught = _load_recording(root, fallback_split=(0.5, 0.25, 0.25))
    assert len(caught) == 1 and "0.5" in str(caught[0].message)
    counts = index.split_counts()
    for name, fraction in zip(SPLITS, (0.5, 0.25, 0.25)):
        assert abs(counts[name] - fraction * 41) <= 1
    assert sum(counts.values()) == 41
    with pytest.raises(SettingsError, match="fallback_split"):
        load_celeba_index(root, fallback_split=(0.5, -0.25, 0.75))


def test_real_partition_used_as_is(root):
    index, caught = _load_recording(root, seed=123)
    assert caught == []
    np.testing.assert_array_equal(index.partition, [0] * 14 + [1] * 3 + [2] * 3)


# --------------------------------------------------------------------------- writer


def test_writer_is_seeded_and_checks_partition(tmp_path):
    a = write_celeba_folder(tmp_path / "a", 5, (24, 30), seed=11)
    b = write_celeba_folder(tmp_path / "b", 5, (24, 30), seed=11)
    c = write_celeba_folder(tmp_path / "c", 5, (24, 30), seed=12)
    for name in (ATTRIBUTE_FILE, PARTITION_FILE, f"{IMAGE_FOLDER}/000003.jpg"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert (a / ATTRIBUTE_FILE).read_bytes() != (c / ATTRIBUTE_FILE).read_bytes()
    assert set(_naive_partition(a / PARTITION_FILE).values()) == {0}
    with pytest.raises(ValueError, match="summing to count=5"):
        write_celeba_folder(tmp_path / "d", 5, (24, 30), partition=(3, 1, 0))


def test_custom_attribute_names_and_size(tmp_path):
    root = write_celeba_folder(tmp_path / "celeba", 6, (50, 30), attribute_names=["Smiling", "Male"],
                               partition=(2, 2, 2))
    index = load_celeba_index(root)
    assert index.attribute_names == ("Smiling", "Male") and index.attributes.shape == (6, 2)
    with Image.open(index.paths()[0]) as im:
        assert im.size == (50, 30)


def test_synthetic_attributes_balanced_and_hair_exclusive():
    values = synthetic_attributes(2000, ATTRIBUTE_NAMES, np.random.default_rng(0))
    assert values.dtype == np.int8 and set(np.unique(values)) == {-1, 1}
    share = (values == 1).mean(axis=0)
    blond, black = ATTRIBUTE_NAMES.index("Blond_Hair"), ATTRIBUTE_NAMES.index("Black_Hair")
    others = np.delete(share, [blond, black])
    assert np.all(np.abs(others - 0.5) < 0.05)
    assert abs(share[blond] - 1 / 3) < 0.05 and abs(share[black] - 1 / 3) < 0.05
    assert not np.any((values[:, blond] == 1) & (values[:, black] == 1))


@pytest.mark.parametrize(
    "attribute", ["Smiling", "Eyeglasses", "Male", "Blond_Hair", "Black_Hair", "Wearing_Hat", "Pale_Skin"]
)
def test_drawn_attributes_change_the_face(attribute):
    base = {"Smiling": False, "Eyeglasses": False, "Male": False, "Wearing_Hat": False}

    def pixels(attrs):
        return np.asarray(draw_face(attrs, (64, 80), np.random.default_rng(5)), dtype=np.int16)

    same = pixels(base)
    np.testing.assert_array_equal(same, pixels(dict(base)))
    changed = pixels({**base, attribute: True})
    assert np.abs(changed - same).max() > 40


def test_cli_writes_folder(tmp_path, capsys):
    out = tmp_path / "cli"
    assert main([str(out), "--count", "3", "--size", "20x24", "--seed", "2"]) == 0
    assert "wrote 3 images (20x24" in capsys.readouterr().out
    with pytest.warns(UserWarning, match=PARTITION_FILE):  # all train: the fallback split
        index = load_celeba_index(out, fallback_split=(1, 1, 1))
    assert len(index) == 3
    with Image.open(index.paths()[2]) as im:
        assert im.size == (20, 24)


# --------------------------------------------------------------------------- real subset


def test_real_subset_loads():
    real = _real_celeba_root()
    index, caught = _load_recording(None)
    assert index.root == real
    names, header, values = _naive_attributes(real / ATTRIBUTE_FILE, rows=50)
    total = int((real / ATTRIBUTE_FILE).read_text().split("\n", 1)[0])
    assert len(index) == total == 10000
    assert index.attribute_names == ATTRIBUTE_NAMES == tuple(header)
    assert index.filenames[:50].tolist() == names
    np.testing.assert_array_equal(index.attributes[:50], values)
    assert index.attributes.dtype == np.int8 and index.skipped == ()
    assert set(_naive_partition(real / PARTITION_FILE).values()) == {0}  # the subset is all train
    assert [w.category for w in caught] == [UserWarning] and PARTITION_FILE in str(caught[0].message)
    counts = index.split_counts()
    assert abs(counts["train"] - 8000) <= 1 and abs(counts["valid"] - 1000) <= 1
    assert sum(counts.values()) == 10000


def test_full_size_copies_of_real_subset(tmp_path):
    real = _real_celeba_root()
    out = write_celeba_folder(tmp_path / "full", 8, (178, 218), source=real.parent)
    names, header, values = _naive_attributes(real / ATTRIBUTE_FILE, rows=8)
    got_names, got_header, got_values = _naive_attributes(out / ATTRIBUTE_FILE)
    assert got_names == names and got_header == header
    np.testing.assert_array_equal(got_values, values)
    src_lines = (real / ATTRIBUTE_FILE).read_text().split("\n")
    assert (out / ATTRIBUTE_FILE).read_text().split("\n")[2:10] == src_lines[2:10]  # byte-identical rows
    assert _naive_partition(out / PARTITION_FILE) == _naive_partition(real / PARTITION_FILE, rows=8)
    for name in names:
        with Image.open(out / IMAGE_FOLDER / name) as im, Image.open(real / IMAGE_FOLDER / name) as src:
            assert im.format == "JPEG" and im.size == (178, 218) and im.mode == "RGB"
            # The copy is the source image, enlarged: compare at the source size.
            small = np.asarray(im.convert("RGB").resize(src.size), dtype=np.float32)
            assert np.abs(small - np.asarray(src.convert("RGB"), dtype=np.float32)).mean() < 12


def test_a_seeded_sample_of_rows_and_the_columns_of_named_attributes(root):
    index = load_celeba_index(root)
    sample = index.sample(5, seed=4)
    positions = [index.filenames.tolist().index(name) for name in sample.filenames]
    assert positions == sorted(set(positions)) and len(positions) == 5  # distinct rows, in index order
    expected = np.sort(np.random.default_rng(4).choice(len(index), 5, replace=False))
    assert positions == expected.tolist()
    np.testing.assert_array_equal(sample.conditions(), index.conditions()[expected])
    assert len(index.sample(100, seed=0)) == len(index)  # asking for more gives every row
    names, columns = index.attribute_columns(["Smiling", "No_Such_Attribute", "Male"])
    assert names == ["Smiling", "Male"]
    assert columns == [index.attribute_index("Smiling"), index.attribute_index("Male")]
