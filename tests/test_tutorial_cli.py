"""What a user meets first: strict flags, one clear message for the library's errors, data found first."""
import os
import pathlib
import subprocess
import sys
from dataclasses import dataclass

import pytest

from keras_autoencoders.data.celeba import CelebaFormatError
from keras_autoencoders.data.locations import DataNotFoundError
from keras_autoencoders.errors import KerasAutoencodersError, SettingsError
from keras_autoencoders.tutorial import TutorialSettings, setting, summary_lines

REPO = pathlib.Path(__file__).resolve().parents[1]


@dataclass
class DemoSettings(TutorialSettings):
    """Demo settings: the first line is the parser's description."""

    RUN_NAME = "demo"
    epochs: int = setting(1000, "training epochs", quick=10)
    gamma: float = setting(1.0, "weight of L_llike: the decoder's loss")
    preset: str = setting("article", "variant", choices=("article", "corrected"))
    pretrained: bool = setting(False, "use the shipped model")


def _run(script: str, *args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env_extra or {})}
    return subprocess.run([sys.executable, str(REPO / "tutorials" / script), *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


def test_settings_precedence_article_then_quick_then_flags():
    article = DemoSettings.parse(argv=[])
    assert (article.epochs, article.gamma, article.out, article.quick) == (1000, 1.0, "runs/demo", False)
    quick = DemoSettings.parse(argv=["--quick", "--gamma", "2", "--pretrained"])
    assert (quick.epochs, quick.gamma, quick.pretrained, quick.out) == (10, 2.0, True, "runs/demo-quick")
    assert DemoSettings.parse(argv=["--quick", "--epochs", "3"]).epochs == 3  # a flag beats the preset
    assert quick.as_dict()["gamma"] == 2.0 and quick.replace(epochs=5).epochs == 5


@dataclass
class PeriodSettings(TutorialSettings):
    """Counts that must fill whole periods of 3."""

    iterations: int = setting(48000, "iterations", quick=300, multiple_of=3)


def test_a_count_that_does_not_fill_whole_periods_is_refused_naming_the_flag():
    assert PeriodSettings.parse(argv=["--quick"]).iterations == 300
    for bad in ("100", "0", "-3"):
        with pytest.raises(SettingsError, match=rf"--iterations must be a positive multiple of 3 .*, got {bad}"):
            PeriodSettings.parse(argv=["--iterations", bad])


def test_unknown_flag_stops_with_a_suggestion(capsys):
    with pytest.raises(SystemExit) as stop:
        DemoSettings.parse(argv=["--quick", "--gama", "2"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --gama 2" in err and "did you mean --gamma?" in err


def test_choices_are_enforced(capsys):
    with pytest.raises(SystemExit):
        DemoSettings.parse(argv=["--preset", "fixed"])
    assert "invalid choice: 'fixed'" in capsys.readouterr().err


def test_library_errors_share_one_base():
    assert issubclass(DataNotFoundError, KerasAutoencodersError) and issubclass(DataNotFoundError, FileNotFoundError)
    assert issubclass(CelebaFormatError, KerasAutoencodersError) and issubclass(CelebaFormatError, ValueError)
    assert issubclass(SettingsError, ValueError)


def test_summary_prints_plain_numbers():
    import numpy as np

    lines = summary_lines("runs/x", {"accuracy": np.float64(0.66812), "steps": np.int64(5000)})
    assert lines[-2:] == ["  accuracy: 0.6681", "  steps: 5000"]


@pytest.mark.slow  # starts a tutorial in a new process
def test_mistyped_flag_exits_before_any_work(tmp_path):
    done = _run("part6_cvae_gan.py", "--quick", "--gama", "2", "--out", str(tmp_path / "run"))
    assert done.returncode == 2
    assert "did you mean --gamma?" in done.stderr
    assert not (tmp_path / "run").exists() and "Epoch" not in done.stdout


@pytest.mark.slow  # starts a tutorial in a new process
def test_missing_data_is_reported_before_training(tmp_path):
    done = _run("part4_cvae.py", "--data-dir", str(tmp_path / "nowhere"), "--out", str(tmp_path / "run"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "error: Could not find MNIST" in done.stderr
    assert not (tmp_path / "run" / "figures").exists()  # the toy autoencoders did not train first


@pytest.mark.slow  # starts a tutorial in a new process
def test_malformed_celeba_file_gives_one_line_and_exit_status_1(tmp_path):
    from keras_autoencoders.data.make_celeba_folder import write_celeba_folder

    folder = write_celeba_folder(tmp_path / "celeba", count=12, image_size=(36, 44), seed=0)
    attributes = folder / "list_attr_celeba.txt"
    lines = attributes.read_text().splitlines()
    attributes.write_text("\n".join(["202599"] + lines[1:]) + "\n")
    done = _run("celeba_cvae.py", "--data-dir", str(folder), "--out", str(tmp_path / "run"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    message = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(message) == 1 and "list_attr_celeba.txt, line 1" in message[0] and "202599" in message[0]


def test_help_names_each_flag_with_the_article_and_quick_values():
    text = DemoSettings.parser().format_help()
    assert "Demo settings: the first line is the parser's description." in text
    assert "weight of L_llike: the decoder's loss (article: 1.0)" in text
    assert "training epochs (article: 1000; quick: 10)" in text
    assert "folder holding the data" in text and "--no-pretrained" in text  # shared fields, booleans both ways


def test_a_bad_notebook_preset_is_refused():
    with pytest.raises(SettingsError, match="NOTEBOOK_PRESET"):
        DemoSettings.parse(argv=[], notebook_preset="fast")
