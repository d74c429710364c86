# %% [markdown]
# # Variational autoencoders for beginners: a conditional VAE on CelebA
#
# A runnable companion to the article "Вариационные автоэнкодеры (VAE) для чайников – пошаговое
# руководство", one cell per section; the pipeline and the model are the library's.
#
#     python tutorials/celeba_cvae.py --quick                    # minutes on a 2-core CPU
#     python tutorials/celeba_cvae.py                            # every image, 20 epochs: a GPU job
#     python tutorials/celeba_cvae.py --demo --quick             # no dataset: a generated folder
#     python tutorials/celeba_cvae.py --skip-training --out DIR  # redo the figures of a saved run
#     python -m keras_autoencoders.launch --processes 2 tutorials/celeba_cvae.py --data-dir DIR  # JAX, 2 processes
#
# CelebA is found through `--data-dir` or `$KERAS_AUTOENCODERS_DATA` (a folder holding `celeba/`
# in the official layout). The article gives no training settings beyond the 16-d latent and
# "about 8 hours on one GPU"; the other defaults are this library's.

# %%
NOTEBOOK_PRESET = "article"  # in a notebook: "quick" (minutes on a CPU) or "article"; on the command line: --quick

# %%
from dataclasses import dataclass

import keras
import numpy as np

from keras_autoencoders.data.celeba import SPLITS, load_celeba_index
from keras_autoencoders.data.image_pipeline import as_cvae_inputs, first_images, split_datasets
from keras_autoencoders.data.make_celeba_folder import write_celeba_folder
from keras_autoencoders.evaluation.image_metrics import decoded_reconstruction_mse
from keras_autoencoders.evaluation.judges import (attribute_accuracy, attribute_effects, attribute_rates,
                                                  attribute_verdicts, balanced_accuracy, balanced_agreement, edit_rates,
                                                  train_attribute_classifier, verdict_agreement)
from keras_autoencoders.generate import faces
from keras_autoencoders.models.conv_cvae import build_celeba_cvae
from keras_autoencoders.plotting import figures
from keras_autoencoders.records.celeba import EDITS, JUDGED_ATTRIBUTES, NEW_FACE_ROWS, CelebAResults
from keras_autoencoders.training.callbacks import run_folder_callbacks
from keras_autoencoders.training.distribute import build_distributed
from keras_autoencoders.training.reproducible import EpochSeeds
from keras_autoencoders.tutorial import AdamTrainingSettings, setting
from keras_autoencoders.tutorial_run import start_tutorial


@dataclass
class CelebASettings(AdamTrainingSettings):
    """CelebA conditional VAE: latent 16 is the article's, the rest this library's. The quick preset: 10 epochs
    over the first 10,000 images (8,000 train), minutes on 2 CPU cores (3 over 3,000: one average face)."""

    RUN_NAME = "celeba"
    SEVERAL_PROCESSES = True  # data-parallel on the JAX backend (keras_autoencoders.training.distribute)
    RESUME_KEYS = ("seed", "batch_size", "latent_dim", "image_size", "max_images")
    epochs: int = setting(20, "training epochs", quick=10)
    batch_size: int = setting(64, "global batch size (split across GPUs or processes)")
    latent_dim: int = setting(16, "size of z")
    image_size: int = setting(64, "side of the square face crop fed to the model")
    max_images: int = setting(0, "use the first N images (0: all)", quick=10000)
    classifier_epochs: int = setting(2, "epochs of the attribute judge that scores the edits", quick=4)
    judged_faces: int = setting(1000, "test faces the attribute judge scores (the first N of the test split)")
    on_corrupt: str = setting("skip", "corrupt or truncated JPEGs: skip (with a counted warning) or raise",
                              choices=("skip", "raise"))
    demo: bool = setting(False, "train on a small generated folder in the CelebA layout")
    # --steps-per-execution stays 1 (streaming JPEGs bounds a step more than Keras' per-call overhead).


s, run = start_tutorial(CelebASettings, NOTEBOOK_PRESET)

# %% [markdown]
# ## Data
# The official layout: `img_align_celeba/*.jpg`, `list_attr_celeba.txt` (40 attributes, +1/-1
# per face, used as 0/1) and `list_eval_partition.txt` (train / valid / test; a seeded 80/10/10
# split, with a warning, where it leaves a split empty). Images stream from disk through
# `tf.data` (parallel JPEG decode of a centred crop, resize, shuffle, batch, prefetch).

# %%
data_dir = (write_celeba_folder(run.root / "demo_celeba", count=max(s.max_images, 1000), image_size=(178, 218),
                               seed=s.seed) if s.demo else s.data_dir)
index = load_celeba_index(data_dir, on_corrupt=s.on_corrupt, seed=s.seed).first(s.max_images)
parts = {name: index.split(name) for name in SPLITS}
print(f"CelebA from {index.root}: " + ", ".join(f"{len(p)} {n}" for n, p in parts.items()))
names, size = index.attribute_names, s.image_size

# %% [markdown]
# ### Random faces and their attributes
# As in the article: a few faces with the attributes they have (+1).

# %%
shown_faces, shown_conditions = first_images(parts["train"].sample(8, s.seed), 8, image_size=size)
captions = ["\n".join(n for n, v in zip(names, c) if v > 0.5) or "(none)" for c in shown_conditions]
run.save_figure("faces_with_attributes", figures.plot_captioned_images(shown_faces, captions))

# %% [markdown]
# ## The network
# Encoder: two conv layers with pooling, the attributes joined before the latent layers,
# z_mean and z_log_var of size 16. Decoder: z joined with the attributes, mirrored
# convolutions, a sigmoid image. Loss: per-pixel binary cross-entropy + KL
# (`models/conv_cvae.py`). With several GPUs the model is mirrored over them; on several processes
# (JAX) each decodes only its rows of every global batch that `fit` reads, and process 0 writes.

# %%
seeds = EpochSeeds(s.seed)
pipeline = {"seed": s.seed, "epoch_variable": seeds.epoch, "image_size": size}
data = split_datasets(parts, s.batch_size, **pipeline)  # every image: the figures and numbers
fit_data = {name: as_cvae_inputs(batches) for name, batches in split_datasets(  # x = [faces, attributes]
    {name: parts[name] for name in ("train", "valid")}, s.batch_size, **pipeline, process=run.cluster.share).items()}
run.check_same_run(s.RESUME_KEYS, processes=run.cluster.processes)  # a resumed run keeps them
distributed = build_distributed(
    lambda: build_celeba_cvae(len(names), size, s.latent_dim, seed=s.seed, precision=s.precision), fit_data["train"],
    {"optimizer": keras.optimizers.Adam(s.learning_rate), "steps_per_execution": s.steps_per_execution},
    cluster=run.cluster, batch_size=s.batch_size)
cvae = distributed.model
print(f"{distributed.replicas} replica(s): {distributed.route}")
cvae.summary()  # the encoder net and the decoder

# %% [markdown]
# ## Training
# The article trained for about 8 hours on one GPU. Interrupt at will: the same command resumes to
# the weights of an uninterrupted run; a NaN loss stops it, keeping the last good epoch.

# %%
if run.needs_training("celeba_cvae"):  # not under --pretrained or --skip-training
    cvae.fit(distributed.dataset, epochs=s.epochs, validation_data=fit_data["valid"], shuffle=False, verbose=1,
             callbacks=run_folder_callbacks(run.root, seeds=seeds, writes=run.cluster.writes))
cvae, history = run.keep("celeba_cvae", cvae)  # saved in model/ (or the saved one, loaded)
decoder, z_meaner = cvae.decoder, cvae.article_models()["z_meaner"]
train_images_per_second = len(parts["train"]) / float(np.median(history["train_seconds"]))
test_loss = cvae.evaluate(as_cvae_inputs(data["test"]), verbose=0, return_dict=True)
test_reconstruction_mse = decoded_reconstruction_mse(z_meaner, decoder, data["test"])
print(f"validation loss after {len(history['val_loss'])} epochs: {history['val_loss'][-1]:.4f}; "
      f"test loss {test_loss['loss']:.4f}; training {train_images_per_second:.0f} images/s")

# %% [markdown]
# ### A judge for attributes
# Not in the article (it shows edits as pictures): a small CNN trained on the training faces tells
# smiles, men, glasses, blond or black hair and pale skin; each picture below becomes a rate. Rare
# attributes (glasses, pale skin) make plain accuracy flatter a judge that says "no": the balanced
# accuracy averages its hit rates on the test faces with and without the attribute (0.5: a guess).

# %%
judged, columns = index.attribute_columns(JUDGED_ATTRIBUTES)
seeds.epoch.assign(0)  # the judge reads the training faces in one order, whether the CVAE trained here or not
judge = train_attribute_classifier(data["train"], columns, size, epochs=s.classifier_epochs, seed=s.seed,
                                   steps_per_execution=s.steps_per_execution)
test_faces, test_conditions = first_images(parts["test"], s.judged_faces, image_size=size)
test_verdicts = attribute_verdicts(judge, test_faces)  # judged once, for the accuracy and the real rates
judge_accuracy = attribute_accuracy(test_verdicts, test_conditions, columns)
test_labels = test_conditions[:, columns] > 0.5  # CelebA's own labels of the judged attributes
judge_balanced = balanced_accuracy(test_verdicts, test_labels)  # None: no test face has the attribute
print("judge accuracy on test faces:", {n: round(float(a), 3) for n, a in zip(judged, judge_accuracy)})
print("balanced:", {n: None if a is None else round(a, 3) for n, a in zip(judged, judge_balanced)})

# %% [markdown]
# ### A face and its reconstruction
# The encoder's z_mean of a test face, decoded with the face's own attributes: blurred,
# but gender, hair, smile and skin tone survive, as in the article. The number: how often
# the judge reads a reconstruction as it reads the face, per attribute; balanced, the same share
# over the faces with the attribute and over those without it, averaged.

# %%
edits = faces.settings_by_name(names, {key: edit.sets for key, edit in EDITS.items()})
edited = faces.edit_faces(z_meaner, decoder, test_faces, test_conditions, edits)
run.save_figure("reconstructions", figures.plot_image_grid(np.stack([test_faces[:8], edited["reconstruction"][:8]]),
                                                           ["original", "reconstruction"], cell_inches=1.5))
agreement = dict(zip(judged, verdict_agreement(judge, edited["reconstruction"], test_verdicts).round(3).tolist()))
balanced_alike = dict(zip(judged, (None if a is None else round(a, 3) for a in balanced_agreement(
    test_verdicts, attribute_verdicts(judge, edited["reconstruction"]), test_labels))))
print(f"reconstruction MSE per pixel value, whole test split: {test_reconstruction_mse:.4f}; "
      f"judged alike: {agreement}; balanced: {balanced_alike}")

# %% [markdown]
# ### New faces with chosen attributes
# Eight codes from N(0, I) (columns) decoded under each attribute setting (rows). The
# attributes a row does not set take their frequency in the training set (a typical face).

# %%
base = parts["train"].conditions().mean(axis=0)
rows = faces.settings_by_name(names, {key: sets for key, (_, sets) in NEW_FACE_ROWS.items()})
codes = np.random.default_rng(s.draw_seed).standard_normal((8, s.latent_dim)).astype("float32")
run.save_figure("new_faces", figures.plot_image_grid(faces.faces_for_settings(decoder, codes, base, rows),
                                                    [NEW_FACE_ROWS[key][0] for key in rows], cell_inches=1.5))
many_codes = np.random.default_rng(s.draw_seed + 1).standard_normal((256, s.latent_dim))
generated_rates = {row: dict(zip(judged, attribute_rates(judge, faces_row).round(3).tolist())) for row, faces_row
                   in zip(rows, faces.faces_for_settings(decoder, many_codes.astype("float32"), base, rows))}
print("judge's rates on 256 new faces per row:", generated_rates)

# %% [markdown]
# ### What each attribute does to a new face
# The article's new faces carry gender, skin colour, smile, glasses and hair colour. Here 256 codes
# from N(0, I), each with the 40 attributes of a random test face, are decoded twice per judged
# attribute, once with it on and once off, all else equal. The effect: the judge's rate of the
# attribute on the "on" faces minus its rate on the "off" faces.

# %%
draws = np.random.default_rng(s.draw_seed + 2)
test_attributes = parts["test"].conditions()
effect_conditions = test_attributes[draws.choice(len(test_attributes), min(256, len(test_attributes)), replace=False)]
effect_codes = draws.standard_normal((len(effect_conditions), s.latent_dim)).astype("float32")
effects = attribute_effects(judge, decoder, effect_codes, effect_conditions, dict(zip(judged, columns)))
print("judge's rate with each attribute on - off:", {n: round(effects[n]["effect"], 3) for n in judged})

# %% [markdown]
# ### Editing real faces: a smile, female to male, glasses
# Each test face keeps its code z and is decoded with the edited attributes. The rate is how often
# the judge sees the attribute, over the test faces that lacked it, before and after the edit.

# %%
rates = edit_rates(judge, columns, edited, test_conditions, {key: index.attribute_index(EDITS[key].judged)
                                                              for key in edits})
for key in edits:
    picks = np.flatnonzero(test_conditions[:, index.attribute_index(EDITS[key].judged)] < 0.5)[:6]
    grid = np.stack([test_faces[picks], edited["reconstruction"][picks], edited[key][picks]])
    run.save_figure(f"edit_{key}", figures.plot_image_grid(grid, ["original", "reconstruction", EDITS[key].label],
                                                           cell_inches=1.5))
print("judge's rates before/after each edit:", rates)

# %% [markdown]
# ### Interpolating between two faces
# z and the attributes move in a straight line from one test face to another.

# %%
path = faces.interpolate_faces(z_meaner, decoder, test_faces[:2], test_conditions[:2], steps=10)
run.save_figure("interpolation", figures.plot_image_grid(path[None], cell_inches=1.5))

# %% [markdown]
# ## Results file
# `results.json`: settings, split sizes, history, images per second, test numbers, the judge's
# (its accuracy, balanced accuracy and rates; agreement on reconstructions; attribute effects).

# %%
run.finish(CelebAResults(
    splits={n: len(p) for n, p in parts.items()}, skipped_images=list(index.skipped), history=history,
    test_loss=test_loss, test_reconstruction_mse=test_reconstruction_mse,
    train_images_per_second=train_images_per_second, replicas=distributed.replicas, judged_test_faces=len(test_faces),
    judge={"attributes": judged, "test_accuracy": judge_accuracy, "real_test_rates": test_verdicts.mean(axis=0),
           "balanced_accuracy": judge_balanced, "test_positives": test_labels.sum(axis=0)},
    reconstruction_agreement=agreement, reconstruction_balanced_agreement=balanced_alike, attribute_effects=effects,
    generated_rates=generated_rates, edit_rates=rates),
    data_source=f"{index.root.name} ({len(index)} images)")
