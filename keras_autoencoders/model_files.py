"""Loading ``.keras`` model files (:func:`load_model_file`), and telling a damaged file or backup from a fine one: a
:class:`DamagedFileError` names the file and what to do, while a whole archive that fails otherwise (an unregistered
class) keeps Keras' error. Shipped files are also checked against a ``SHA256SUMS`` manifest (:func:`check_sha256`)."""
from __future__ import annotations

import hashlib
import importlib
import json
import os
import pathlib
import zipfile
from typing import Any

from keras_autoencoders.errors import DamagedFileError

LFS_POINTER = b"version https://git-lfs"
KERAS_MEMBERS = ("config.json", "model.weights.h5")
#: What to do about a damaged model in a run folder (``--out``).
RETRAIN = "retrain without --pretrained / --skip-training, or start a new --out"


def _is_lfs_pointer(path: pathlib.Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(len(LFS_POINTER)) == LFS_POINTER


def keras_file_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` is not a whole ``.keras`` archive, or None when it is one (or is missing)."""
    path = pathlib.Path(path)
    if not path.is_file():
        return None
    if _is_lfs_pointer(path):
        return "a Git LFS pointer, not the file itself"
    if not zipfile.is_zipfile(path):
        return f"truncated or not a .keras zip archive ({path.stat().st_size} bytes)"
    try:
        with zipfile.ZipFile(path) as archive:
            missing = [name for name in KERAS_MEMBERS if name not in archive.namelist()]
            if missing:
                return f"the archive lacks {', '.join(missing)}"
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        return f"unreadable zip archive ({error})"
    return f"{bad} in the archive is corrupt" if bad else None


def damaged(path: str | os.PathLike, reason: str, what_to_do: str) -> DamagedFileError:
    """The error for a damaged ``path``: ``PATH: damaged file (REASON); WHAT_TO_DO``."""
    return DamagedFileError(f"{path}: damaged file ({reason}); {what_to_do}")


#: The modules whose classes saved models name (``keras_autoencoders>...``): imported before a load.
SAVED_CLASS_MODULES = ("models.vae", "models.dropout", "models.cvae_gan.model")


def register_saved_classes() -> None:
    """Import the modules that register the library's saved classes, so that any saved file loads."""
    import keras

    for module in SAVED_CLASS_MODULES:
        importlib.import_module(f"keras_autoencoders.{module}")
    # Files saved before the conditional and the plain VAE were one class name the conditional one so.
    custom = keras.saving.get_custom_objects()
    custom["keras_autoencoders>ConditionalVAE"] = custom["keras_autoencoders>VariationalAutoencoder"]


def load_model_file(path: str | os.PathLike, what_to_do: str = RETRAIN, **load_args: Any):
    """``keras.models.load_model(path, **load_args)``; a damaged file raises :class:`DamagedFileError` (what to do)."""
    import keras

    register_saved_classes()
    try:
        return keras.models.load_model(path, **load_args)
    except Exception as error:
        reason = keras_file_problem(path)
        if reason is None:
            raise
        raise damaged(path, reason, what_to_do) from error


def sha256_of(path: str | os.PathLike) -> str:
    """The hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(manifest: str | os.PathLike) -> dict[str, str]:
    """``{file name: hex sha256}`` of a ``sha256sum``-style manifest (``HEX  NAME`` lines); {} when absent."""
    manifest = pathlib.Path(manifest)
    if not manifest.is_file():
        return {}
    pairs = (line.split(maxsplit=1) for line in manifest.read_text().splitlines() if line.strip())
    return {name.strip().lstrip("*"): digest.lower() for digest, name in pairs}


def write_manifest_entry(manifest: str | os.PathLike, path: str | os.PathLike) -> None:
    """Set ``path``'s line in ``manifest`` (in its folder) to its current sha256; lines sorted by name."""
    manifest, path = pathlib.Path(manifest), pathlib.Path(path)
    entries = {**read_manifest(manifest), path.name: sha256_of(path)}
    tmp = manifest.with_name(manifest.name + ".tmp")
    tmp.write_text("".join(f"{digest}  {name}\n" for name, digest in sorted(entries.items())))
    os.replace(tmp, manifest)


def check_sha256(path: str | os.PathLike, manifest: str | os.PathLike, what_to_do: str) -> None:
    """Raise :class:`DamagedFileError` when ``path`` is a Git LFS pointer or its sha256 differs from its
    line in ``manifest`` (a file without a line is not checked)."""
    path = pathlib.Path(path)
    expected = read_manifest(manifest).get(path.name)
    if _is_lfs_pointer(path):
        raise damaged(path, "a Git LFS pointer, not the file itself", what_to_do)
    if expected is not None and sha256_of(path) != expected:
        raise damaged(path, f"its sha256 differs from {pathlib.Path(manifest).name}: truncated or changed", what_to_do)


def _read_dataset(_: str, item: Any) -> None:
    import h5py

    if isinstance(item, h5py.Dataset):
        item[()]  # reading checks the bytes are there


def backup_problem(folder: str | os.PathLike, files: dict[str, str]) -> tuple[pathlib.Path, str] | None:
    """The first damaged file of a backup ``folder`` and why, or None. ``files`` maps each file name
    to its kind: ``"h5"`` (must open and read in full) or ``"json"`` (a JSON object)."""
    import h5py

    for name, kind in files.items():
        path = pathlib.Path(folder) / name
        if not path.is_file():
            continue
        try:
            if kind == "json":
                content = json.loads(path.read_text())
                if not isinstance(content, dict) or "epoch" not in content:
                    return path, "not a JSON object with an epoch"
            else:
                with h5py.File(path, "r") as h5:
                    h5.visititems(_read_dataset)
        except (OSError, ValueError, KeyError, RuntimeError) as error:
            return path, f"unreadable: {str(error).splitlines()[0] if str(error) else type(error).__name__}"
    return None
