# %% [markdown]
# # Autoencoders in Keras, part 4: Conditional VAE
#
# A runnable companion to the article "Автоэнкодеры в Keras, Часть 4: Conditional VAE".
# Each cell follows one section of the article; the code calls the
# `keras_autoencoders` library and keeps only the story and the settings here.
#
#     python tutorials/part4_cvae.py --quick                   # about 2 minutes on a 2-core CPU
#     python tutorials/part4_cvae.py                           # the article's run: 1000 epochs
#     python tutorials/part4_cvae.py --skip-training --out DIR # redo the figures of a saved run
#     python tutorials/part4_cvae.py --pretrained              # the committed 1000-epoch run's model: seconds
#
# Everything lands in `--out`: `figures/`, `animations/`, `model/part4_cvae.keras`,
# `logs/` (TensorBoard), `history.csv`, `results.json` and `samples.npz`.

# %%
# In a notebook, pick the preset on this line: "quick" (minutes on a CPU) or "article"
# (the article's 1000 epochs). On the command line, --quick picks it.
NOTEBOOK_PRESET = "article"

# %%
import shutil
import time

from keras_autoencoders.tutorial import print_summary, quiet_tensorflow, start_run, tutorial_parser

quiet_tensorflow()
import keras  # noqa: E402

from keras_autoencoders.data.mnist import load_mnist_digits  # noqa: E402
from keras_autoencoders.data.toy_manifold import make_sine_circle  # noqa: E402
from keras_autoencoders.evaluation.digit_generators import generator_numbers  # noqa: E402
from keras_autoencoders.evaluation.digit_judge import load_digit_judge  # noqa: E402
from keras_autoencoders.evaluation.judges import label_accuracy  # noqa: E402
from keras_autoencoders.evaluation.latent_metrics import gaussian_kl_to_standard_normal  # noqa: E402
from keras_autoencoders.evaluation.toy_curves import toy_manifold_distances  # noqa: E402
from keras_autoencoders.generate import digits as generate_digits  # noqa: E402
from keras_autoencoders.generate.manifold import render_manifolds  # noqa: E402
from keras_autoencoders.models.dense_cvae import build_part4_cvae  # noqa: E402
from keras_autoencoders.models.precision import PRECISIONS  # noqa: E402
from keras_autoencoders.models.toy_autoencoder import build_toy_autoencoder, train_toy_autoencoder  # noqa: E402
from keras_autoencoders.plotting import digit_figures, figures  # noqa: E402
from keras_autoencoders.plotting.snapshot_animations import write_snapshot_animations  # noqa: E402
from keras_autoencoders.pretrained import install_pretrained, source_run  # noqa: E402
from keras_autoencoders.plotting.toy import plot_toy_manifold  # noqa: E402
from keras_autoencoders.run_folder import clear_finished_run, read_history_csv, write_results, write_samples  # noqa: E402,E501
from keras_autoencoders.training.callbacks import run_folder_callbacks  # noqa: E402
from keras_autoencoders.training.reproducible import EpochSeeds, shuffled_batches  # noqa: E402
from keras_autoencoders.training.snapshots import ManifoldSnapshots, article_snapshot_epochs  # noqa: E402

ARTICLE = {  # the article's settings ("Код на Keras")
    "epochs": 1000, "batch_size": 500, "latent_dim": 8, "learning_rate": 1e-3, "train_digits": 0,
    "toy_epochs": 300, "toy_batch_size": 30, "toy_learning_rate": 1e-3, "seed": 0,
    "data_dir": None, "out": "runs/part4", "skip_training": False, "pretrained": False,
    # Not the article's: how fit runs, not what it computes (the same weights for any value).
    # A step of these dense nets is short, so Keras' per-call overhead is a large part of it;
    # 20 steps per call is 6 calls per epoch of 120 batches (the toy AEs take the same value).
    "steps_per_execution": 20, "precision": "float32",
}
# The quick preset trains on the first 5,000 training digits (the bundled sample's size,
# so it runs the same with or without the full MNIST) for 5,000 steps of 100 digits:
# 100 epochs at the article's batch of 500 would be only 1,000 steps and grey blobs.
# About 2 minutes on 2 CPU cores; a digit classifier reads ~85% of its digits as the
# requested label (the article's code reaches ~87-89% in its full run). The toy AEs take
# 2,000 steps at lr 1e-2 (22 s for both) instead of 20,000 at 1e-3 (65 s): the same picture.
# 10 steps per call: 5 calls per epoch of 50 batches.
QUICK = {"epochs": 100, "batch_size": 100, "train_digits": 5000, "toy_epochs": 200, "toy_batch_size": 100,
         "toy_learning_rate": 1e-2, "steps_per_execution": 10, "out": "runs/part4-quick"}
HELP = """
epochs: CVAE training epochs
batch_size: CVAE batch size
train_digits: train on the first N training digits (0: all)
toy_epochs: epochs of each toy AE
toy_batch_size: toy autoencoder batch size
toy_learning_rate: toy autoencoder Adam learning rate
data_dir: folder holding mnist.npz
skip_training: reuse the models already in --out
pretrained: use the shipped models of the committed 1000-epoch run (figs/pretrained/) and its history; no training
"""
settings, run = start_run(tutorial_parser(__doc__ or "Part 4: Conditional VAE", ARTICLE, HELP,
                                          choices={"precision": list(PRECISIONS)}),
                          ARTICLE, QUICK, notebook_preset=NOTEBOOK_PRESET)
digits = load_mnist_digits(settings["data_dir"], allow_sample=settings["quick"], train_digits=settings["train_digits"])
print(digits.describe())
if settings["pretrained"]:  # the committed run's models and losses, and no training below
    install_pretrained(run, "part4_cvae", "toy_deep_ae", "toy_conditional_deep_ae")
    shutil.copyfile(source_run("part4_cvae") / run.history.name, run.history)
    settings["skip_training"] = True

# %% [markdown]
# ## A disconnected manifold: deep AE vs conditional deep AE
# The article samples 1000 noisy points on a sine and 1000 on a circle, and fits a
# deep autoencoder with a 1-d code (2-64-64-1-64-64-2, elu, Adam 1e-3, MSE, 300 epochs,
# batch 30). The plain AE cannot cut its 1-d code in two and joins the curves; the same
# AE given the label at its input and at its code learns each curve apart.
# The number: mean distance of the reconstructed points to the nearest true curve.

# %%
toy = make_sine_circle(seed=settings["seed"])
toy_results = {}
for name, conditional in (("deep_ae", False), ("conditional_deep_ae", True)):
    if settings["pretrained"]:
        toy_model = run.load_model(f"toy_{name}")
    else:
        toy_model = build_toy_autoencoder(conditional=conditional)
        train_toy_autoencoder(toy_model, toy, epochs=settings["toy_epochs"], batch_size=settings["toy_batch_size"],
                              learning_rate=settings["toy_learning_rate"],
                              steps_per_execution=settings["steps_per_execution"])
        toy_model.save(run.model(f"toy_{name}"))
    predicted = toy_model.predict([toy.points, toy.labels] if conditional else toy.points, batch_size=2000, verbose=0)
    toy_results[name] = toy_manifold_distances(predicted, toy)
    figures.save_figure(plot_toy_manifold(toy, predicted, title=name), run.figures / f"toy_{name}.png")
    print(name, toy_results[name])

# %% [markdown]
# ## The CVAE on MNIST
# Encoder: image + one-hot label -> Dense 256 relu -> BatchNorm -> Dropout 0.3 ->
# z_mean, z_log_var (8-d) -> sampled z. Decoder: z + label -> Dense 256 -> LeakyReLU ->
# BatchNorm -> Dropout 0.3 -> Dense 784 sigmoid. Loss per digit (784 BCE + KL) / 2 / 784.
# `--precision mixed_bfloat16` (not the article's) computes in bfloat16 with float32 weights;
# z_mean, z_log_var, z, the logits and the image stay float32, so the loss is float32.

# %%
cvae = build_part4_cvae(latent_dim=settings["latent_dim"], seed=settings["seed"], precision=settings["precision"])
cvae.compile(optimizer=keras.optimizers.Adam(settings["learning_rate"]),
             steps_per_execution=settings["steps_per_execution"])
cvae.encoder_net.summary()
cvae.decoder.summary()

# %% [markdown]
# ## Training, with snapshots of the manifolds
# At the article's epochs ({int(k^1.701)} and 0..9) a callback renders the 15x15 manifold
# of every label and the z_mean of every test digit. Interrupt it at will: rerunning
# the same command resumes from the last finished epoch and reaches the same weights
# as an uninterrupted run (each epoch's shuffle and random draws are seeded by the
# seed and the epoch). A NaN loss stops the run and keeps the last good epoch.
# TensorBoard (`tensorboard --logdir OUT/logs`) shows the loss curves and, in its Images
# tab, every label's manifold at each snapshot epoch on the step slider.

# %%
if not settings["skip_training"]:
    clear_finished_run(run.root, [run.history.name, run.snapshots.name, run.logs.name])  # unless resuming
snapshots = ManifoldSnapshots(cvae.decoder, cvae.article_models()["z_meaner"], digits.x_test, digits.y_test,
                              settings["latent_dim"], article_snapshot_epochs(settings["epochs"]), path=run.snapshots,
                              tensorboard_dir=run.logs / "manifolds")
if not settings["skip_training"]:
    seeds = EpochSeeds(settings["seed"])
    cvae.fit(shuffled_batches(digits.x_train, digits.y_train_onehot, settings["batch_size"], seeds),
             epochs=settings["epochs"], validation_data=(digits.x_test, digits.y_test_onehot),
             shuffle=False, verbose=1,  # the batches are already shuffled, by seed and epoch
             callbacks=run_folder_callbacks(run.root, [snapshots], tensorboard=True, seeds=seeds))
    cvae.save(run.model("part4_cvae"))

# %% [markdown]
# ## Results
# Later cells reload the saved model, so they run without retraining.

# %%
cvae = run.load_model("part4_cvae")
decoder, z_meaner = cvae.decoder, cvae.article_models()["z_meaner"]  # the article's sub-models
history = read_history_csv(run.history)
print(f"test loss after {len(history['val_loss'])} epochs: {history['val_loss'][-1]:.4f}")

# %% [markdown]
# ### Originals over reconstructions
# As in the article's callback: the first ten test digits over their decoded versions
# (through `cvae`, i.e. a sampled z).

# %%
shown, shown_labels = digits.x_test[:10], digits.y_test_onehot[:10]
decoded = cvae.predict([shown, shown_labels, shown_labels], verbose=0)  # the article's `cvae`
figures.save_figure(figures.plot_digits(shown, decoded), run.figures / "reconstructions.png")

# %% [markdown]
# ### Manifolds and z distributions per label
# The 15x15 grid over z[0:2] (the rest 0) for every label, all in one decoder call, and
# z_mean[0:2] of the test digits of each label (axes -5..5). Each label's z is close
# to N(0, I): the label carries the class, z the style shared by all classes.

# %%
render_manifolds(decoder, settings["latent_dim"])  # warm-up (traces the decoder)
start = time.perf_counter()
render_manifolds(decoder, settings["latent_dim"])
manifold_render_seconds = time.perf_counter() - start
digit_figures.save_manifold_figures(decoder, z_meaner, digits.x_test, digits.y_test, settings["latent_dim"],
                                    run.figures)
print(f"all ten manifolds in one decoder call: {manifold_render_seconds:.3f} s")

# %% [markdown]
# ### Digits of every label from N(0, I), and style transfer
# Ten codes from N(0, I) (columns) decoded as each digit (rows): a column shares slant
# and stroke width. Then the first ten 7s of the training set, encoded with label 7
# and decoded as every digit (row 7 shows the originals, black on white as in the article).

# %%
sevens = generate_digits.first_of_label(digits.x_train, digits.y_train, 7)
digit_figures.save_prior_and_style_figures(z_meaner, decoder, settings["latent_dim"], sevens, run.figures)

# %% [markdown]
# ### The figures as numbers
# The digit judge (a small CNN trained once on the training digits, then kept in Keras'
# cache folder; `keras_autoencoders.evaluation.digit_judge`) reads the 10,000 digits drawn from
# N(0, I) (1,000 per label) and the style-transfer digits: the share it reads as the
# requested label says how well the CVAE draws digits on demand. Each label's test codes
# (z_mean) get the KL divergence of a Gaussian fitted to them from N(0, I): near 0 when
# the label's z is distributed as the prior.

# %%
classifier = load_digit_judge(settings["data_dir"], allow_sample=settings["quick"]).model
samples = generate_digits.contract_samples(z_meaner, decoder, settings["latent_dim"], digits.x_train,
                                           digits.y_train, digits.x_test, digits.y_test)
numbers = generator_numbers(classifier, samples, digits)
numbers["classifier_test_accuracy"] = label_accuracy(classifier, digits.x_test, digits.y_test)
# "Each label's z is close to N(0, I)": KL of the Gaussian fitted to each label's test z_mean.
z_test = z_meaner.predict([digits.x_test, digits.y_test_onehot], batch_size=1000, verbose=0)
numbers["z_kl_by_label"] = [gaussian_kl_to_standard_normal(z_test[digits.y_test == c]) for c in range(10)]
print(numbers)

# %% [markdown]
# ## Animations
# Per label, the manifold and the z distribution over the snapshots, titled
# "Label: c / Epoch: e", as GIF and MP4; and all ten manifolds side by side.

# %%
if snapshots.epochs_taken:
    write_snapshot_animations(snapshots, run.animations, unit="Epoch")
    print(f"{len(snapshots.epochs_taken)} snapshots per animation, written to {run.animations}")
else:  # --pretrained: the committed run's animations are in figs/part4/animations/
    print("no snapshots in this run folder (no training here), so no animations")

# %% [markdown]
# ## Results files
# `results.json` (settings, history, timings, numbers, toy distances, versions) and
# `samples.npz` (the digits every MNIST tutorial writes; see the README).

# %%
write_samples(run.root, samples)
write_results(run.root, {**settings, "data_source": digits.source_label},
              history={k: v for k, v in history.items() if k != "epoch"},
              manifold_render_seconds=manifold_render_seconds, snapshot_render_seconds=snapshots.render_seconds,
              snapshot_epochs=snapshots.epochs_taken, toy_manifold=toy_results, digits=numbers)
print_summary(run.root, {"test loss": history["val_loss"][-1],
                         "digits from N(0, I) read as their label": numbers["label_accuracy"],
                         "style transfer read as the target label": numbers["style_transfer_accuracy"],
                         "toy: plain / conditional AE distance to the curves":
                             f"{toy_results['deep_ae']['mean_distance_to_nearest_curve']:.3f} / "
                             f"{toy_results['conditional_deep_ae']['mean_distance_to_nearest_curve']:.3f}"})
