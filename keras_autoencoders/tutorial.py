"""Running a tutorial: its typed settings, clean errors, and a closing summary.

A tutorial's settings are a dataclass derived from :class:`TutorialSettings` whose fields are its flags
(:func:`setting`: the article's value, the help, the quick preset's value). Precedence: explicit flags >
the quick preset (minutes on a 2-core CPU) > the article's. As a script, an unknown flag stops the run
before any work (with a "did you mean"), and the library's errors
(:class:`~keras_autoencoders.errors.KerasAutoencodersError`) end it with one message on stderr, exit
status 1. In a notebook kernel its arguments are ignored, the preset is the ``NOTEBOOK_PRESET`` line's.
"""
from __future__ import annotations

import argparse
import dataclasses
import difflib
import math
import os
import pathlib
import sys
import types
import typing
from typing import Any, ClassVar, Mapping, Sequence, TypeVar

from keras_autoencoders._quiet import quiet_tensorflow  # noqa: F401  (the benchmarks call it from here)
from keras_autoencoders.errors import KerasAutoencodersError, SettingsError, check_whole_periods
from keras_autoencoders.models.precision import PRECISIONS
from keras_autoencoders.plotting.display import in_notebook

#: The values of a tutorial's ``NOTEBOOK_PRESET`` line.
PRESETS = ("article", "quick")

_NO_QUICK = object()


def setting(default: Any, help: str, *, quick: Any = _NO_QUICK, choices: Sequence[Any] | None = None,
            multiple_of: int | None = None) -> Any:
    """A settings field: the article's ``default``, its ``help``, the ``quick`` preset's value (when it differs),
    the allowed ``choices``, and ``multiple_of`` for a count that must be a positive multiple of it."""
    metadata = {"help": help, "choices": tuple(choices) if choices is not None else None, "multiple_of": multiple_of}
    if quick is not _NO_QUICK:
        metadata["quick"] = quick
    return dataclasses.field(default=default, metadata=metadata)


SettingsT = TypeVar("SettingsT", bound="TutorialSettings")


def flag_of(field: dataclasses.Field) -> str:
    """A settings field's command-line flag: ``--latent-dim`` for ``latent_dim``."""
    return "--" + field.name.replace("_", "-")


@dataclasses.dataclass
class TutorialSettings:
    """The settings every tutorial has. ``RUN_NAME`` names the default ``--out`` (``runs/NAME[-quick]``);
    ``SHIPPED`` the shipped model whose committed run ``--pretrained`` reproduces, ``SHIPPED_SETTINGS``
    the fields that then take that run's values; ``SEVERAL_PROCESSES`` whether it trains on several processes."""

    RUN_NAME: ClassVar[str] = "run"
    SHIPPED: ClassVar[str | None] = None
    SHIPPED_SETTINGS: ClassVar[tuple[str, ...]] = ()
    SEVERAL_PROCESSES: ClassVar[bool] = False

    seed: int = setting(0, "seed of every random draw")
    draw_seed: int = setting(0, "seed of the samples drawn from the trained models for the figures and numbers: "
                                "a new draw of a finished run is --skip-training --draw-seed N")
    data_dir: str | None = setting(None, "folder holding the data (else $KERAS_AUTOENCODERS_DATA, else the "
                                         "standard download)")
    out: str | None = setting(None, "output folder (default: runs/NAME, runs/NAME-quick for --quick)")
    quick: bool = dataclasses.field(default=False, metadata={"flag": False})  # set by --quick

    def __post_init__(self):
        if self.out is None:
            self.out = f"runs/{self.RUN_NAME}" + ("-quick" if self.quick else "")
        for field in dataclasses.fields(self):  # checked here, so a bad value stops the run before any work
            if field.metadata.get("multiple_of"):
                check_whole_periods(field.metadata["multiple_of"], **{flag_of(field): getattr(self, field.name)})

    @classmethod
    def flags(cls) -> list[dataclasses.Field]:
        """The fields that are command-line flags: the tutorial's own first, then the library's."""
        shared = {f.name for base in (TutorialSettings, TrainingSettings, AdamTrainingSettings)
                  for f in dataclasses.fields(base)}
        fields = [f for f in dataclasses.fields(cls) if f.metadata.get("flag", True)]
        return [f for f in fields if f.name not in shared] + [f for f in fields if f.name in shared]

    @classmethod
    def parser(cls) -> argparse.ArgumentParser:
        """One ``--flag`` per field (defaults None, so that given flags can be told apart), plus ``--quick``."""
        hints = typing.get_type_hints(cls)
        parser = _Parser(description=(cls.__doc__ or cls.__name__).strip().splitlines()[0])
        parser.add_argument("--quick", action="store_true",
                            help="the quick preset: minutes on a 2-core CPU instead of the article's run")
        for field in cls.flags():
            text = field.metadata.get("help", "")
            text += f" (article: {field.default}" + (f"; quick: {field.metadata['quick']})"
                                                      if "quick" in field.metadata else ")")
            kind = _scalar_type(hints[field.name])
            how = ({"action": argparse.BooleanOptionalAction} if kind is bool
                   else {"type": kind, "choices": field.metadata.get("choices")})
            parser.add_argument(flag_of(field), dest=field.name, default=None, help=text, **how)
        return parser

    @classmethod
    def parse(cls: type[SettingsT], argv: Sequence[str] | None = None,
              notebook_preset: str = "article") -> SettingsT:
        """The settings of this run: the article's, then the quick preset, then explicit flags (see the
        module docstring; in a notebook, ``notebook_preset``, "article" or "quick", picks the preset)."""
        if notebook_preset not in PRESETS:
            raise SettingsError(f"NOTEBOOK_PRESET must be one of {PRESETS}, got {notebook_preset!r}")
        parser = cls.parser()
        if in_notebook():
            args, _ = parser.parse_known_args([] if argv is None else argv)
            args.quick = args.quick or notebook_preset == "quick"
        else:
            args = parser.parse_args(sys.argv[1:] if argv is None else argv)
            if argv is None:
                sys.excepthook = _exit_on_library_error
        values = {f.name: f.metadata["quick"] for f in cls.flags() if args.quick and "quick" in f.metadata}
        values.update({name: value for name, value in vars(args).items() if value is not None and name != "quick"})
        return cls(**values, quick=bool(args.quick))

    def as_dict(self) -> dict[str, Any]:
        """The settings as results.json records them."""
        return dataclasses.asdict(self)

    def replace(self: SettingsT, **changes: Any) -> SettingsT:
        """A copy with ``changes``."""
        return dataclasses.replace(self, **changes)


@dataclasses.dataclass
class TrainingSettings(TutorialSettings):
    """The settings of a tutorial that trains: how ``fit`` runs, not what it computes (a tutorial declares
    a field again to change its default or help)."""

    steps_per_execution: int = setting(1, "training steps per call of the compiled function")
    precision: str = setting("float32", "float32 (the article's) or mixed_bfloat16 (bfloat16 arithmetic, float32 "
                                        "weights; faster only where bfloat16 is native, as `python -m "
                                        "keras_autoencoders env` says; several times slower elsewhere)",
                             choices=PRECISIONS)
    skip_training: bool = setting(False, "reuse the models saved in --out: figures and numbers only")


@dataclasses.dataclass
class AdamTrainingSettings(TrainingSettings):
    """:class:`TrainingSettings` and Adam's learning rate (1e-3, Keras' default and the articles')."""

    learning_rate: float = setting(1e-3, "Adam learning rate")


def _scalar_type(hint: Any) -> type:
    """``int`` for ``int`` and ``int | None`` (the type argparse converts a flag's text with)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    return hint


class _Parser(argparse.ArgumentParser):
    """argparse, plus a "did you mean" for a mistyped flag (``--gama`` -> ``--gamma``)."""

    def error(self, message: str):
        if message.startswith("unrecognized arguments:"):
            known = [o for action in self._actions for o in action.option_strings if o.startswith("--")]
            flags = [word.split("=", 1)[0] for word in message.split(":", 1)[1].split() if word.startswith("-")]
            hints = [f"{flag}: did you mean {close[0]}?" for flag in flags
                     if (close := difflib.get_close_matches(flag, known, n=1, cutoff=0.6))]
            if hints:
                message += " (" + "; ".join(hints) + ")"
        super().error(message)


def _exit_on_library_error(kind, error, traceback) -> None:
    """``sys.excepthook`` for scripts: the library's errors print one message, others a traceback."""
    if isinstance(error, KerasAutoencodersError):
        print(f"error: {error}", file=sys.stderr)
        return  # the interpreter exits with status 1 after the hook
    sys.__excepthook__(kind, error, traceback)


def _plain(value: Any) -> str:
    """A number as a person writes it (no NumPy reprs): 4 significant digits, integers whole."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) or (math.isfinite(value) and value == int(value) and abs(value) < 1e6):
        return str(int(value))
    return f"{value:.4g}"


def summary_lines(out: str | os.PathLike, numbers: Mapping[str, Any]) -> list[str]:
    """The closing lines of a run: where its files are, then ``name: value`` in plain numbers."""
    out = pathlib.Path(out)
    lines = [f"Figures in {out / 'figures'}; results in {out / 'results.json'}."]
    animations = out / "animations"
    if animations.is_dir():
        lines.append(f"Animations in {animations}.")
    lines += [f"  {name}: {_plain(value)}" for name, value in numbers.items()]
    return lines
