"""``python -m keras_autoencoders explore (RUN_DIR | --pretrained NAME) [--port N] [--data-dir DIR]``."""
from __future__ import annotations

import argparse
import sys
from typing import Sequence


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m keras_autoencoders explore", description=__doc__)
    p.add_argument("run", nargs="?", help="a tutorial's --out folder: Part 4 or Part 6 (a digit CVAE), the MNIST "
                                          "study (its 2-d AE and VAE), the faces study (its autoencoder) or "
                                          "CelebA (its CVAE)")
    p.add_argument("--pretrained", metavar="NAME", help="a shipped model instead: part4_cvae, part6_cvae_gan, face_ae")
    p.add_argument("--port", type=int, default=7860, help="port on 127.0.0.1 (default 7860)")
    p.add_argument("--data-dir", default=None, help="folder holding the data the views show (mnist.npz, lfw/, celeba/)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if (args.run is None) == (args.pretrained is None):
        parser().error("give a run folder or --pretrained NAME (one of them)")
    from keras_autoencoders.errors import KerasAutoencodersError
    from keras_autoencoders.explore.app import serve

    try:
        explorer = load_explorer(args.run, args.pretrained, args.data_dir)
    except KerasAutoencodersError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    serve(explorer, port=args.port)
    return 0


def load_explorer(run_dir=None, pretrained: str | None = None, data_dir: str | None = None):
    """The explorer that fits a run folder's models (or a shipped model): digit CVAE, code maps or smile vector.
    :class:`~keras_autoencoders.errors.SettingsError` names what is missing."""
    import pathlib

    from keras_autoencoders.errors import SettingsError
    from keras_autoencoders.explore.digits import DIGIT_MODELS, load_digit_explorer
    from keras_autoencoders.explore.studies import load_code_map_explorer, load_smile_explorer

    if pretrained == "face_ae":
        from keras_autoencoders.pretrained import pretrained_path

        return load_smile_explorer(pretrained_path("face_ae"), data_dir)
    if pretrained is not None:
        return load_digit_explorer(pretrained=pretrained, data_dir=data_dir)
    folder = pathlib.Path(run_dir)
    models = folder / "model"
    if folder.is_dir() and not any((models / f"{name}.keras").is_file() for name in DIGIT_MODELS):
        if (models / "ae_2.keras").is_file() and (models / "vae_2.keras").is_file():
            return load_code_map_explorer(folder, data_dir)
        if (models / "face_ae.keras").is_file():
            return load_smile_explorer(models / "face_ae.keras", data_dir)
        if (models / "celeba_cvae.keras").is_file():
            from keras_autoencoders.explore.faces import load_face_explorer

            return load_face_explorer(folder, data_dir)
        known = (*DIGIT_MODELS, "ae_2", "vae_2", "face_ae", "celeba_cvae")
        raise SettingsError(f"{folder}: no model the explorer knows (looked for "
                            + ", ".join(f"model/{name}.keras" for name in known) + ")")
    return load_digit_explorer(folder, data_dir=data_dir)
