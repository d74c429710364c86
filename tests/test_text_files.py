"""Tests of the shared text-file reader and of what the CelebA and LFW loaders now share:
errors naming the file and line, one error type for a bad split or an unknown attribute."""
import pathlib

import numpy as np
import pytest

from keras_autoencoders.data import celeba, lfw
from keras_autoencoders.data.locations import ARGUMENT_PLACE, DataNotFoundError
from keras_autoencoders.data.text_files import TextFile, find_folder, first_repeat, listing
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
                          celeba.CelebaFormatError, "expected 3 values after the file name, found 2"),
    "celeba attribute value": (celeba.read_attribute_file, _celeba_attributes, "000001.jpg 1 0 1",
                               celeba.CelebaFormatError, "value '0' for attribute Male of 000001.jpg"),
    "celeba partition": (celeba.read_partition_file, _celeba_partition, "000003.jpg 0 extra",
                         celeba.CelebaFormatError, "expected 'file_name split', found 3 field(s)"),
    "celeba partition split": (celeba.read_partition_file, _celeba_partition, "000003.jpg 10",
                               celeba.CelebaFormatError, "split '10' of 000003.jpg"),
    "lfw attributes": (lfw.read_lfw_attributes, _lfw_attributes, "Ana Lopez\t1\t0.5\t-1.25",
                       lfw.LfwFormatError, "expected 5 TAB-separated columns, found 4"),
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


def test_text_file_drops_bom_crlf_and_trailing_blank_lines(tmp_path):
    path = tmp_path / "f.txt"
    path.write_bytes(b"\xef\xbb\xbfa b\r\n\r\n c\t\r\n \n\n")
    file = TextFile(path, FileLineError)
    assert file.lines() == ["a b", "", " c\t"]
    words = file.words()
    assert words.counts.tolist() == [2, 0, 1] and [words.row(r) for r in range(3)] == [["a", "b"], [], ["c"]]
    assert words.after(2).row(0) == ["c"] and words.after(2).line(0) == 3


def test_words_match_bytes_split(tmp_path):
    rng = np.random.default_rng(0)
    alphabet = np.frombuffer(b"ab1-  \t\r\x0b\x0c\n\n.", np.uint8)
    path = tmp_path / "f.txt"
    path.write_bytes(b"x" + rng.choice(alphabet, 5000).tobytes() + b"y")
    file = TextFile(path, FileLineError)
    expected = [line.split() for line in file.data.split(b"\n")]
    words = file.words()
    assert words.counts.tolist() == [len(w) for w in expected]
    flat = [w.decode() for line in expected for w in line]
    assert words.strings(words.starts, words.lengths).tolist() == flat
    codes = words.codes(words.starts, words.lengths, ("1", "-1", "ab"))
    assert codes.tolist() == [("1", "-1", "ab").index(w) if w in ("1", "-1", "ab") else -1 for w in flat]


def test_strings_of_non_ascii_and_long_words(tmp_path):
    path = tmp_path / "f.txt"
    long = "n" * 100
    path.write_text(f"Zoë x\n{long}\n", encoding="utf-8")
    words = TextFile(path, FileLineError).words()
    assert words.strings(words.starts, words.lengths).tolist() == ["Zoë", "x", long]


def test_listing_and_first_repeat():
    assert listing(["a", "b"]) == "a, b"
    assert listing(list("abcdefg")) == "a, b, c, d, e ... and 2 more"
    assert first_repeat(["a", "b", "c"]) is None and first_repeat(["a", "b", "a", "b"]) == (2, 0)


def test_find_folder_records_a_base_that_is_not_a_folder(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    with pytest.raises(DataNotFoundError) as info:
        find_folder(not_a_folder, lambda place, base, attempts: base, "thing", "Thing", "Get it somewhere.")
    assert info.value.attempts == [(ARGUMENT_PLACE, not_a_folder, "not a folder")]
    assert str(info.value).endswith("Get it somewhere.") and "allow the download" not in str(info.value)
    assert find_folder(tmp_path, lambda place, base, attempts: base / "x", "thing", "Thing", "") == tmp_path / "x"
