# %% [markdown]
# # The faces study: a conv autoencoder on LFW, new faces, the smile vector, a conv VAE
#
# A runnable companion to the faces half of the project "Автокодировщики: LFW и MNIST"
# (a plain conv autoencoder on Labeled Faces in the Wild, new faces from a normal
# distribution fitted to its codes, a "smile vector" added to non-smiling faces) and to
# the face-generating conv VAE of the slides "Analiza porównawcza zastosowań
# tradycyjnych oraz wariacyjnych autoenkoderów". Every picture comes with a number.
#
#     python tutorials/faces_autoencoder.py --quick           # a few minutes on a 2-core CPU
#     python tutorials/faces_autoencoder.py                   # our default settings (below)
#     python tutorials/faces_autoencoder.py --skip-training --out DIR   # redo figures and numbers
#     python tutorials/faces_autoencoder.py --pretrained      # the committed run's models: no training
#
# LFW is found like every data set here (`--data-dir DIR` holding `lfw/`, or
# `KERAS_AUTOENCODERS_DATA`): the deep-funneled images in their official layout,
# `lfw_smile_labels.txt` beside them, and `lfw_attributes.txt` (73 attribute scores per
# image) when at hand. Both models are resumable stages (see the MNIST study tutorial).

# %%
# In a notebook, pick the preset on this line: "quick" (minutes on a CPU) or "article"
# (the study's settings). On the command line, --quick picks it.
NOTEBOOK_PRESET = "article"

# %%
import shutil

import numpy as np

from keras_autoencoders.tutorial import print_summary, quiet_tensorflow, start_run, tutorial_parser

quiet_tensorflow()
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

from keras_autoencoders.data.image_pipeline import first_images, make_image_dataset  # noqa: E402
from keras_autoencoders.data.lfw import load_lfw_index  # noqa: E402
from keras_autoencoders.evaluation.image_metrics import reconstruction_mse, relative_sharpness  # noqa: E402
from keras_autoencoders.evaluation.judges import attribute_verdicts, train_attribute_classifier  # noqa: E402
from keras_autoencoders.generate import code_arithmetic  # noqa: E402
from keras_autoencoders.models.conv_face_autoencoder import build_face_autoencoder, build_face_vae  # noqa: E402
from keras_autoencoders.models.precision import PRECISIONS  # noqa: E402
from keras_autoencoders.plotting import figures  # noqa: E402
from keras_autoencoders.run_folder import write_results  # noqa: E402
from keras_autoencoders.pretrained import install_pretrained, source_run  # noqa: E402
from keras_autoencoders.training.stages import load_stage, stage_folder, train_stage  # noqa: E402

ARTICLE = {  # the study gives no sizes or schedules: these are ours (README)
    "epochs": 30, "vae_epochs": 30, "batch_size": 64, "learning_rate": 1e-3, "image_size": 32, "code_dim": 32,
    "crop_fraction": 0.36, "validation_fraction": 0.2, "judge_epochs": 10, "max_images": 0,
    "attributes_file": None, "seed": 0, "data_dir": None, "out": "runs/faces", "skip_training": False,
    "pretrained": False,
    # 1 step per call, as the committed run trained. The faces stream has no known length, and
    # Keras (3.15) then counts one extra optimizer iteration per epoch (in Adam's bias correction)
    # at 1 step per call but not at more, so a larger value, though faster on a GPU, reaches
    # slightly other weights than that run. The precision is the VAE's.
    "steps_per_execution": 1, "precision": "float32",
}
# The quick preset: every image, fewer epochs; a few minutes on 2 CPU cores.
QUICK = {"epochs": 6, "vae_epochs": 6, "judge_epochs": 6, "out": "runs/faces-quick"}
HELP = """
epochs: epochs of the conv autoencoder
vae_epochs: epochs of the conv VAE
batch_size: batch size of both models
image_size: side of the square face fed to the models
code_dim: code size of the autoencoder and latent size of the VAE
crop_fraction: side of the centred face crop as a fraction of the image width
validation_fraction: fraction of the people held out for validation
judge_epochs: epochs of the smile classifier (and the Male one, given an attribute file)
max_images: use the first N images (0: all)
attributes_file: an official lfw_attributes.txt (default: the LFW folder's, when there)
data_dir: folder holding lfw/
pretrained: use the shipped models of the committed run (figs/pretrained/) and their losses; no training
precision: the VAE's (the AE stays float32): float32 or mixed_bfloat16 (bfloat16 arithmetic, float32 weights and loss)
"""
settings, run = start_run(tutorial_parser(__doc__ or "The faces study", ARTICLE, HELP,
                                          choices={"precision": list(PRECISIONS)}),
                          ARTICLE, QUICK, notebook_preset=NOTEBOOK_PRESET)
if settings["pretrained"]:  # the committed run's two models and their per-epoch losses; no training below
    for name in install_pretrained(run, "face_ae", "face_vae"):
        stage_folder(run, name.stem).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source_run(name.stem) / "stages" / f"{name.stem}.csv", stage_folder(run, name.stem) / "history.csv")
    settings["skip_training"] = True

# %% [markdown]
# ## Data: LFW, split by person
# 13,233 deep-funneled 250x250 faces of 5,749 people. A fifth of the *people* (seeded) is
# the validation split, so no one is in both: the study fits its new-face distribution and
# its smile vector on validation faces. The crop is the classic one for these experiments:
# the central 90x90 pixels (36% of the width: the face from brows to chin, background
# dropped), resized to 32x32. Training streams the files through the same `tf.data`
# pipeline as CelebA (parallel decode of the crop window, resize, seeded shuffle, batch,
# prefetch); 10,000 faces at 32x32 fit in 120 MB, so the pipeline keeps them after the
# first epoch (`cache_decoded`) instead of decoding every JPEG again each epoch on the
# cores that train. The validation faces, and the training faces that the nearest-face
# search and the smile classifier need, are decoded once into arrays.

# %%
index = load_lfw_index(settings["data_dir"], attributes_file=settings["attributes_file"],
                       validation_fraction=settings["validation_fraction"], seed=settings["seed"])
if settings["max_images"]:
    index = index.select(np.arange(min(settings["max_images"], len(index))))
print(index)
train, validation = index.split("train"), index.split("validation")
size, pipeline = settings["image_size"], {"image_size": settings["image_size"], "crop_fraction": settings["crop_fraction"]}
train_faces, _ = first_images(train, len(train), **pipeline)
val_faces, _ = first_images(validation, len(validation), **pipeline)
figures.save_figure(figures.plot_image_grid(val_faces[:16].reshape(2, 8, size, size, 3), cell_inches=1.2,
                                            title="validation faces as the models see them"),
                    run.figures / "faces.png")


def streamed_faces(targets):
    """The training faces from disk, in an order of the seed and the epoch, as (input, target) pairs."""
    return lambda seeds: make_image_dataset(train.paths(), train.conditions(), settings["batch_size"],
                                            seed=settings["seed"], epoch_variable=seeds.epoch, cache_decoded=True,
                                            **pipeline).map(targets)


def stage(name, build, data, epochs, **extra):
    if settings["skip_training"]:
        return load_stage(run, name)
    return train_stage(run, name, build, data, epochs=epochs, seed=settings["seed"],
                       validation_data=(val_faces, val_faces), settings={**pipeline, "images": len(train), **extra},
                       verbose=2)


def compiled(model, loss=None):
    model.compile(optimizer=keras.optimizers.Adam(settings["learning_rate"]), loss=loss,
                  steps_per_execution=settings["steps_per_execution"])
    return model


# %% [markdown]
# ## The conv autoencoder and its reconstructions (the study's first experiment)
# Three conv layers (32, 64, 128 filters, each with 2x2 max pooling) and a linear layer to
# a deliberately small 32-value code; a linear layer and three transposed convs back.
# Trained on the pixels' mean squared error. The study: the decoded faces keep much of the
# original, a little blurred. The number: validation MSE per pixel value.

# %%
autoencoder = stage("face_ae", lambda: compiled(build_face_autoencoder(size, settings["code_dim"], seed=settings["seed"]),
                                                "mse"), streamed_faces(lambda x, _: (x, x)), settings["epochs"])
encoder, decoder = autoencoder.model.get_layer("encoder"), autoencoder.model.get_layer("decoder")
val_codes = encoder.predict(val_faces, batch_size=512, verbose=0)
val_rebuilt = decoder.predict(val_codes, batch_size=512, verbose=0)
reconstruction = {"validation_mse": reconstruction_mse(val_faces, val_rebuilt),
                  "validation_loss_history": autoencoder.history.get("val_loss", [])}
figures.save_figure(figures.plot_image_grid(np.stack([val_faces[:8], val_rebuilt[:8]]), ["original", "decoded"],
                                            cell_inches=1.2), run.figures / "reconstructions.png")
print(f"validation MSE per pixel value: {reconstruction['validation_mse']:.4f}")

# %% [markdown]
# ## New faces from a normal distribution fitted to the codes
# A plain autoencoder's codes follow no set distribution, so the study fits one: the mean
# and covariance of the validation faces' codes. Codes drawn from it decode to new faces,
# shown over their nearest training face (pixel distance): they are new people, not
# copies. The number: a new face's RMS pixel distance to its nearest training face, beside
# the same distance for real validation faces (people the model never saw) and a
# reconstruction's distance to its own original (what "the same face" looks like here).

# %%
fitted = code_arithmetic.fit_normal(val_codes)
new_faces = decoder.predict(fitted.sample(256, seed=settings["seed"]), batch_size=256, verbose=0)
nearest, new_distance = code_arithmetic.nearest_neighbours(new_faces, train_faces)
_, real_distance = code_arithmetic.nearest_neighbours(val_faces[:256], train_faces)
figures.save_figure(figures.plot_image_grid(np.stack([new_faces[:8], train_faces[nearest[:8]]]),
                                            ["new face", "nearest training face"], cell_inches=1.2),
                    run.figures / "new_faces_fitted_normal.png")
new_face_numbers = {"nearest_training_distance_new": float(new_distance.mean()),
                    "nearest_training_distance_real_validation": float(real_distance.mean()),
                    "reconstruction_distance_to_original": float(np.sqrt(
                        ((val_rebuilt - val_faces) ** 2).reshape(len(val_faces), -1).mean(axis=1)).mean()),
                    "relative_sharpness": relative_sharpness(new_faces, val_faces)}
print(new_face_numbers)

# %% [markdown]
# ## The smile vector
# The mean code of the smiling validation faces minus that of the non-smiling ones, added
# to non-smiling validation faces 0, 0.5, 1, 1.5 and 2 times, and decoded. The number: a
# small CNN trained on the labelled *training* faces (other people) says which decoded
# faces smile. The study also saw the vector carry feminine features (its smiling faces
# were more often women's); with an attribute file, a second CNN trained on the training
# faces' `Male` scores measures how much the vector moves faces towards female.

# %%
STEPS = (0.0, 0.5, 1.0, 1.5, 2.0)


def judge_of(flags, mask):
    """A small CNN trained on the training faces under ``mask`` to tell ``flags`` (0/1) apart."""
    data = tf.data.Dataset.from_tensor_slices((train_faces[mask], flags[mask, None].astype("float32")))
    data = data.shuffle(int(mask.sum()), seed=settings["seed"]).batch(64)
    keras.utils.set_random_seed(settings["seed"])
    return train_attribute_classifier(data, [0], size, epochs=settings["judge_epochs"], seed=settings["seed"],
                                      steps_per_execution=settings["steps_per_execution"])


smile_judge = judge_of(train.smiling == 1, train.smiling >= 0)
labelled = validation.smiling >= 0
judge_accuracy = float((attribute_verdicts(smile_judge, val_faces[labelled])[:, 0]
                        == (validation.smiling[labelled] == 1)).mean())
smile_vector = code_arithmetic.attribute_vector(val_codes[labelled], validation.smiling[labelled] == 1)
not_smiling = np.flatnonzero(validation.smiling == 0)
stepped = decoder.predict(code_arithmetic.add_in_steps(val_codes[not_smiling], smile_vector, STEPS).reshape(
    -1, settings["code_dim"]), batch_size=512, verbose=0).reshape(len(STEPS), len(not_smiling), size, size, 3)
smiling_rate = {str(s): float(attribute_verdicts(smile_judge, faces)[:, 0].mean()) for s, faces in zip(STEPS, stepped)}
figures.save_figure(figures.plot_image_grid(np.concatenate([val_faces[not_smiling[:6]][None], stepped[:, :6]]).swapaxes(0, 1),
                                            col_labels=["original"] + [f"+{s:g} x smile" for s in STEPS],
                                            cell_inches=1.2), run.figures / "smile_vector.png")
smile = {"judge_validation_accuracy": judge_accuracy, "non_smiling_faces": len(not_smiling),
         "smiling_faces_used": int((validation.smiling == 1).sum()), "judged_smiling_by_step": smiling_rate}
if "Male" in index.attribute_names:
    male = train.attribute("Male")
    male_judge = judge_of(male > 0, np.isfinite(male))
    male_probability = {str(s): float(male_judge.predict(faces, batch_size=512, verbose=0)[:, 0].mean())
                        for s, faces in zip(STEPS, stepped)}
    smile["male_probability_by_step"] = male_probability
    smile["male_shift_at_1x"] = male_probability["1.0"] - male_probability["0.0"]
else:
    smile["male_shift_at_1x"] = "unmeasured: no attribute file with Male"
print(smile)

# %% [markdown]
# ## A conv VAE on faces (the slides)
# The same encoder and decoder with a VAE head (z_mean, z_log_var of 32 values each) and
# the project's VAE loss, per face (sum of pixel BCEs + KL) / 2 / P, P = 32x32x3. Its new
# faces come straight from N(0, I), no fitting needed; beside them the autoencoder's faces
# from the fitted normal. The numbers: for 256 faces each, the RMS distance to the nearest
# training face and the sharpness relative to real validation faces.

# %%
# The stage records the precision when it is not float32, so float32 stages saved before the option still reload.
vae = stage("face_vae", lambda: compiled(build_face_vae(size, settings["code_dim"], seed=settings["seed"],
                                                        precision=settings["precision"])),
            streamed_faces(lambda x, _: (x, x)), settings["vae_epochs"],
            **({} if settings["precision"] == "float32" else {"precision": settings["precision"]}))
vae_faces = vae.model.decoder.predict(np.random.default_rng(settings["seed"]).standard_normal(
    (256, settings["code_dim"])).astype("float32"), batch_size=256, verbose=0)
_, vae_distance = code_arithmetic.nearest_neighbours(vae_faces, train_faces)
figures.save_figure(figures.plot_image_grid(np.stack([vae_faces[:8], new_faces[:8]]),
                                            ["VAE, N(0, I)", "AE, fitted normal"], cell_inches=1.2),
                    run.figures / "new_faces_vae_vs_ae.png")
vae_numbers = {"validation_loss": vae.history["val_loss"][-1] if vae.history else None,
               "nearest_training_distance": float(vae_distance.mean()),
               "relative_sharpness": relative_sharpness(vae_faces, val_faces),
               "judged_smiling": float(attribute_verdicts(smile_judge, vae_faces)[:, 0].mean())}
print({"vae": vae_numbers, "autoencoder": new_face_numbers})

# %% [markdown]
# ## Results file
# `results.json`: the settings, the splits, and every number above.

# %%
write_results(run.root, {**settings, "data_source": f"{index.root.name} ({len(index)} images)"},
              splits={**index.split_counts(), "validation_people": len(np.unique(validation.people)),
                      "train_people": len(np.unique(train.people))},
              reconstruction=reconstruction, new_faces=new_face_numbers, smile_vector=smile, vae=vae_numbers)
print_summary(run.root, {
    "validation MSE per pixel value": reconstruction["validation_mse"],
    "new faces: nearest training face distance (real validation faces)":
        f"{new_face_numbers['nearest_training_distance_new']:.3f} "
        f"({new_face_numbers['nearest_training_distance_real_validation']:.3f})",
    "non-smiling faces judged smiling: decoded -> with the smile vector":
        f"{smiling_rate['0.0']:.2f} -> {smiling_rate['1.0']:.2f} (x2: {smiling_rate['2.0']:.2f})",
    "VAE vs AE new faces: sharpness relative to real":
        f"{vae_numbers['relative_sharpness']:.2f} vs {new_face_numbers['relative_sharpness']:.2f}"})
