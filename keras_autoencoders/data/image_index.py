"""What the CelebA and LFW indexes share: rows of file names and per-image values, no pixels; the image pipeline
(:func:`.image_pipeline.dataset_from_index`) reads them through ``paths()`` and ``conditions()``."""
from __future__ import annotations

import os
import pathlib
from dataclasses import replace
from typing import ClassVar, Sequence, TypeVar, Union

import numpy as np

from keras_autoencoders.errors import UnknownAttributeError

from .checks import check_choice

Index = TypeVar("Index", bound="ImageRows")


class ImageRows:
    """Rows of an image index; mix into a frozen dataclass with ``root``, ``ROW_FIELDS`` and ``attribute_names``."""

    IMAGE_FOLDER: ClassVar[str]  # the folder under root that holds the images
    ROW_FIELDS: ClassVar[tuple[str, ...]]  # the per-image array fields, filenames first
    ATTRIBUTE_FIELD: ClassVar[str]  # the one of them that is (n, len(attribute_names))
    SPLITS: ClassVar[tuple[str, ...]]  # the split names; split_codes() gives each row's position in them
    NO_ATTRIBUTES: ClassVar[str] = "none"  # the valid names, in an UnknownAttributeError, when there are none

    root: pathlib.Path
    filenames: np.ndarray
    attribute_names: tuple[str, ...]

    def __post_init__(self) -> None:
        rows, columns = len(self.filenames), len(self.attribute_names)
        shapes = {name: getattr(self, name).shape for name in self.ROW_FIELDS}
        expected = {name: (rows, columns) if name == self.ATTRIBUTE_FIELD else (rows,) for name in shapes}
        if shapes != expected:
            raise ValueError(f"inconsistent {type(self).__name__}: shapes " + ", ".join(
                f"{name} {shape}" for name, shape in shapes.items()) + f" for {columns} attribute names")

    def __len__(self) -> int:
        return len(self.filenames)

    def paths(self) -> list[str]:
        """Full paths of the images, in index order."""
        folder = os.fspath(self.root / self.IMAGE_FOLDER)
        return [os.path.join(folder, name) for name in self.filenames.tolist()]

    def select(self: Index, indices: Union[Sequence[int], np.ndarray]) -> Index:
        """The rows at ``indices`` (integer positions or a boolean mask), in that order."""
        idx = np.asarray(indices)
        if idx.dtype != np.bool_:
            idx = idx.astype(np.intp, copy=False).reshape(-1)
        return replace(self, **{name: getattr(self, name)[idx] for name in self.ROW_FIELDS})

    def first(self: Index, count: int) -> Index:
        """The first ``count`` rows (all when 0 or more than there are): a tutorial's ``--max-images``."""
        if count < 0:
            raise ValueError(f"count must be 0 (all) or positive, got {count}")
        return self.select(np.arange(min(count, len(self)))) if count else self

    def sample(self: Index, count: int, seed: int) -> Index:
        """``count`` distinct rows drawn at random with ``seed`` (all rows if fewer), in index order."""
        rng = np.random.default_rng(seed)
        return self.select(np.sort(rng.choice(len(self), min(count, len(self)), replace=False)))

    def split_codes(self) -> np.ndarray:
        """Each row's split, as its position in :attr:`SPLITS`."""
        raise NotImplementedError

    def split(self: Index, name: str) -> Index:
        """The rows of split ``name``, one of :attr:`SPLITS`."""
        return self.select(self.split_codes() == self.SPLITS.index(check_choice("split", name, self.SPLITS)))

    def split_counts(self) -> dict[str, int]:
        """Number of images in each split, e.g. ``{"train": 8000, "valid": 1000, "test": 1000}``."""
        return dict(zip(self.SPLITS, np.bincount(self.split_codes(), minlength=len(self.SPLITS)).tolist()))

    def attribute_columns(self, names: Sequence[str]) -> tuple[list[str], list[int]]:
        """Those of ``names`` this index has (in that order), and their columns."""
        present = [name for name in names if name in self.attribute_names]
        return present, [self.attribute_names.index(name) for name in present]

    def attribute_index(self, name: str) -> int:
        """Column of attribute ``name``; :class:`UnknownAttributeError` lists the valid names."""
        if name not in self.attribute_names:
            raise UnknownAttributeError.among([name], self.attribute_names or (self.NO_ATTRIBUTES,), "this index")
        return self.attribute_names.index(name)
