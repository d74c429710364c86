# %% [markdown]
# # Variational autoencoders for beginners: a conditional VAE on CelebA
#
# A runnable companion to the article "Вариационные автоэнкодеры (VAE) для чайников –
# пошаговое руководство". Each cell follows one section of the article; the code calls
# the `keras_autoencoders` library and keeps only the story and the settings here.
#
#     python tutorials/celeba_cvae.py --quick                    # minutes on a 2-core CPU
#     python tutorials/celeba_cvae.py                            # every image, 20 epochs: a GPU job
#     python tutorials/celeba_cvae.py --demo --quick             # no dataset: a generated folder
#     python tutorials/celeba_cvae.py --skip-training --out DIR  # redo the figures of a saved run
#
# CelebA is found through `--data-dir` or `$KERAS_AUTOENCODERS_DATA` (a folder holding
# `celeba/`, or the CelebA folder itself, in the official layout). The article gives no
# training settings beyond the 16-d latent and "about 8 hours on one GPU"; the defaults
# here (20 epochs over every image, batch 64, Adam 1e-3, 64x64 crops) are this library's.
#
# Everything lands in `--out`: `figures/`, `model/celeba_cvae.keras`, `history.csv`,
# `results.json`.

# %%
# In a notebook, pick the preset on this line: "quick" (minutes on a CPU) or "article"
# (every image, 20 epochs). On the command line, --quick picks it.
NOTEBOOK_PRESET = "article"

# %%
from keras_autoencoders.tutorial import print_summary, quiet_tensorflow, start_run, tutorial_parser

quiet_tensorflow()
import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_autoencoders.data.celeba import SPLITS, load_celeba_index  # noqa: E402
from keras_autoencoders.data.image_pipeline import dataset_from_index, first_images  # noqa: E402
from keras_autoencoders.data.make_celeba_folder import write_celeba_folder  # noqa: E402
from keras_autoencoders.evaluation.image_metrics import decoded_reconstruction_mse  # noqa: E402
from keras_autoencoders.evaluation.judges import (attribute_accuracy, attribute_rates, attribute_verdicts,  # noqa: E402
                                                  edit_rates, train_attribute_classifier)
from keras_autoencoders.generate import faces  # noqa: E402
from keras_autoencoders.models.conv_cvae import build_celeba_cvae  # noqa: E402
from keras_autoencoders.models.precision import PRECISIONS  # noqa: E402
from keras_autoencoders.plotting import figures  # noqa: E402
from keras_autoencoders.run_folder import clear_finished_run, read_history_csv, write_results  # noqa: E402
from keras_autoencoders.training.callbacks import run_folder_callbacks  # noqa: E402
from keras_autoencoders.training.distribute import build_distributed  # noqa: E402
from keras_autoencoders.training.reproducible import EpochSeeds  # noqa: E402

ARTICLE = {  # latent 16 is the article's; the rest is this library's choice (see the header)
    "epochs": 20, "batch_size": 64, "latent_dim": 16, "image_size": 64, "learning_rate": 1e-3,
    "max_images": 0, "classifier_epochs": 2, "judged_faces": 1000, "seed": 0, "on_corrupt": "skip",
    "data_dir": None, "demo": False, "out": "runs/celeba", "skip_training": False,
    # 1 step per call: each step streams 64 JPEGs from disk (decode, crop, resize), which
    # bounds a step more than Keras' per-call overhead does, so grouping steps would gain
    # little and make the progress bar and the NaN stop coarser. Raise it on a fast GPU fed
    # from a fast disk; the stream has no known length, and Keras (3.15) then counts one extra
    # optimizer iteration per epoch at 1 step per call but not at more, so the weights differ slightly.
    "steps_per_execution": 1, "precision": "float32",
}
# The quick preset: 10 epochs over the first 10,000 images (8,000 for training), a few
# minutes on 2 CPU cores. 3 epochs over 3,000 images gave one average face for every
# input and a judge that answered the same for every face; this long, reconstructions
# keep each face's look, the edits visibly change faces and the judge's rates move.
QUICK = {"epochs": 10, "max_images": 10000, "classifier_epochs": 4, "out": "runs/celeba-quick"}
HELP = """
epochs: training epochs
batch_size: global batch size (split across GPUs)
image_size: side of the square face crop fed to the model
max_images: use the first N images (0: all)
classifier_epochs: epochs of the attribute classifier that scores the edits
judged_faces: test faces the attribute judge scores (the first N of the test split)
on_corrupt: corrupt or truncated JPEGs: skip (with a counted warning) or raise
data_dir: folder holding celeba/
demo: train on a small generated folder in the CelebA layout
"""
parser = tutorial_parser(__doc__ or "CelebA conditional VAE", ARTICLE, HELP,
                         choices={"on_corrupt": ["skip", "raise"], "precision": list(PRECISIONS)})
settings, run = start_run(parser, ARTICLE, QUICK, notebook_preset=NOTEBOOK_PRESET)

# %% [markdown]
# ## Data
# The official layout: `img_align_celeba/*.jpg`, `list_attr_celeba.txt` (40 attributes,
# +1/-1 per face) and `list_eval_partition.txt` (train / valid / test). When the
# partition leaves a split empty (a subset that is all train), a seeded 80/10/10 split
# replaces it, with a warning. The model is conditioned on the attributes as 0/1.
# Images stream from disk through `tf.data`: parallel JPEG decode of a centred face
# crop, resize, shuffle, batch, prefetch; nothing holds the whole set in memory.

# %%
data_dir = settings["data_dir"]
if settings["demo"]:
    data_dir = write_celeba_folder(run.root / "demo_celeba", count=max(settings["max_images"], 1000),
                                   image_size=(178, 218), seed=settings["seed"])
index = load_celeba_index(data_dir, on_corrupt=settings["on_corrupt"], seed=settings["seed"])
if settings["max_images"]:
    index = index.select(np.arange(min(settings["max_images"], len(index))))
parts = {name: index.split(name) for name in SPLITS}
print(f"CelebA from {index.root}: " + ", ".join(f"{len(p)} {n}" for n, p in parts.items()))
names = index.attribute_names
size, batch = settings["image_size"], settings["batch_size"]

# %% [markdown]
# ### Random faces and their attributes
# As in the article: a few faces with the attributes they have (+1).

# %%
rng = np.random.default_rng(settings["seed"])
shown = parts["train"].select(np.sort(rng.choice(len(parts["train"]), 8, replace=False)))
shown_faces, shown_conditions = first_images(shown, 8, image_size=size)
captions = ["\n".join(n for n, v in zip(names, c) if v > 0.5) or "(none)" for c in shown_conditions]
figures.save_figure(figures.plot_captioned_images(shown_faces, captions), run.figures / "faces_with_attributes.png")

# %% [markdown]
# ## The network
# Encoder: two conv layers with pooling, the attributes joined before the latent
# layers, z_mean and z_log_var of size 16. Decoder: z joined with the attributes,
# mirrored convolutions, a sigmoid image. Loss: per-pixel binary cross-entropy + KL.
# With several GPUs the model is mirrored over them (`MirroredStrategy`). `--precision
# mixed_bfloat16` computes in bfloat16 with float32 weights; the layers the loss reads stay float32.

# %%
seeds = EpochSeeds(settings["seed"])
train_ds = dataset_from_index(parts["train"], batch, image_size=size, seed=settings["seed"], epoch_variable=seeds.epoch)
valid_ds = dataset_from_index(parts["valid"], batch, image_size=size, shuffle=False)
test_ds = dataset_from_index(parts["test"], batch, image_size=size, shuffle=False)
distributed = build_distributed(
    lambda: build_celeba_cvae(len(names), size, settings["latent_dim"], seed=settings["seed"],
                              precision=settings["precision"]),
    train_ds, {"optimizer": keras.optimizers.Adam(settings["learning_rate"]),
               "steps_per_execution": settings["steps_per_execution"]})
cvae = distributed.model
print(f"{distributed.replicas} replica(s) with {type(distributed.strategy).__name__}")
cvae.encoder_net.summary()
cvae.decoder.summary()

# %% [markdown]
# ## Training
# The article trained for about 8 hours on one GPU. Interrupt at will: rerunning the
# same command resumes from the last finished epoch, to the same weights as an
# uninterrupted run; a NaN loss stops the run and keeps the last good epoch.

# %%
if not settings["skip_training"]:
    clear_finished_run(run.root)  # unless resuming an interrupted run
    cvae.fit(distributed.dataset, epochs=settings["epochs"], validation_data=valid_ds,
             shuffle=False, verbose=1,
             callbacks=run_folder_callbacks(run.root, seeds=seeds))
    cvae.save(run.model("celeba_cvae"))

# %% [markdown]
# ## Results
# Later cells reload the saved model, so they run without retraining. The test numbers
# cover the whole test split, streamed.

# %%
cvae = run.load_model("celeba_cvae")
decoder, z_meaner = cvae.decoder, cvae.article_models()["z_meaner"]
history = read_history_csv(run.history)
train_images_per_second = len(parts["train"]) / float(np.median(history["train_seconds"]))
test_loss = cvae.evaluate(test_ds, verbose=0, return_dict=True)
test_reconstruction_mse = decoded_reconstruction_mse(z_meaner, decoder, test_ds)
print(f"validation loss after {len(history['val_loss'])} epochs: {history['val_loss'][-1]:.4f}; "
      f"test loss {test_loss['loss']:.4f}; training {train_images_per_second:.0f} images/s")

# %% [markdown]
# ### A judge for attributes
# Not in the article, which shows its edits as pictures: a small CNN trained on the
# real training faces tells whether a face smiles, is male, wears glasses. It turns
# each picture below into a rate, over the first `--judged-faces` test faces.

# %%
judged = [n for n in ("Smiling", "Male", "Eyeglasses", "Blond_Hair") if n in names]
columns = [index.attribute_index(n) for n in judged]
keras.utils.set_random_seed(settings["seed"])  # the same judge whether or not this run trained
judge = train_attribute_classifier(train_ds, columns, size, epochs=settings["classifier_epochs"], seed=settings["seed"],
                                   steps_per_execution=settings["steps_per_execution"])
test_faces, test_conditions = first_images(parts["test"], settings["judged_faces"], image_size=size)
test_verdicts = attribute_verdicts(judge, test_faces)  # judged once, for the accuracy and the real rates
judge_accuracy = attribute_accuracy(test_verdicts, test_conditions, columns)
print("judge accuracy on test faces:", {n: round(float(a), 3) for n, a in zip(judged, judge_accuracy)})

# %% [markdown]
# ### A face and its reconstruction
# The encoder's z_mean of a test face, decoded with the face's own attributes: blurred,
# but gender, hair, smile and skin tone survive, as in the article.

# %%
# name: (figure file, the attribute the edit is judged on, what to set). Switching on
# "Male" alone barely changes a face: the model also ties maleness to the makeup and
# lipstick attributes, which are almost never set for men in CelebA, so the full edit
# switches those off too; the Male-only edit is kept to show the difference.
EDITS = {"+ smile": ("edit_smile", "Smiling", {"Smiling": 1}),
         "-> male": ("edit_male", "Male", {"Male": 1, "Heavy_Makeup": 0, "Wearing_Lipstick": 0}),
         "-> male (Male only)": ("edit_male_only", "Male", {"Male": 1}),
         "+ glasses": ("edit_glasses", "Eyeglasses", {"Eyeglasses": 1})}
edits = faces.settings_by_name(names, {k: wanted for k, (_, _, wanted) in EDITS.items()})
edited = faces.edit_faces(z_meaner, decoder, test_faces, test_conditions, edits)
figures.save_figure(figures.plot_image_grid(np.stack([test_faces[:8], edited["reconstruction"][:8]]),
                                            ["original", "reconstruction"], cell_inches=1.5),
                    run.figures / "reconstructions.png")
print(f"reconstruction MSE per pixel value, whole test split: {test_reconstruction_mse:.4f}")

# %% [markdown]
# ### New faces with chosen attributes
# Eight codes from N(0, I) (columns) decoded under each attribute setting (rows). The
# attributes a row does not set take their frequency in the training set (a typical face).

# %%
base = parts["train"].conditions().mean(axis=0)
rows = faces.settings_by_name(names, {
    "woman, smiling": {"Male": 0, "Smiling": 1}, "woman, not smiling": {"Male": 0, "Smiling": 0},
    "man, smiling": {"Male": 1, "Smiling": 1}, "man, glasses": {"Male": 1, "Eyeglasses": 1},
    "woman, blond": {"Male": 0, "Blond_Hair": 1}, "man, black hair": {"Male": 1, "Black_Hair": 1}})
codes = np.random.default_rng(settings["seed"]).standard_normal((8, settings["latent_dim"])).astype("float32")
figures.save_figure(figures.plot_image_grid(faces.faces_for_settings(decoder, codes, base, rows), list(rows),
                                            cell_inches=1.5), run.figures / "new_faces.png")
many_codes = np.random.default_rng(settings["seed"] + 1).standard_normal((256, settings["latent_dim"]))
generated_rates = {row: dict(zip(judged, attribute_rates(judge, faces_row).round(3).tolist())) for row, faces_row
                   in zip(rows, faces.faces_for_settings(decoder, many_codes.astype("float32"), base, rows))}
print("judge's rates on 256 new faces per row:", generated_rates)

# %% [markdown]
# ### Editing real faces: a smile, female to male, glasses
# Each test face keeps its code z and is decoded with the edited attributes. The rate
# is how often the judge sees the attribute, over the test faces that lacked it,
# before (reconstruction) and after the edit.

# %%
rates = edit_rates(judge, columns, edited, test_conditions,
                   {name: index.attribute_index(EDITS[name][1]) for name in edits})
for name in edits:
    figure_name, attribute, _ = EDITS[name]
    picks = np.flatnonzero(test_conditions[:, index.attribute_index(attribute)] < 0.5)[:6]
    grid = np.stack([test_faces[picks], edited["reconstruction"][picks], edited[name][picks]])
    figures.save_figure(figures.plot_image_grid(grid, ["original", "reconstruction", name], cell_inches=1.5),
                        run.figures / f"{figure_name}.png")
print("judge's rates before/after each edit:", rates)

# %% [markdown]
# ### Interpolating between two faces
# z and the attributes move in a straight line from one test face to another.

# %%
path = faces.interpolate_faces(z_meaner, decoder, test_faces[:2], test_conditions[:2], steps=10)
figures.save_figure(figures.plot_image_grid(path[None], cell_inches=1.5), run.figures / "interpolation.png")

# %% [markdown]
# ## Results file
# `results.json`: settings, the split sizes, the loss history, timings (training images
# per second, validation apart), the test loss and reconstruction error over the whole
# test split, and the judge's numbers over the first `judged_faces` test faces.

# %%
write_results(run.root, {**settings, "data_source": f"{index.root.name} ({len(index)} images)"},
              splits={n: len(p) for n, p in parts.items()}, skipped_images=list(index.skipped),
              history={k: v for k, v in history.items() if k != "epoch"}, test_loss=test_loss,
              test_reconstruction_mse=test_reconstruction_mse, train_images_per_second=train_images_per_second,
              replicas=distributed.replicas, judged_test_faces=len(test_faces),
              judge={"attributes": judged, "test_accuracy": judge_accuracy,
                     "real_test_rates": test_verdicts.mean(axis=0)},
              generated_rates=generated_rates, edit_rates=rates)
smile = rates.get("+ smile", {})
print_summary(run.root, {"test loss": test_loss["loss"], "test reconstruction MSE": test_reconstruction_mse,
                         "smile edit: judged smiling before -> after":
                             f"{smile.get('reconstruction', float('nan')):.2f} -> {smile.get('edited', float('nan')):.2f}"})
