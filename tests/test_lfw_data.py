"""Tests of the LFW reader: folder scan, person split, attribute and smile-label files.

Small LFW folders (tiny real JPEGs) are written into ``tmp_path`` here; the test on
the real deep-funneled set runs only when ``KERAS_AUTOENCODERS_DATA`` holds ``lfw/``.
"""
import os
import pathlib

import numpy as np
import pytest
from PIL import Image

from keras_autoencoders.data.lfw import (
    ATTRIBUTE_FILE,
    IMAGE_FOLDER,
    OFFICIAL_COUNT,
    OFFICIAL_PEOPLE,
    SMILE_LABEL_FILE,
    LfwFormatError,
    LfwIndex,
    UnknownAttributeError,
    find_lfw_root,
    load_lfw_index,
    read_lfw_attributes,
    read_smile_labels,
    split_people,
)
from keras_autoencoders.data.locations import DATA_ENV_VAR, DataNotFoundError
from keras_autoencoders.errors import DataFormatError, SettingsError

# person folder name -> number of images
PEOPLE = {"Ana_Maria_Lopez": 3, "Bob": 1, "Carl-Jan_Smit": 2, "Dee_O": 1, "Eve_Li": 4}
EXPECTED = sorted(f"{p}/{p}_{i:04d}.jpg" for p, count in PEOPLE.items() for i in range(1, count + 1))
SIZE = (40, 48)


def write_lfw_folder(root, people=PEOPLE, seed=0):
    """``root/lfw-deepfunneled/<Name>/<Name>_NNNN.jpg`` (tiny noise JPEGs) plus stray entries."""
    rng = np.random.default_rng(seed)
    images = pathlib.Path(root) / IMAGE_FOLDER
    for person, count in people.items():
        (images / person).mkdir(parents=True)
        for i in range(1, count + 1):
            pixels = rng.integers(0, 256, (SIZE[1], SIZE[0], 3), dtype=np.uint8)
            Image.fromarray(pixels).save(images / person / f"{person}_{i:04d}.jpg", quality=90)
    first = next(iter(people))
    (images / "README.txt").write_text("not an image")
    (images / first / "Thumbs.db").write_bytes(b"x")
    (images / first / f"{first}_0001.png").write_bytes(b"x")     # wrong suffix
    (images / first / f"{first}_01.jpg").write_bytes(b"x")       # not 4 digits
    (images / first / "Someone_Else_0001.jpg").write_bytes(b"x")  # not this person's name
    (images / "Empty_Person").mkdir()                               # no image: no person
    return pathlib.Path(root)


@pytest.fixture
def lfw(tmp_path):
    return write_lfw_folder(tmp_path / "lfw")


def attribute_text(rows, names=("Male", "Middle Aged", "Smiling")):
    """An official-style attribute file: two '#' header lines, TAB-separated rows."""
    lines = ["# Attribute values for LFW, computed by attribute classifiers",
             "#\t" + "\t".join(("person", "imagenum") + tuple(names))]
    lines += ["\t".join([person, str(num)] + [f"{v:.5f}" for v in values]) for person, num, values in rows]
    return "\n".join(lines) + "\n"


ROWS = [
    ("Ana Maria Lopez", 2, (1.5, -0.25, 2.0)),
    ("Eve Li", 4, (-1.0, 0.5, -3.125)),
    ("Bob", 1, (0.75, 1.25, -0.5)),
]


def _error(path, line):
    """The message prefix an LfwFormatError on ``line`` of ``path`` must have."""
    return f"{path}, line {line}: " if line is not None else f"{path}: "


# --------------------------------------------------------------------------- scan and index


def test_index_lists_exactly_the_matching_images_and_people(lfw):
    index = load_lfw_index(lfw)
    assert isinstance(index, LfwIndex) and index.root == lfw and len(index) == len(EXPECTED) == 11
    assert sorted(index.filenames.tolist()) == EXPECTED
    assert [f.split("/")[0] for f in index.filenames.tolist()] == index.people.tolist()
    assert set(index.people.tolist()) == set(PEOPLE)
    for person, count in PEOPLE.items():
        assert (index.people == person).sum() == count
    paths = index.paths()
    assert all(os.path.isfile(p) and p.startswith(str(lfw / IMAGE_FOLDER)) for p in paths)
    # Sorted by person, then file; no attributes or smile labels without the files.
    assert index.people.tolist() == sorted(index.people.tolist())
    assert index.attribute_names == () and index.attribute_scores.shape == (11, 0)
    assert index.smiling.dtype == np.int8 and (index.smiling == -1).all()
    assert index.labelled_smiles().size == 0
    cond = index.conditions()
    assert cond.dtype == np.float32 and cond.shape == (11, 1) and not cond.any()


def test_root_found_from_lfw_folder_parent_image_folder_or_env(lfw, monkeypatch):
    monkeypatch.delenv(DATA_ENV_VAR, raising=False)
    assert find_lfw_root(lfw) == lfw
    assert find_lfw_root(lfw.parent) == lfw
    assert find_lfw_root(lfw / IMAGE_FOLDER) == lfw
    monkeypatch.setenv(DATA_ENV_VAR, str(lfw.parent))
    assert find_lfw_root() == lfw
    assert len(load_lfw_index()) == 11


def test_missing_folder_lists_what_was_tried(tmp_path, lfw, monkeypatch):
    nowhere = tmp_path / "nowhere"
    with pytest.raises(DataNotFoundError) as info:
        load_lfw_index(nowhere)
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    assert str(nowhere) in message and "no such folder" in message
    assert "LFW website" in message and "deep funneled" in message and "http" not in message
    assert "allow the download" not in message

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv(DATA_ENV_VAR, str(lfw.parent))  # valid, but an explicit folder does not fall back
    with pytest.raises(DataNotFoundError) as info:
        find_lfw_root(empty)
    tried = str(info.value).split("To fix")[0]
    assert str(empty) in tried and str(empty / "lfw") in tried and DATA_ENV_VAR not in tried

    monkeypatch.delenv(DATA_ENV_VAR)
    with pytest.raises(DataNotFoundError) as info:
        find_lfw_root()
    assert f"environment variable {DATA_ENV_VAR}: not set" in str(info.value)

    monkeypatch.setenv(DATA_ENV_VAR, str(empty))
    with pytest.raises(DataNotFoundError) as info:
        find_lfw_root()
    assert str(empty / "lfw") in str(info.value)


def test_folder_without_images_is_an_error_naming_it(tmp_path):
    images = tmp_path / "lfw" / IMAGE_FOLDER
    (images / "Bob").mkdir(parents=True)
    (images / "Bob" / "notes.txt").write_text("x")
    with pytest.raises(DataNotFoundError) as info:
        load_lfw_index(tmp_path)
    assert str(images) in str(info.value) and "holds no" in str(info.value)


# --------------------------------------------------------------------------- split


def _people_split(index):
    return set(index.split("train").people.tolist()), set(index.split("validation").people.tolist())


def test_split_is_by_person_seeded_and_respects_the_fraction(tmp_path):
    people = {f"Person_{chr(65 + i)}": 1 + i % 3 for i in range(20)}
    root = write_lfw_folder(tmp_path / "lfw", people)
    index = load_lfw_index(root, validation_fraction=0.25, seed=0)
    train, validation = _people_split(index)
    assert train.isdisjoint(validation) and train | validation == set(people)
    assert len(validation) == 5  # a quarter of 20 people, whatever their image counts
    assert index.split_counts() == {"train": len(index.split("train")),
                                    "validation": len(index.split("validation"))}
    assert sum(index.split_counts().values()) == len(index) == sum(people.values())
    assert index.split("validation").is_validation.all() and not index.split("train").is_validation.any()

    again = load_lfw_index(root, validation_fraction=0.25, seed=0)
    np.testing.assert_array_equal(again.is_validation, index.is_validation)
    other = load_lfw_index(root, validation_fraction=0.25, seed=1)
    assert _people_split(other)[1] != validation and len(_people_split(other)[1]) == 5
    assert len(_people_split(load_lfw_index(root, validation_fraction=0.5))[1]) == 10

    with pytest.raises(SettingsError, match="split must be one of"):
        index.split("valid")


def test_split_people_keeps_both_splits_non_empty():
    people = np.array(["a", "a", "b", "c"])
    mask = split_people(people, 0.01, seed=3)
    assert mask.sum() >= 1 and set(people[mask]).isdisjoint(people[~mask])
    assert (~split_people(people, 0.99, seed=3)).sum() >= 1


@pytest.mark.parametrize("fraction", [0, 1, 0.0, 1.0, -0.1, 1.5, float("nan"), True, "0.2", None])
def test_validation_fraction_checked(lfw, fraction):
    with pytest.raises(SettingsError, match="validation_fraction"):
        load_lfw_index(lfw, validation_fraction=fraction)


def test_select_by_positions_and_mask(lfw):
    index = load_lfw_index(lfw)
    picked = index.select([4, 0])
    assert picked.filenames.tolist() == [index.filenames[4], index.filenames[0]]
    assert picked.people.tolist() == [index.people[4], index.people[0]]
    mask = index.people == "Eve_Li"
    assert index.select(mask).filenames.tolist() == [f"Eve_Li/Eve_Li_{i:04d}.jpg" for i in range(1, 5)]
    text = repr(index)
    assert "images=11" in text and "people=5" in text and "smile_labels=0" in text


def test_first_rows_of_an_index(lfw):
    index = load_lfw_index(lfw)
    assert index.first(3).filenames.tolist() == index.filenames[:3].tolist()
    assert index.first(3).people.tolist() == index.people[:3].tolist()
    assert index.first(0) is index and len(index.first(100)) == len(index) == 11
    with pytest.raises(ValueError, match="count"):
        index.first(-1)


def test_works_with_the_image_pipeline(lfw):
    from keras_autoencoders.data.image_pipeline import first_images

    index = load_lfw_index(lfw, smile_labels_file=_smile_file(lfw))
    images, conditions = first_images(index, 6, image_size=32)
    assert images.shape == (6, 32, 32, 3) and images.dtype == np.float32
    assert 0.0 <= images.min() and images.max() <= 1.0 and images.std() > 0.05
    np.testing.assert_array_equal(conditions, index.conditions()[:6])


# --------------------------------------------------------------------------- attribute file


def test_attribute_file_round_trip_and_join(lfw):
    path = lfw / "attrs.txt"
    path.write_text(attribute_text(ROWS))
    keys, names, scores = read_lfw_attributes(path)
    assert keys.tolist() == ["Ana_Maria_Lopez/Ana_Maria_Lopez_0002.jpg", "Eve_Li/Eve_Li_0004.jpg",
                             "Bob/Bob_0001.jpg"]
    assert names == ("Male", "Middle Aged", "Smiling")
    assert scores.dtype == np.float32 and scores.shape == (3, 3)
    np.testing.assert_array_equal(scores, np.array([r[2] for r in ROWS], dtype=np.float32))

    index = load_lfw_index(lfw, attributes_file=path)
    assert index.attribute_names == names and index.attribute_scores.dtype == np.float32
    for person, num, values in ROWS:
        folder = person.replace(" ", "_")
        row = index.filenames.tolist().index(f"{folder}/{folder}_{num:04d}.jpg")
        np.testing.assert_array_equal(index.attribute_scores[row], np.float32(values))
    listed = np.isin(index.filenames, keys)
    assert listed.sum() == 3 and np.isnan(index.attribute_scores[~listed]).all()
    assert index.attribute_index("Middle Aged") == 1
    np.testing.assert_array_equal(index.attribute("Smiling"), index.attribute_scores[:, 2])
    # The selection keeps the scores with their images.
    sub = index.select(listed)
    assert not np.isnan(sub.attribute_scores).any() and sub.attribute_names == names


def test_attribute_file_found_beside_the_images_by_default(lfw):
    (lfw / ATTRIBUTE_FILE).write_text(attribute_text([(p, n, v[2:]) for p, n, v in ROWS], names=("Smiling",)))
    index = load_lfw_index(lfw)
    assert index.attribute_names == ("Smiling",)
    smiling = index.attribute("Smiling")
    assert (~np.isnan(smiling)).sum() == 3
    assert smiling[index.filenames.tolist().index("Eve_Li/Eve_Li_0004.jpg")] == np.float32(-3.125)


def test_header_without_a_tab_after_the_hash_and_crlf_line_ends(lfw):
    text = attribute_text(ROWS).replace("#\tperson", "#person").replace("\n", "\r\n")
    path = lfw / "attrs.txt"
    path.write_bytes(text.encode())
    keys, names, _ = read_lfw_attributes(path)
    assert names == ("Male", "Middle Aged", "Smiling") and len(keys) == 3


def test_unknown_attribute_lists_the_valid_names(lfw):
    path = lfw / "attrs.txt"
    path.write_text(attribute_text(ROWS))
    index = load_lfw_index(lfw, attributes_file=path)
    with pytest.raises(UnknownAttributeError) as info:
        index.attribute("Smile")
    message = str(info.value)
    assert "'Smile'" in message and "Male, Middle Aged, Smiling" in message
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)
    with pytest.raises(UnknownAttributeError, match=f"no {ATTRIBUTE_FILE} was read"):
        load_lfw_index(lfw).attribute_index("Smiling")


def _good_lines():
    return attribute_text(ROWS).split("\n")[:-1]


def _edit(index, value):
    def edit(lines):
        lines[index] = value
        return lines
    return edit


# (name, edit of the good lines or whole raw bytes, expected line, fragment of the reason)
BAD_ATTRIBUTES = [
    ("no first comment", lambda ls: ls[1:], 1, "found the column names; expected a comment line before them"),
    ("first line not a comment", _edit(0, "Attribute values for LFW"), 1,
     "expected a comment line starting with '#'"),
    ("one header line", lambda ls: ls[:1], 2,
     "expected the column names on a line starting with '#', found ''"),
    ("second line not a header", _edit(1, "Ana Maria Lopez\t2\t1\t2\t3"), 2,
     "expected the column names on a line starting with '#', found 'Ana Maria Lopez"),
    ("no person column", _edit(1, "#\tname\timagenum\tMale\tMiddle Aged\tSmiling"), 2, "person and imagenum"),
    ("repeated attribute", _edit(1, "#\tperson\timagenum\tMale\tMale\tSmiling"), 2, "duplicate attribute name 'Male'"),
    ("header only", lambda ls: ls[:2], None, "no image rows"),
    ("short row", _edit(3, "Eve Li\t4\t-1.0\t0.5"), 4,
     "expected 5 TAB-separated fields (person, imagenum, 3 scores), found 4"),
    ("long row", _edit(4, "Bob\t1\t1\t2\t3\t4"), 5,
     "expected 5 TAB-separated fields (person, imagenum, 3 scores), found 6"),
    ("space separated", _edit(2, "Ana Maria Lopez 2 1.5 -0.25 2.0"), 3, "found 1"),
    ("image number zero", _edit(3, "Eve Li\t0\t1\t2\t3"), 4, "image number '0' of Eve Li is not a positive integer"),
    ("image number negative", _edit(3, "Eve Li\t-4\t1\t2\t3"), 4, "'-4'"),
    ("image number fraction", _edit(3, "Eve Li\t4.0\t1\t2\t3"), 4, "'4.0'"),
    ("score not a number", _edit(4, "Bob\t1\t0.5\tyes\t3"), 5,
     "score 'yes' for attribute Middle Aged of Bob/Bob_0001.jpg is not a finite number"),
    ("score nan", _edit(4, "Bob\t1\t0.5\t1\tnan"), 5,
     "score 'nan' for attribute Smiling of Bob/Bob_0001.jpg is not a finite number"),
    ("duplicate row", lambda ls: ls + ["Eve Li\t4\t1\t2\t3"], 6,
     "duplicate row for Eve_Li/Eve_Li_0004.jpg (first on line 4)"),
    ("blank row", lambda ls: ls[:3] + [""] + ls[3:], 4, "blank line"),
    ("empty person", _edit(2, "\t2\t1\t2\t3"), 3, "empty person name"),
]


@pytest.mark.parametrize("name, edit, line, fragment", BAD_ATTRIBUTES, ids=[c[0] for c in BAD_ATTRIBUTES])
def test_bad_attribute_files_name_file_and_line(tmp_path, name, edit, line, fragment):
    path = tmp_path / ATTRIBUTE_FILE
    path.write_text("\n".join(edit(_good_lines())) + "\n")
    with pytest.raises(LfwFormatError) as info:
        read_lfw_attributes(path)
    message = str(info.value)
    assert message.startswith(_error(path, line)), message
    assert fragment in message
    assert info.value.line == line and info.value.path == path
    assert isinstance(info.value, DataFormatError)


@pytest.mark.parametrize("reader", [read_lfw_attributes, read_smile_labels])
def test_empty_and_non_utf8_files(tmp_path, reader):
    path = tmp_path / "file.txt"
    path.write_text("\n  \n\n")
    with pytest.raises(LfwFormatError) as info:
        reader(path)
    assert str(info.value) == f"{path}: the file is empty"
    path.write_bytes(b"# ok\n#\tperson\timagenum\tMale\nBob\t1\t0.5\nB\xe9b\t2\t1\n")
    with pytest.raises(LfwFormatError) as info:
        reader(path)
    assert str(info.value).startswith(_error(path, 4)) and "not UTF-8" in str(info.value)


def test_attribute_row_for_an_absent_image(lfw):
    path = lfw / "attrs.txt"
    path.write_text(attribute_text(ROWS + [("Zoe Nobody", 1, (0, 0, 0)), ("Bob", 2, (1, 1, 1))]))
    with pytest.raises(LfwFormatError) as info:
        load_lfw_index(lfw, attributes_file=path)
    message = str(info.value)
    assert message.startswith(_error(path, 6)) and "listed image Zoe_Nobody/Zoe_Nobody_0001.jpg is absent" in message


def test_explicit_missing_attribute_file(lfw):
    with pytest.raises(DataNotFoundError) as info:
        load_lfw_index(lfw, attributes_file=lfw / "nope.txt")
    assert str(lfw / "nope.txt") in str(info.value) and "attributes_file" in str(info.value)


def test_a_full_size_attribute_file_reads_every_row(tmp_path):
    rng = np.random.default_rng(5)
    names = [f"Attribute {j}" for j in range(73)]
    values = rng.normal(size=(OFFICIAL_COUNT, 73))
    rows = [(f"Person {i // 3}", i % 3 + 1, values[i]) for i in range(OFFICIAL_COUNT)]
    path = tmp_path / ATTRIBUTE_FILE
    path.write_text(attribute_text(rows, names))
    keys, got_names, scores = read_lfw_attributes(path)  # its time: bench/official_indexes.py
    assert len(keys) == OFFICIAL_COUNT and got_names == tuple(names) and scores.shape == (OFFICIAL_COUNT, 73)
    assert keys[4] == "Person_1/Person_1_0002.jpg"
    np.testing.assert_allclose(scores, values, atol=1e-5)


# --------------------------------------------------------------------------- smile labels


SMILES = {"Ana_Maria_Lopez/Ana_Maria_Lopez_0001.jpg": 1, "Bob/Bob_0001.jpg": 0,
          "Eve_Li/Eve_Li_0003.jpg": 1, "Carl-Jan_Smit/Carl-Jan_Smit_0002.jpg": 0}


def _smile_file(lfw, labels=SMILES, name="smiles.txt"):
    path = lfw / name
    path.write_text("".join(f"./lfw/{key} {label}\n" for key, label in labels.items()))
    return path


def test_smile_labels_parsed_and_joined(lfw):
    path = _smile_file(lfw)
    keys, labels = read_smile_labels(path)
    assert keys.tolist() == list(SMILES) and labels.tolist() == list(SMILES.values())
    assert labels.dtype == np.int8

    index = load_lfw_index(lfw, smile_labels_file=path)
    got = {index.filenames[i]: int(index.smiling[i]) for i in index.labelled_smiles()}
    assert got == SMILES
    assert (index.smiling == -1).sum() == len(index) - len(SMILES)
    np.testing.assert_array_equal(index.conditions()[:, 0], (index.smiling == 1).astype(np.float32))
    assert index.conditions().sum() == 2

    # The default file beside the images is read when no file is named.
    _smile_file(lfw, name=SMILE_LABEL_FILE)
    np.testing.assert_array_equal(load_lfw_index(lfw).smiling, index.smiling)


BAD_SMILES = [
    ("label two", "./lfw/Bob/Bob_0001.jpg 2", "label '2' of Bob/Bob_0001.jpg is not 0 or 1"),
    ("one field", "./lfw/Bob/Bob_0001.jpg", "expected 2 fields (path, label), found 1"),
    ("three fields", "./lfw/Bob/Bob_0001.jpg 1 0", "expected 2 fields (path, label), found 3"),
    ("blank line", "", "expected 2 fields (path, label), found a blank line"),
    ("bad path", "./lfw/Bob/Eve_0001.jpg 1", "does not end in <Name>/<Name>_NNNN.jpg"),
    ("no folder", "Bob_0001.jpg 1", "does not end in"),
    ("duplicate", "lfw/Eve_Li/Eve_Li_0003.jpg 0", "duplicate row for Eve_Li/Eve_Li_0003.jpg (first on line 3)"),
]


@pytest.mark.parametrize("name, bad, fragment", BAD_SMILES, ids=[c[0] for c in BAD_SMILES])
def test_bad_smile_files_name_file_and_line(tmp_path, name, bad, fragment):
    lines = [f"./lfw/{key} {label}" for key, label in SMILES.items()]
    lines.insert(3, bad)  # becomes line 4
    path = tmp_path / SMILE_LABEL_FILE
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(LfwFormatError) as info:
        read_smile_labels(path)
    assert str(info.value).startswith(_error(path, 4)) and fragment in str(info.value)
    assert info.value.line == 4


def test_smile_label_for_an_absent_image(lfw):
    path = _smile_file(lfw, {**SMILES, "Bob/Bob_0007.jpg": 1})
    with pytest.raises(LfwFormatError) as info:
        load_lfw_index(lfw, smile_labels_file=path)
    assert str(info.value).startswith(_error(path, 5)) and "listed image Bob/Bob_0007.jpg is absent" in str(info.value)


# --------------------------------------------------------------------------- real data


def test_real_lfw_folder():
    folder = os.environ.get(DATA_ENV_VAR, "")
    root = pathlib.Path(folder) / "lfw" if folder else None
    if root is None or not (root / IMAGE_FOLDER).is_dir():
        pytest.skip(f"no real LFW folder (set {DATA_ENV_VAR} to a folder holding lfw/)")
    index = load_lfw_index(root.parent)
    assert len(index) == OFFICIAL_COUNT and len(np.unique(index.people)) == OFFICIAL_PEOPLE
    if (root / SMILE_LABEL_FILE).is_file():
        assert index.labelled_smiles().size == 3780 and (index.smiling == 1).sum() == 1867
    train, validation = _people_split(index)
    assert train.isdisjoint(validation) and len(validation) == round(0.2 * OFFICIAL_PEOPLE)
    assert index.paths()[0].endswith(os.path.join(IMAGE_FOLDER, "AJ_Cook", "AJ_Cook_0001.jpg"))
