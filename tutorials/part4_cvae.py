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
NOTEBOOK_PRESET = "article"  # in a notebook: "quick" (minutes on a CPU) or "article"; on the command line: --quick

# %%
from dataclasses import dataclass

import keras

from keras_autoencoders.data.mnist import load_mnist_digits
from keras_autoencoders.data.toy_manifold import make_sine_circle
from keras_autoencoders.evaluation.digit_generators import compare_generators
from keras_autoencoders.evaluation.digit_judge import load_digit_judge
from keras_autoencoders.evaluation.toy_curves import toy_manifold_distances
from keras_autoencoders.generate import digits as generate_digits
from keras_autoencoders.generate.manifold import manifold_render_seconds, z_means
from keras_autoencoders.models import build_part4_cvae
from keras_autoencoders.models.dropout import with_threefry_dropout
from keras_autoencoders.models.toy_autoencoder import build_toy_autoencoder, toy_inputs
from keras_autoencoders.plotting import digit_figures, figures
from keras_autoencoders.plotting.projector import write_projector
from keras_autoencoders.plotting.snapshot_animations import write_snapshot_animations
from keras_autoencoders.plotting.toy import plot_toy_manifold
from keras_autoencoders.records.part4 import TOY_MODELS, Part4Results
from keras_autoencoders.training.callbacks import run_folder_callbacks
from keras_autoencoders.training.reproducible import EpochSeeds, shuffled_batches
from keras_autoencoders.training.snapshots import ManifoldSnapshots, article_snapshot_epochs
from keras_autoencoders.tutorial import AdamTrainingSettings, setting
from keras_autoencoders.tutorial_run import start_tutorial


@dataclass
class Part4Settings(AdamTrainingSettings):
    """Part 4: Conditional VAE. The article's settings ("Код на Keras"); the quick preset trains on the
    first 5,000 digits (the bundled sample's size) for 5,000 steps of 100 (100 epochs at batch 500
    would be 1,000 steps and grey blobs), and the toy AEs for 2,000 steps at lr 1e-2: the same picture."""

    RUN_NAME = "part4"
    epochs: int = setting(1000, "CVAE training epochs", quick=100)
    batch_size: int = setting(500, "CVAE batch size", quick=100)
    latent_dim: int = setting(8, "size of z")
    train_digits: int = setting(0, "train on the first N training digits (0: all)", quick=5000)
    toy_epochs: int = setting(300, "epochs of each toy AE", quick=200)
    toy_batch_size: int = setting(30, "toy autoencoder batch size", quick=100)
    toy_learning_rate: float = setting(1e-3, "toy autoencoder Adam learning rate", quick=1e-2)
    # Not the article's: how fit runs, not what it computes (the same weights for any value).
    steps_per_execution: int = setting(20, "training steps per call of the compiled function", quick=10)
    jit_compile: bool = setting(False, "compile the CVAE's steps with XLA (fuses element-wise work: faster on a CPU)")
    pretrained: bool = setting(False, "use the shipped models of the committed 1000-epoch run; no training")


s, run = start_tutorial(Part4Settings, NOTEBOOK_PRESET)
digits = load_mnist_digits(s.data_dir, allow_sample=s.quick, train_digits=s.train_digits)
print(digits.describe())

# %% [markdown]
# ## A disconnected manifold: deep AE vs conditional deep AE
# The article samples 1000 noisy points on a sine and 1000 on a circle, and fits a
# deep autoencoder with a 1-d code (2-64-64-1-64-64-2, elu, Adam 1e-3, MSE, 300 epochs,
# batch 30; `models/toy_autoencoder.py`). The plain AE cannot cut its 1-d code in two and
# joins the curves; the same AE given the label at its input and at its code learns each
# curve apart. The number: mean distance of the reconstructed points to the nearest true curve.

# %%
toy = make_sine_circle(seed=s.seed)
toy_manifold = {}
for name, conditional in TOY_MODELS.items():
    toy_ae = build_toy_autoencoder(conditional)
    toy_ae.compile(optimizer=keras.optimizers.Adam(s.toy_learning_rate), loss="mse",
                   steps_per_execution=s.steps_per_execution)
    if run.needs_training(f"toy_{name}"):
        toy_ae.fit(toy_inputs(toy, conditional), toy.points, epochs=s.toy_epochs, batch_size=s.toy_batch_size,
                   shuffle=True, verbose=0)
    toy_ae = run.keep(f"toy_{name}", toy_ae).model
    predicted = toy_ae.predict(toy_inputs(toy, conditional), batch_size=2000, verbose=0)
    toy_manifold[name] = toy_manifold_distances(predicted, toy)
    run.save_figure(f"toy_{name}", plot_toy_manifold(toy, predicted, title=name))
    print(name, toy_manifold[name])

# %% [markdown]
# ## The CVAE on MNIST
# Encoder: image + one-hot label -> Dense 256 relu -> BatchNorm -> Dropout 0.3 ->
# z_mean, z_log_var (8-d) -> sampled z. Decoder: z + label -> Dense 256 -> LeakyReLU ->
# BatchNorm -> Dropout 0.3 -> Dense 784 sigmoid. Loss per digit (784 BCE + KL) / 2 / 784.
# Networks, loss (`VariationalAutoencoder.compute_loss`) and step are one file,
# `models/vae.py`. `--precision mixed_bfloat16` (not the article's) computes in bfloat16
# with float32 weights; z, the image and the loss stay float32 (`models/precision.py`).

# %%
cvae = build_part4_cvae(latent_dim=s.latent_dim, seed=s.seed, precision=s.precision)
if s.jit_compile:  # an option: the same model, its dropout masks drawn with XLA's fast ThreeFry
    cvae = with_threefry_dropout(cvae)
cvae.compile(optimizer=keras.optimizers.Adam(s.learning_rate), steps_per_execution=s.steps_per_execution,
             jit_compile=s.jit_compile)
cvae.summary()  # the encoder net and the decoder

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
snapshots = ManifoldSnapshots(cvae.decoder, cvae.article_models()["z_meaner"], digits.x_test, digits.y_test,
                              s.latent_dim, article_snapshot_epochs(s.epochs), path=run.snapshots,
                              tensorboard_dir=run.logs / "manifolds")
seeds = EpochSeeds(s.seed)
if run.needs_training("part4_cvae"):  # not under --pretrained or --skip-training
    # The article's cvae.fit([x_train, y_train_cat], x_train, batch_size=500, ...), shuffled per epoch.
    cvae.fit(shuffled_batches((digits.x_train, digits.y_train_onehot), digits.x_train, s.batch_size, seeds),
             epochs=s.epochs, validation_data=((digits.x_test, digits.y_test_onehot), digits.x_test),
             validation_batch_size=s.batch_size, shuffle=False,
             callbacks=run_folder_callbacks(run.root, [snapshots], tensorboard=True, seeds=seeds))
cvae, history = run.keep("part4_cvae", cvae)  # saved in model/ (or the saved one, loaded)
decoder, z_meaner = cvae.decoder, cvae.article_models()["z_meaner"]  # the article's sub-models
print(f"test loss after {len(history['val_loss'])} epochs: {history['val_loss'][-1]:.4f}")

# %% [markdown]
# ## Results
# ### Originals over reconstructions
# As in the article's callback: the first ten test digits over their decoded versions
# (through `cvae`, i.e. a sampled z).

# %%
shown, shown_labels = digits.x_test[:10], digits.y_test_onehot[:10]
decoded = cvae.article_models()["cvae"].predict([shown, shown_labels, shown_labels], verbose=0)
run.save_figure("reconstructions", figures.plot_digits(shown, decoded))

# %% [markdown]
# ### Manifolds and z distributions per label
# The 15x15 grid over z[0:2] (the rest 0) for every label, all in one decoder call, and
# z_mean[0:2] of the test digits of each label (axes -5..5). The label carries the class,
# z the style shared by all classes; the loss pulls every label's z towards N(0, I).
# TensorBoard's Projector tab (`tensorboard --logdir OUT/logs`) shows every test digit's
# z_mean as the digit itself (PCA, t-SNE, UMAP), coloured by label.

# %%
render_seconds = manifold_render_seconds(decoder, s.latent_dim)
digit_figures.save_manifold_figures(decoder, z_meaner, digits.x_test, digits.y_test, s.latent_dim, run.figures)
test_codes = z_means(z_meaner, digits.x_test, digits.y_test)  # every test digit's z_mean
write_projector(run.logs / "projector", test_codes, digits.y_test, digits.x_test)
print(f"all ten manifolds in one decoder call: {render_seconds:.3f} s")

# %% [markdown]
# ### Digits of every label from N(0, I), and style transfer
# Ten codes from N(0, I) (columns) decoded as each digit (rows): a column shares slant
# and stroke width. Then the first ten 7s of the training set, encoded with label 7
# and decoded as every digit (row 7 shows the originals, black on white as in the article).

# %%
sevens = generate_digits.first_of_label(digits.x_train, digits.y_train, 7)
digit_figures.save_prior_and_style_figures(z_meaner, decoder, s.latent_dim, sevens, run.figures)

# %% [markdown]
# ### The figures as numbers
# The digit judge (a small CNN trained once on the training digits, then kept in Keras'
# cache folder; `evaluation/digit_judge.py`) reads the 10,000 digits drawn from N(0, I)
# (1,000 per label) and the style-transfer digits: the share it reads as the requested
# label says how well the CVAE draws digits on demand. Style: the correlation (and the
# gain) of each digit's slant and stroke width with its reconstruction's and with its
# drawings as other digits. Each label's test z_mean gets the KL divergence of a fitted
# Gaussian from N(0, I): near 0 when the label's z is distributed as the prior.

# %%
classifier = load_digit_judge(s.data_dir, allow_sample=s.quick).model
comparison, generated = compare_generators({"cvae": (z_meaner, decoder)}, classifier, digits, s.latent_dim,
                                          s.draw_seed)
numbers, samples = comparison["cvae"], generated["cvae"]
print(numbers)

# %% [markdown]
# ## Animations
# Per label, the manifold and the z distribution over the snapshots, titled
# "Label: c / Epoch: e", as GIF and MP4; and all ten manifolds side by side
# (none under `--pretrained`: the committed run's are in figs/part4/animations/).

# %%
write_snapshot_animations(snapshots, run.animations, unit="Epoch")

# %% [markdown]
# ## Results files
# `results.json` (settings, history, timings, numbers, toy distances, versions) and
# `samples.npz` (the digits every MNIST tutorial writes; see the README).

# %%
run.finish(Part4Results(history=history, toy_manifold=toy_manifold, digits=numbers,
                        manifold_render_seconds=render_seconds,
                        snapshot_render_seconds=snapshots.render_seconds, snapshot_epochs=snapshots.epochs_taken),
           samples, data_source=digits.source_label)
