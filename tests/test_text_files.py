"""Tests of the one reader of official-layout text files and the one data-folder finder, and of
what the CelebA and LFW loaders share: errors naming the file and line, one error type for a bad
split or an unknown attribute."""
import pathlib

import numpy as np
import pytest

from keras_autoencoders.data import celeba, lfw
from keras_autoencoders.data.locations import (
    ARGUMENT_PLACE, DATA_ENV_VAR, ENV_PLACE, DataFolder, DataNotFoundError,
)
from keras_autoencoders.data.text_files import TextLayout, first_repeat, listing, read_table
from keras_autoencoders.errors import FileLineError, SettingsError, UnknownAttributeError

NAMES = ("Bald", "Male", "Smiling")


def _celeba_attributes(rows=4):
    lines = [str(rows), " ".join(NAMES) + " "]
    lines += [f"{i:06d}.jpg {1 if i % 2 else -1}  1 -1" for i in range(1, rows + 1)]
    return lines


def _celeba_partition(rows=4):
    return [f"{i:06d}.jpg {i % 3}" for i in range(1, rows + 1)]


def _lfw_attributes():
    return ["# Attribute values for LFW", "#\tperson\timagenum\t" + "\t".join(NAMES),
            "Ana Lopez\t1\t0.5\t-1.25\t2", "Bob\t1\t1\t2\t3", "Bob\t2\t-1\t0\t0.125"]


def _lfw_smiles():
    return ["./lfw/Ana_Lopez/Ana_Lopez_0001.jpg 1", "./lfw/Bob/Bob_0001.jpg 0", "./lfw/Bob/Bob_0002.jpg 1"]


# (reader, its good lines, a bad 3rd line, the error class, a fragment of the reason)
MALFORMED = {
    "celeba attributes": (celeba.read_attribute_file, _celeba_attributes, "000001.jpg 1 1",
                          celeba.CelebaFormatError, "expected 4 fields (file name, 3 values), found 3"),
    "celeba attribute value": (celeba.read_attribute_file, _celeba_attributes, "000001.jpg 1 0 1",
                               celeba.CelebaFormatError,
                               "value '0' for attribute Male of 000001.jpg is not 1 or -1"),
    "celeba partition": (celeba.read_partition_file, _celeba_partition, "000003.jpg 0 extra",
                         celeba.CelebaFormatError, "expected 2 fields (file name, split), found 3"),
    "celeba partition split": (celeba.read_partition_file, _celeba_partition, "000003.jpg 10",
                               celeba.CelebaFormatError,
                               "split '10' of 000003.jpg is not 0 (train), 1 (valid) or 2 (test)"),
    "lfw attributes": (lfw.read_lfw_attributes, _lfw_attributes, "Ana Lopez\t1\t0.5\t-1.25",
                       lfw.LfwFormatError,
                       "expected 5 TAB-separated fields (person, imagenum, 3 scores), found 4"),
    "lfw attribute score": (lfw.read_lfw_attributes, _lfw_attributes, "Ana Lopez\t1\t0.5\tinf\t2",
                            lfw.LfwFormatError,
                            "score 'inf' for attribute Male of Ana_Lopez/Ana_Lopez_0001.jpg is not a finite"),
    "lfw smile labels": (lfw.read_smile_labels, _lfw_smiles, "./lfw/Bob/Bob_0001.jpg yes",
                         lfw.LfwFormatError, "label 'yes' of Bob/Bob_0001.jpg is not 0 or 1"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_line_names_the_file_and_the_line(tmp_path, case):
    reader, good, bad, error, fragment = MALFORMED[case]
    lines = good()
    lines[2] = bad
    path = tmp_path / "file.txt"
    path.write_text("\n".join(lines) + "\n\n")  # a trailing blank line is ignored
    with pytest.raises(error) as info:
        reader(path)
    assert isinstance(info.value, FileLineError)
    assert info.value.path == path and info.value.line == 3
    assert str(info.value).startswith(f"{path}, line 3: ") and fragment in str(info.value)


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_good_files_still_read(tmp_path, case):
    reader, good = MALFORMED[case][:2]
    path = tmp_path / "file.txt"
    path.write_text("\n".join(good()) + "\n")
    reader(path)


@pytest.mark.parametrize("reader, error", [(celeba.read_attribute_file, celeba.CelebaFormatError),
                                           (lfw.read_smile_labels, lfw.LfwFormatError)])
def test_non_utf8_and_empty_files_for_both_loaders(tmp_path, reader, error):
    path = tmp_path / "file.txt"
    path.write_bytes(b"3\nBald\n000001.jpg 1\nB\xe9b 1\n")
    with pytest.raises(error, match="line 4: not UTF-8"):
        reader(path)
    path.write_text(" \n\n\t\n")
    with pytest.raises(error) as info:
        reader(path)
    assert str(info.value) == f"{path}: the file is empty" and info.value.line is None


def _celeba_index():
    n = 4
    return celeba.CelebaIndex(pathlib.Path("celeba"), np.array([f"{i:06d}.jpg" for i in range(n)]),
                              np.ones((n, len(NAMES)), np.int8), NAMES, np.array([0, 0, 1, 2], np.int8))


def _lfw_index(names=NAMES):
    n = 4
    return lfw.LfwIndex(pathlib.Path("lfw"), np.array([f"P/P_{i:04d}.jpg" for i in range(1, n + 1)]),
                        np.array(["P"] * n), np.array([False, False, True, True]), names,
                        np.zeros((n, len(names)), np.float32), np.full(n, -1, np.int8))


@pytest.mark.parametrize("index, bad", [(_celeba_index, "validation"), (_lfw_index, "valid")])
def test_bad_split_name_is_a_settings_error_for_both(index, bad):
    with pytest.raises(SettingsError, match=f"split must be one of .*{bad!r}"):
        index().split(bad)


@pytest.mark.parametrize("index", [_celeba_index, _lfw_index])
def test_unknown_attribute_is_one_error_type_for_both(index):
    assert index().attribute_index("Male") == 1
    with pytest.raises(UnknownAttributeError) as info:
        index().attribute_index("Smile")
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)
    assert str(info.value) == "unknown attribute name 'Smile' in this index; valid names: Bald, Male, Smiling"
    assert celeba.UnknownAttributeError is lfw.UnknownAttributeError is UnknownAttributeError


def test_lfw_index_without_attributes_says_so():
    with pytest.raises(UnknownAttributeError, match=f"valid names: none \\(no {lfw.ATTRIBUTE_FILE} was read\\)"):
        _lfw_index(()).attribute_index("Smiling")


# --------------------------------------------------------------------------- the reader itself


LAYOUT = TextLayout(FileLineError, ("name",), "value", {"-1": -1, "1": 1}, "1 or -1",
                    header=("count", "names"))


def test_reader_drops_bom_crlf_and_trailing_blank_lines_and_keeps_line_numbers(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"\xef\xbb\xbf2\r\n a\tb \r\nx 1\x0b -1\r\ny\t-1  1\r\n \r\n\n")
    table = read_table(path, LAYOUT)
    assert table.keys.tolist() == ["x", "y"] and table.names == ("a", "b") and table.first_line == 3
    assert table.values.dtype == np.int8 and table.values.tolist() == [[1, -1], [-1, 1]]
    path.write_bytes(b"\xef\xbb\xbf2\r\na b\r\nx 1 -1\r\n\r\ny 1 1\r\n")
    with pytest.raises(FileLineError, match=r"line 4: expected 3 fields \(name, 2 values\), found a blank"):
        read_table(path, LAYOUT)


def test_reader_of_real_numbers_checks_them_finite(tmp_path):
    layout = TextLayout(FileLineError, ("name",), "score", separator="\t", header=("names",))
    path = tmp_path / "f.txt"
    path.write_text("a\tb\nx\t1.5\t-2e3\ny\t 0 \t1\n")
    table = read_table(path, layout)
    assert table.values.dtype == np.float32 and table.values.tolist() == [[1.5, -2000.0], [0.0, 1.0]]
    path.write_text("a\tb\nx\t1.5\t-2e3\ny\t0\tnan\n")
    with pytest.raises(FileLineError, match="line 3: score 'nan' for attribute b of y is not a finite"):
        read_table(path, layout)


def test_table_positions_name_the_line_of_an_absent_image(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("3\na b\nx 1 1\ny 1 1\nz 1 1\n")
    table = read_table(path, LAYOUT)
    assert table.positions(["z", "q", "x", "y"], "the folder").tolist() == [2, 3, 0]
    with pytest.raises(FileLineError) as info:
        table.positions(["x", "z"], "the folder")
    assert info.value.line == 4 and str(info.value).endswith("listed image y is absent from the folder")


def test_listing_and_first_repeat():
    assert listing(["a", "b"]) == "a, b"
    assert listing(list("abcdefg")) == "a, b, c, d, e ... and 2 more"
    assert first_repeat(["a", "b", "c"]) is None and first_repeat(["a", "b", "a", "b"]) == (2, 0)


# --------------------------------------------------------------------------- the finder itself


THING = DataFolder("thing", "Thing", ("images", "list.txt"), "Get it somewhere.")


def test_finder_records_a_base_that_is_not_a_folder(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(DataNotFoundError) as info:
        THING.find(not_a_folder)
    assert info.value.attempts == [(ARGUMENT_PLACE, not_a_folder, "not a folder")]
    assert str(info.value).endswith("Get it somewhere.") and "allow the download" not in str(info.value)


def test_finder_takes_the_folder_its_subfolder_or_the_parent_of_a_mark(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_ENV_VAR, raising=False)
    folder = tmp_path / "thing"
    (folder / "images").mkdir(parents=True)
    assert THING.find(folder) == THING.find(tmp_path) == THING.find(folder / "images") == folder
    (folder / "images").rmdir()
    (folder / "list.txt").write_text("")
    assert THING.find(tmp_path) == folder
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path))
    assert THING.find() == THING.find("") == folder
    with pytest.raises(DataNotFoundError) as info:  # an explicit folder: no fall-back to the variable
        THING.find(folder / "list.txt")
    assert info.value.attempts == [(ARGUMENT_PLACE, folder / "list.txt", "not a folder")]
    monkeypatch.setenv(DATA_ENV_VAR, str(tmp_path / "elsewhere"))
    with pytest.raises(DataNotFoundError) as info:
        THING.find()
    assert info.value.attempts == [(ENV_PLACE, tmp_path / "elsewhere", "no such folder")]


def test_finder_lists_both_places_it_looked_in(tmp_path):
    with pytest.raises(DataNotFoundError) as info:
        THING.find(tmp_path)
    assert info.value.attempts == [(ARGUMENT_PLACE, tmp_path, "holds none of images, list.txt"),
                                   (ARGUMENT_PLACE, tmp_path / "thing", "no such folder")]
    assert str(info.value).splitlines()[0] == "Could not find Thing (thing). Tried:"
    with pytest.raises(DataNotFoundError, match="Could not find Thing list \\(list.txt\\)") as info:
        THING.require(tmp_path / "list.txt", "Thing folder", "Thing list")
    assert info.value.attempts == [("Thing folder", tmp_path / "list.txt", "no such file")]
    assert THING.require(tmp_path, "Thing folder", "Thing", folder=True) == tmp_path
