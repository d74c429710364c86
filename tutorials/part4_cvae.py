# %% [markdown]
# # Autoencoders in Keras, part 4: Conditional VAE
#
# A runnable companion to the article "Автоэнкодеры в Keras, Часть 4: Conditional VAE".
# Each cell below follows one section of the article; the code calls the
# `keras_autoencoders` library and keeps only the story and the settings here.
#
#     python tutorials/part4_cvae.py --quick                   # minutes on a 2-core CPU
#     python tutorials/part4_cvae.py                           # the article's run: 1000 epochs
#     python tutorials/part4_cvae.py --skip-training --out DIR # redo the figures of a saved run
#
# Everything lands in `--out`: `figures/`, `animations/`, `model/part4_cvae.keras`,
# `logs/` (TensorBoard), `history.csv`, `results.json` and `samples.npz`.

# %%
import pathlib
import time

from keras_autoencoders.tutorial import parse_settings, quiet_tensorflow, tutorial_parser

quiet_tensorflow()
import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_autoencoders import animation, figures, generation  # noqa: E402
from keras_autoencoders.generate.manifold import render_manifolds, z_means_by_label  # noqa: E402
from keras_autoencoders.data.mnist import load_mnist, prepare_images  # noqa: E402
from keras_autoencoders.arrays import one_hot  # noqa: E402
from keras_autoencoders.data.toy_manifold import make_sine_circle  # noqa: E402
from keras_autoencoders.evaluation.toy_curves import toy_manifold_distances  # noqa: E402
from keras_autoencoders.models.dense_cvae import build_part4_cvae  # noqa: E402
from keras_autoencoders.models.toy_autoencoder import build_toy_autoencoder, train_toy_autoencoder  # noqa: E402
from keras_autoencoders.run_folder import read_history_csv, write_results, write_samples  # noqa: E402
from keras_autoencoders.plotting.toy import plot_toy_manifold  # noqa: E402
from keras_autoencoders.training.callbacks import clear_finished_run, run_folder_callbacks  # noqa: E402
from keras_autoencoders.training.snapshots import ManifoldSnapshots, article_snapshot_epochs  # noqa: E402

ARTICLE = {  # the article's settings ("Код на Keras")
    "epochs": 1000, "batch_size": 500, "latent_dim": 8, "learning_rate": 1e-3,
    "toy_epochs": 300, "toy_batch_size": 30, "seed": 0,
    "data_dir": None, "out": "runs/part4", "skip_training": False,
}
QUICK = {"epochs": 10, "toy_epochs": 60, "out": "runs/part4-quick"}
HELP = {
    "epochs": "CVAE training epochs", "batch_size": "CVAE batch size", "latent_dim": "size of z",
    "learning_rate": "Adam learning rate", "toy_epochs": "epochs of each toy autoencoder",
    "toy_batch_size": "toy autoencoder batch size", "seed": "seed of every random draw",
    "data_dir": "folder holding mnist.npz (else $KERAS_AUTOENCODERS_DATA, else the Keras download)",
    "out": "output folder", "skip_training": "reuse the model and snapshots saved in --out",
}
settings = parse_settings(tutorial_parser(__doc__ or "Part 4: Conditional VAE", ARTICLE, HELP), ARTICLE, QUICK)
out = pathlib.Path(settings["out"])
fig_dir, anim_dir, model_path = out / "figures", out / "animations", out / "model" / "part4_cvae.keras"
keras.utils.set_random_seed(settings["seed"])
print("settings:", settings)

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
    toy_model = build_toy_autoencoder(conditional=conditional)
    train_toy_autoencoder(toy_model, toy, epochs=settings["toy_epochs"],
                          batch_size=settings["toy_batch_size"])
    inputs = [toy.points, toy.labels] if conditional else toy.points
    predicted = toy_model.predict(inputs, batch_size=2000, verbose=0)
    toy_results[name] = toy_manifold_distances(predicted, toy)
    figures.save_figure(plot_toy_manifold(toy, predicted, title=name), fig_dir / f"toy_{name}.png")
    print(name, toy_results[name])

# %% [markdown]
# ## The CVAE on MNIST
# Encoder: image + one-hot label -> Dense 256 relu -> BatchNorm -> Dropout 0.3 ->
# z_mean, z_log_var (8-d) -> sampled z. Decoder: z + label -> Dense 256 -> LeakyReLU ->
# BatchNorm -> Dropout 0.3 -> Dense 784 sigmoid. Loss per digit (784 BCE + KL) / 2 / 784.

# %%
mnist = load_mnist(settings["data_dir"], allow_sample=settings["quick"])
x_train, x_test = prepare_images(mnist.x_train), prepare_images(mnist.x_test)
y_train, y_test = mnist.y_train.astype(int), mnist.y_test.astype(int)
y_train_cat, y_test_cat = one_hot(y_train), one_hot(y_test)
print(f"MNIST from {mnist.source}: {len(x_train)} train / {len(x_test)} test digits")

cvae = build_part4_cvae(latent_dim=settings["latent_dim"], seed=settings["seed"])
cvae.compile(optimizer=keras.optimizers.Adam(settings["learning_rate"]))
cvae.encoder_net.summary()
cvae.decoder.summary()

# %% [markdown]
# ## Training, with snapshots of the manifolds
# At the article's epochs ({int(k^1.701)} and 0..9) a callback renders the 15x15 manifold
# of every label and the z_mean of every test digit. Interrupt it at will: rerunning
# the same command resumes from the last finished epoch (`BackupAndRestore`).

# %%
if not settings["skip_training"]:
    clear_finished_run(out, ["history.csv", "snapshots.npz"])  # unless resuming an interrupted run
snapshots = ManifoldSnapshots(cvae.decoder, cvae.article_models()["z_meaner"], x_test, y_test,
                              settings["latent_dim"], article_snapshot_epochs(settings["epochs"]),
                              path=out / "snapshots.npz")
if not settings["skip_training"]:
    (out / "model").mkdir(parents=True, exist_ok=True)
    cvae.fit(x_train, y_train_cat, batch_size=settings["batch_size"], epochs=settings["epochs"],
             shuffle=True, validation_data=(x_test, y_test_cat), verbose=1,
             callbacks=run_folder_callbacks(out, [snapshots], tensorboard=True))
    cvae.save(model_path)

# %% [markdown]
# ## Results
# Later cells reload the saved model, so they run without retraining.

# %%
cvae = keras.models.load_model(model_path)
models = cvae.article_models()
decoder, z_meaner = models["decoder"], models["z_meaner"]
history = read_history_csv(out / "history.csv")
print(f"test loss after {len(history['val_loss'])} epochs: {history['val_loss'][-1]:.4f}")

# %% [markdown]
# ### Originals over reconstructions
# As in the article's callback: the first ten test digits over their decoded versions
# (through `cvae`, i.e. a sampled z).

# %%
decoded = models["cvae"].predict([x_test[:10], y_test_cat[:10], y_test_cat[:10]], verbose=0)
figures.save_figure(figures.plot_digits(x_test[:10], decoded), fig_dir / "reconstructions.png")

# %% [markdown]
# ### Manifolds and z distributions per label
# One decoder call renders all ten manifolds; the scatter shows z_mean[0:2] of the test
# digits of each label (axes -5..5). Each label's z is close to N(0, I): the label
# carries the class, z the style shared by all classes.

# %%
manifolds = render_manifolds(decoder, settings["latent_dim"])  # warm-up (traces the decoder)
start = time.perf_counter()
manifolds = render_manifolds(decoder, settings["latent_dim"])
manifold_render_seconds = time.perf_counter() - start
z_by_label = z_means_by_label(z_meaner, x_test, y_test)
for c in range(10):
    figures.save_figure(figures.plot_manifold(manifolds[c], f"Label: {c}"), fig_dir / f"manifold_{c}.png")
    figures.save_figure(figures.plot_z_scatter(z_by_label[c], f"Label: {c}"), fig_dir / f"z_distr_{c}.png")
print(f"all ten manifolds in one decoder call: {manifold_render_seconds:.3f} s")

# %% [markdown]
# ### Digits of every label from N(0, I)
# The same ten codes drawn from N(0, I) (columns) decoded as each digit (rows): the
# shared code shows as shared slant and stroke width across a column.

# %%
prior = generation.digits_from_prior(decoder, settings["latent_dim"], count=10)
figures.save_figure(figures.plot_image_grid(prior, [str(c) for c in range(10)]),
                    fig_dir / "digits_from_prior.png")

# %% [markdown]
# ### Style transfer
# The first ten 7s of the training set, encoded with label 7 and decoded as every digit
# (row 7 shows the originals, as in the article; black on white).

# %%
sevens = generation.first_of_label(x_train, y_train, 7)
styled = generation.style_transfer(z_meaner, decoder, sevens, label_in=7)
shown = styled.copy()
shown[7] = sevens[..., 0]
figures.save_figure(figures.plot_image_grid(shown, [str(c) for c in range(10)], invert_colors=True),
                    fig_dir / "style_transfer.png")

# %% [markdown]
# ## Animations
# Per label, the manifold and the z distribution over the snapshots, titled
# "Label: c / Epoch: e", as GIF and MP4.

# %%
for c in range(10):
    titles = [animation.label_epoch_title(c, e) for e in snapshots.epochs_taken]
    animation.write_animation(animation.render_image_frames(snapshots.manifold_frames(c), titles),
                              anim_dir / f"manifold_{c}")
    animation.write_animation(animation.render_scatter_frames(snapshots.z_frames(c), titles),
                              anim_dir / f"z_distr_{c}")
print(f"{len(snapshots.epochs_taken)} snapshots per animation, written to {anim_dir}")

# %% [markdown]
# ## Results files
# `results.json` (settings, history, timings, toy distances, versions) and
# `samples.npz` (the digits every MNIST tutorial writes; see the README).

# %%
write_samples(out, generation.contract_samples(z_meaner, decoder, settings["latent_dim"],
                                               x_train, y_train, x_test, y_test))
path = write_results(
    out, {**settings, "data_source": mnist.source},
    history={k: v for k, v in history.items() if k != "epoch"},
    manifold_render_seconds=manifold_render_seconds,
    snapshot_render_seconds=snapshots.render_seconds,
    snapshot_epochs=snapshots.epochs_taken,
    toy_manifold=toy_results,
)
print(f"wrote {path}")
