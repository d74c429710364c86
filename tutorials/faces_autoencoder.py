# %% [markdown]
# # The faces study: a conv autoencoder on LFW, new faces, the smile vector, a conv VAE
#
# A runnable companion to the faces half of the project "Автокодировщики" (on LFW and MNIST) (a plain
# conv autoencoder on Labeled Faces in the Wild, new faces from a normal distribution fitted to its
# codes, a "smile vector" added to non-smiling faces) and to the face-generating conv VAE of the slides
# "Analiza porównawcza zastosowań tradycyjnych oraz wariacyjnych autoenkoderów". Each picture has a number.
#
#     python tutorials/faces_autoencoder.py --quick           # a few minutes on a 2-core CPU
#     python tutorials/faces_autoencoder.py                   # our default settings (below)
#     python tutorials/faces_autoencoder.py --skip-training --out DIR   # redo figures and numbers
#     python tutorials/faces_autoencoder.py --pretrained      # the committed run's models: no training
#
# LFW (deep-funneled, `lfw_smile_labels.txt`, `lfw_attributes.txt` if there) is in `lfw/` of `--data-dir`
# or `$KERAS_AUTOENCODERS_DATA`. Both models are resumable stages (see the MNIST study tutorial).

# %%
NOTEBOOK_PRESET = "article"  # in a notebook: "quick" (minutes on a CPU) or "article"; on the command line: --quick

# %%
from dataclasses import dataclass

import numpy as np

from keras_autoencoders.data.image_pipeline import autoencoder_stream, first_images
from keras_autoencoders.data.lfw import load_lfw_index
from keras_autoencoders.evaluation.image_metrics import reconstruction_mse, relative_sharpness, rms_distances
from keras_autoencoders.evaluation.judges import (attribute_accuracy, attribute_rates, attribute_verdicts,
                                                  train_flag_judge)
from keras_autoencoders.evaluation.two_sample import classifier_two_sample_accuracy
from keras_autoencoders.generate import code_arithmetic
from keras_autoencoders.models.conv_face_autoencoder import build_face_autoencoder, build_face_vae
from keras_autoencoders.models.precision import PRECISIONS
from keras_autoencoders.plotting import figures
from keras_autoencoders.records.faces import FacesResults
from keras_autoencoders.training.compile import built_with_adam
from keras_autoencoders.tutorial import AdamTrainingSettings, setting
from keras_autoencoders.tutorial_run import start_tutorial


@dataclass
class FacesSettings(AdamTrainingSettings):
    """The faces study. The study gives no sizes or schedules: these are ours (`docs/tutorials.md`). The quick
    preset: every image, fewer epochs; minutes on 2 CPU cores."""

    RUN_NAME = "faces"
    epochs: int = setting(30, "epochs of the conv autoencoder", quick=6)
    vae_epochs: int = setting(30, "epochs of the conv VAE", quick=6)
    batch_size: int = setting(64, "batch size of both models")
    image_size: int = setting(32, "side of the square face fed to the models")
    code_dim: int = setting(32, "code size of the autoencoder and latent size of the VAE")
    crop_fraction: float = setting(0.36, "side of the centred face crop as a fraction of the image width")
    validation_fraction: float = setting(0.2, "fraction of the people held out for validation")
    judge_epochs: int = setting(10, "epochs of the smile judge (and the Male one, given an attribute file)", quick=6)
    max_images: int = setting(0, "use the first N images (0: all)")
    attributes_file: str | None = setting(None, "an official lfw_attributes.txt (default: the LFW folder's, if there)")
    # --steps-per-execution stays 1, as the committed run trained: the stream has no known length,
    # and Keras 3.15 then counts one extra optimizer iteration per epoch at 1 step per call but not at more.
    precision: str = setting("float32", "the VAE's (the AE stays float32): float32 or mixed_bfloat16",
                             choices=PRECISIONS)
    pretrained: bool = setting(False, "use the shipped models of the committed run (figs/pretrained/) and their "
                                      "losses; no training")


s, run = start_tutorial(FacesSettings, NOTEBOOK_PRESET)

# %% [markdown]
# ## Data: LFW, split by person
# 13,233 deep-funneled 250x250 faces of 5,749 people. A fifth of the *people* (seeded) is the
# validation split, so no one is in both: the study fits its new-face distribution and its
# smile vector on validation faces. The crop is the classic central 90x90 pixels (brows to
# chin), resized to 32x32. Training streams the files through CelebA's `tf.data` pipeline,
# which keeps the decoded faces after the first epoch (120 MB); the validation faces and the
# training faces the nearest-face search and the smile judge need are decoded once into arrays.

# %%
index = load_lfw_index(s.data_dir, attributes_file=s.attributes_file, validation_fraction=s.validation_fraction,
                       seed=s.seed)
index = index.first(s.max_images)
print(index)
train, validation = index.split("train"), index.split("validation")
size, pipeline = s.image_size, {"image_size": s.image_size, "crop_fraction": s.crop_fraction}
train_faces, _ = first_images(train, len(train), **pipeline)
val_faces, _ = first_images(validation, len(validation), **pipeline)
run.save_figure("faces", figures.plot_image_grid(val_faces[:16].reshape(2, 8, size, size, 3), cell_inches=1.2,
                                                 title="validation faces as the models see them"))

train_stream = autoencoder_stream(train.paths(), train.conditions(), s.batch_size, s.seed, **pipeline)
stage_record = {**pipeline, "images": len(train)}  # what a saved stage must match to be reused

# %% [markdown]
# ## The conv autoencoder and its reconstructions (the study's first experiment)
# Three conv layers (32, 64, 128 filters, each with 2x2 max pooling) and a linear layer to
# a deliberately small 32-value code; a linear layer and three transposed convs back.
# Trained on the pixels' mean squared error. The study: the decoded faces keep much of the
# original, a little blurred. The number: validation MSE per pixel value.

# %%
autoencoder = run.stage("face_ae", built_with_adam(build_face_autoencoder, size, s.code_dim, seed=s.seed, loss="mse",
                                                    learning_rate=s.learning_rate,
                                                    steps_per_execution=s.steps_per_execution),
                        train_stream, epochs=s.epochs, validation_data=(val_faces, val_faces), **stage_record)
autoencoder.model.summary()
encoder, decoder = autoencoder.model.get_layer("encoder"), autoencoder.model.get_layer("decoder")
val_codes = encoder.predict(val_faces, batch_size=512, verbose=0)
val_rebuilt = decoder.predict(val_codes, batch_size=512, verbose=0)
reconstruction = {"validation_mse": reconstruction_mse(val_faces, val_rebuilt),
                  "validation_loss_history": autoencoder.history.get("val_loss", [])}
run.save_figure("reconstructions", figures.plot_image_grid(np.stack([val_faces[:8], val_rebuilt[:8]]),
                                                           ["original", "decoded"], cell_inches=1.2))
print(f"validation MSE per pixel value: {reconstruction['validation_mse']:.4f}")

# %% [markdown]
# ## New faces from a normal distribution fitted to the codes
# A plain autoencoder's codes follow no set distribution, so the study fits one: the mean and
# covariance of the validation faces' codes. Its draws decode to new faces, shown over their
# nearest training face: new people, not copies. The number: a new face's RMS pixel distance
# to its nearest training face, beside that of real validation faces (their ratio) and a
# reconstruction's distance to its own original (what "the same face" looks like here).

# %%
fitted = code_arithmetic.fit_normal(val_codes)
new_faces = decoder.predict(fitted.sample(256, seed=s.draw_seed), batch_size=256, verbose=0)
nearest, new_distance = code_arithmetic.nearest_neighbours(new_faces, train_faces)
_, real_distance = code_arithmetic.nearest_neighbours(val_faces[:256], train_faces)
run.save_figure("new_faces_fitted_normal", figures.plot_image_grid(
    np.stack([new_faces[:8], train_faces[nearest[:8]]]), ["new face", "nearest training face"], cell_inches=1.2))
new_face_numbers = {"nearest_training_distance_new": float(new_distance.mean()),
                    "nearest_training_distance_real_validation": float(real_distance.mean()),
                    "nearest_training_distance_ratio": float(new_distance.mean() / real_distance.mean()),
                    "reconstruction_distance_to_original": float(rms_distances(val_rebuilt, val_faces).mean()),
                    "relative_sharpness": relative_sharpness(new_faces, val_faces)}
print(new_face_numbers)

# %% [markdown]
# Not copies, but do they pass for photos? A classifier two-sample test: a small CNN is trained
# (5 epochs, on 80% of them) to tell the validation faces from as many new faces, and scored on
# the other 20%. 0.5: it cannot tell them apart; 1.0: it always can. Beside it, the same test
# with the validation faces' own reconstructions: how much of that the decoder's blur explains.

# %%
drawn_faces = decoder.predict(fitted.sample(len(val_faces), seed=s.draw_seed), batch_size=512, verbose=0)
two_sample = {"epochs": 5, "seed": s.seed}
photos = {"samples_vs_real_accuracy": classifier_two_sample_accuracy(val_faces, drawn_faces, **two_sample),
          "reconstructions_vs_real_accuracy": classifier_two_sample_accuracy(val_faces, val_rebuilt, **two_sample),
          "faces_per_set": len(val_faces), "epochs": two_sample["epochs"]}
print(photos)

# %% [markdown]
# ## The smile vector
# The mean code of the smiling validation faces minus that of the non-smiling ones, added
# to non-smiling validation faces 0, 0.5, 1, 1.5 and 2 times, and decoded. The number: a small
# CNN trained on the labelled *training* faces (other people) says which decoded faces smile.
# The study also saw the vector carry feminine features; with an attribute file, a second CNN
# (the training faces' `Male` scores) measures how far the vector moves faces towards female.

# %%
STEPS = (0.0, 0.5, 1.0, 1.5, 2.0)
judging = {"epochs": s.judge_epochs, "seed": s.seed, "steps_per_execution": s.steps_per_execution}
smile_judge = train_flag_judge(train_faces, train.smiling == 1, train.smiling >= 0, **judging)
labelled = validation.smiling >= 0
judge_accuracy = float(attribute_accuracy(attribute_verdicts(smile_judge, val_faces[labelled]),
                                          validation.smiling[labelled, None], [0])[0])
smile_vector = code_arithmetic.attribute_vector(val_codes[labelled], validation.smiling[labelled] == 1)
not_smiling = np.flatnonzero(validation.smiling == 0)
stepped = code_arithmetic.decode_in_steps(decoder, val_codes[not_smiling], smile_vector, STEPS)
smiling_rate = {str(step): float(attribute_rates(smile_judge, faces)[0]) for step, faces in zip(STEPS, stepped)}
shown = np.concatenate([val_faces[not_smiling[:6]][None], stepped[:, :6]]).swapaxes(0, 1)
run.save_figure("smile_vector", figures.plot_image_grid(
    shown, col_labels=["original"] + [f"+{step:g} x smile" for step in STEPS], cell_inches=1.2))
smile = {"judge_validation_accuracy": judge_accuracy, "non_smiling_faces": len(not_smiling),
         "smiling_faces_used": int((validation.smiling == 1).sum()), "judged_smiling_by_step": smiling_rate}
if "Male" in index.attribute_names:
    male_scores = train.attribute("Male")
    male_judge = train_flag_judge(train_faces, male_scores > 0, np.isfinite(male_scores), **judging)
    by_step = {str(step): float(male_judge.predict(faces, batch_size=512, verbose=0)[:, 0].mean())
               for step, faces in zip(STEPS, stepped)}
    smile.update(male_probability_by_step=by_step, male_shift_at_1x=by_step["1.0"] - by_step["0.0"])
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
vae = run.stage("face_vae", built_with_adam(build_face_vae, size, s.code_dim, seed=s.seed, precision=s.precision,
                                            learning_rate=s.learning_rate, steps_per_execution=s.steps_per_execution),
                train_stream, epochs=s.vae_epochs, validation_data=(val_faces, val_faces), **stage_record,
                precision=s.precision)
vae_codes = np.random.default_rng(s.draw_seed).standard_normal((256, s.code_dim)).astype("float32")
vae_faces = vae.model.decoder.predict(vae_codes, batch_size=256, verbose=0)
_, vae_distance = code_arithmetic.nearest_neighbours(vae_faces, train_faces)
run.save_figure("new_faces_vae_vs_ae", figures.plot_image_grid(np.stack([vae_faces[:8], new_faces[:8]]),
                                                               ["VAE, N(0, I)", "AE, fitted normal"], cell_inches=1.2))
vae_numbers = {"validation_loss": vae.history["val_loss"][-1] if vae.history else None,
               "nearest_training_distance": float(vae_distance.mean()),
               "relative_sharpness": relative_sharpness(vae_faces, val_faces),
               "judged_smiling": float(attribute_verdicts(smile_judge, vae_faces)[:, 0].mean())}
print({"vae": vae_numbers, "autoencoder": new_face_numbers})

# %% [markdown]
# ## Results file
# `results.json`: the settings, the splits, and every number above.

# %%
run.finish(FacesResults(splits={**index.split_counts(), "validation_people": len(np.unique(validation.people)),
                                "train_people": len(np.unique(train.people))},
                        reconstruction=reconstruction, new_faces=new_face_numbers, photos=photos, smile_vector=smile,
                        vae=vae_numbers),
           data_source=f"{index.root.name} ({len(index)} images)")
