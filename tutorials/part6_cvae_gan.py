# %% [markdown]
# # Autoencoders in Keras, part 6: VAE + GAN
#
# A runnable companion to the article "Автоэнкодеры в Keras, Часть 6: VAE + GAN", one cell per
# section; the networks, losses and training loop are the `keras_autoencoders` library's.
#
#     python tutorials/part6_cvae_gan.py --quick                     # minutes on a 2-core CPU
#     python tutorials/part6_cvae_gan.py --preset corrected          # recommended: 48,000 iterations (GPU)
#     python tutorials/part6_cvae_gan.py                             # the article's code as it ran (again: resumes)
#     python tutorials/part6_cvae_gan.py --pretrained                # the committed corrected run's models: seconds
#     python tutorials/part6_cvae_gan.py --skip-training --out DIR   # redo a finished run's figures and numbers
#
# **Which preset to train.** `--preset article` (the default) computes what the article's code
# computes: its discriminator head reads the tensor *before* the feature layer l, so l is never
# trained. `--preset corrected` makes the head read l: train this one. In our runs
# (figs/part6/LONG_RUNS.md) the article preset collapses to one speckled drawing per label; the
# corrected one draws sharp digits of the requested label that keep each 7's slant and width.

# %%
NOTEBOOK_PRESET = "article"  # in a notebook: "quick" (minutes on a CPU) or "article"; on the command line: --quick

# %%
from dataclasses import dataclass

from keras_autoencoders.data.mnist import load_mnist_digits
from keras_autoencoders.evaluation.digit_generators import compare_generators
from keras_autoencoders.evaluation.digit_judge import load_digit_judge
from keras_autoencoders.generate import digits as generate_digits
from keras_autoencoders.generate.manifold import z_means
from keras_autoencoders.models.cvae_gan import PRESETS, ArticleRMSprop, build_cvae_gan
from keras_autoencoders.models.cvae_gan.model import ITERATIONS_PER_PERIOD
from keras_autoencoders.models.upsampled_conv import fold_upsampling
from keras_autoencoders.plotting import digit_figures, figures
from keras_autoencoders.plotting.projector import write_projector
from keras_autoencoders.plotting.snapshot_animations import write_snapshot_animations
from keras_autoencoders.records.part6 import RESUME_KEYS, Part6Results, part6_samples, training_facts
from keras_autoencoders.training.baseline import baseline_batches, baseline_cvae
from keras_autoencoders.training.cvae_gan_fit import adaptive_loop_fit
from keras_autoencoders.tutorial import TrainingSettings, setting
from keras_autoencoders.tutorial_run import start_tutorial


@dataclass
class Part6Settings(TrainingSettings):
    """Part 6: VAE + GAN. The article's settings ("Код", "Процесс обучения"); the quick preset trains
    the recommended (corrected) networks for 300 iterations, about 4 minutes on 2 CPU cores: at 60
    iterations they draw noise, from about 300 digits of the requested label (80-90%)."""

    RUN_NAME = "part6"
    SHIPPED = "part6_cvae_gan"  # --pretrained: the committed 48,000-iteration corrected run
    SHIPPED_SETTINGS = ("iterations", "batch_size", "latent_dim", "gamma", "preset", "feature_loss",
                        "seed")
    iterations: int = setting(48000, "outer iterations of the adaptive loop (fit's steps, in epochs of 3)",
                              quick=300, multiple_of=ITERATIONS_PER_PERIOD)
    batch_size: int = setting(64, "digits per batch")
    latent_dim: int = setting(8, "size of z")
    gamma: float = setting(1.0, "weight of L_llike in the decoder's loss")
    preset: str = setting("article", "network variant (see the top of this file)", quick="corrected", choices=PRESETS)
    feature_loss: str = setting("cross_entropy", "L_llike on layer l: cross_entropy (the article's) or mse (its "
                                                 "commented-out line)", choices=("cross_entropy", "mse"))
    # Not the article's: how fit runs and what it keeps, not what it computes.
    steps_per_execution: int = setting(ITERATIONS_PER_PERIOD, "iterations per call of the compiled training function")
    fold_upsampling: bool = setting(False, "train with the decoder's up-sampled conv computed on the 7x7 map: the "
                                           "same function, 1.3x faster in float32; the model keeps its layers")
    snapshot_every: int = setting(0, "snapshot every N iterations, N a multiple of 3 (0: the article's)", quick=15)
    checkpoint_every: int = setting(300, "iterations between backups; rerunning the same command resumes from "
                                         "the last", quick=60, multiple_of=ITERATIONS_PER_PERIOD)
    pretrained: bool = setting(False, "the shipped models and losses of the committed 48,000-iteration corrected run")


s, run = start_tutorial(Part6Settings, NOTEBOOK_PRESET)
digits = load_mnist_digits(s.data_dir, allow_sample=s.quick)
print(digits.describe())
run.check_same_run(RESUME_KEYS, data=digits.source_label)  # a resumed run keeps its model and data

# %% [markdown]
# ## The three networks ("Код")
# Encoder: conv 32 3x3 stride 2, max-pool, conv 64 3x3, + label, dense 64 -> z (8-d),
# sampled with exp(clip(log_var / 2, -2, 2)). Decoder: z + label -> dense 7x7x128 ->
# upsample -> conv 64 5x5 -> conv 32 3x3 -> upsample -> conv 1 5x5 sigmoid.
# Discriminator: conv 128 7x7 stride 2, max-pool, the label tiled over the map, conv 64,
# max-pool, the feature layer l (conv 16, linear), a sigmoid unit. Every hidden layer:
# LeakyReLU(0.3) and dropout 0.3: the article's own Keras layers, built in
# `keras_autoencoders/models/cvae_gan/networks.py`.

# %%
model = build_cvae_gan(latent_dim=s.latent_dim, preset=s.preset, feature_loss=s.feature_loss, seed=s.seed,
                       precision=s.precision)
if s.fold_upsampling:  # an option, not the article's: the same function, faster (models/upsampled_conv.py)
    fold_upsampling(model)
model.summary()  # the three networks, and the discriminator variables L_GAN never reaches

# %% [markdown]
# ## Losses and optimisers
# L_prior = KL(q(z|x) || N(0, I)) with the log-variance clipped to [-2, 2], / 784;
# L_GAN = -(log D(x) + 2 log(1 - D(G(z))) + log(1 - D(G(E(x))))) / 4 / 784;
# L_llike = sigmoid cross-entropy between l(x) (as targets, through a sigmoid) and l(x~), / 784.
# L_enc = L_llike + L_prior, L_dec = gamma L_llike - L_GAN, L_dis = L_GAN, each minimised by its
# own RMSprop (1e-3, 3e-4, 1e-3; TensorFlow 1's variant, `ArticleRMSprop`). The model, its three
# losses and the loop are `keras_autoencoders/models/cvae_gan/model.py` (`CVAEGAN.train_step`);
# the loss terms `models/losses.py`.

# %%
model.compile(encoder_optimizer=ArticleRMSprop(1e-3), decoder_optimizer=ArticleRMSprop(3e-4),
              discriminator_optimizer=ArticleRMSprop(1e-3), gamma=s.gamma, steps_per_execution=s.steps_per_execution)

# %% [markdown]
# ## Training: the adaptive loop ("Процесс обучения")
# Per iteration (`CVAEGAN.train_step`, one step of `fit`): up to 3 discriminator steps, each on
# a fresh batch and codes (stop once L_GAN < 1.0), then up to 3 encoder+decoder steps (stop once
# L_GAN > 0.4), a fresh batch after each that does not stop. L_GAN at chance is 64 ln 2 / 784 =
# 0.057 here, below both thresholds, so (in the article's code too) every iteration is one
# discriminator and three encoder+decoder steps. `adaptive_loop_fit` builds the `tf.data` draws,
# the snapshots and the callbacks: an epoch of `fit` is the article's period of 3 iterations; a
# backup every `--checkpoint-every` iterations lets the same command resume to the same weights;
# `tensorboard --logdir OUT/logs` shows the losses and each label's manifold per snapshot.

# %%
loop = adaptive_loop_fit(run, model, digits, iterations=s.iterations, batch_size=s.batch_size, seed=s.seed,
                         snapshot_every=s.snapshot_every, checkpoint_every=s.checkpoint_every)
if run.needs_training("part6_cvae_gan"):  # not under --pretrained or --skip-training
    model.fit(loop.draws, epochs=loop.periods, steps_per_epoch=ITERATIONS_PER_PERIOD, callbacks=loop.callbacks,
              verbose=0)  # an epoch: the article's logging period of 3 iterations
trained = run.keep("part6_cvae_gan", model)  # saved in model/ (or the saved one, loaded)

# %% [markdown]
# ## Losses over training
# The article logs `i, L_prior, L_llike, L_GAN` every 3 iterations; so does the history here.

# %%
model = trained.model
decoder, z_meaner = model.decoder, model.article_models()["z_meaner"]
facts = training_facts(trained)
print("steps:", facts.step_counts, f"seconds per outer iteration: {facts.seconds_per_iteration:.3f}")
run.save_figure("losses", figures.plot_loss_curves(facts.history["iteration"], facts.losses, log_scale=("l_gan",),
                                                   title=f"preset: {s.preset}"))

# %% [markdown]
# ## The baseline: the Part 4 CVAE, trained as long
# The article compares with its Part 4 CVAE. Here it gets as many optimiser steps as the
# CVAE+GAN's encoder and decoder had, on batches of the same size.

# %%
baseline, fitted = baseline_cvae(s.latent_dim, seed=s.seed), None
if run.needs_training("part6_cvae_baseline"):
    fitted = baseline.fit(baseline_batches(digits.x_train, digits.y_train, s.batch_size, s.seed), epochs=1,
                          steps_per_epoch=max(facts.step_counts["encoder_decoder"], 1), verbose=2)
baseline = run.keep("part6_cvae_baseline", baseline, fitted).model.article_models()
generators = {"cvae_gan": (z_meaner, decoder), "cvae": (baseline["z_meaner"], baseline["decoder"])}

# %% [markdown]
# ## Results ("Результаты")
# ### Reconstructions: originals, CVAE, CVAE+GAN
# As the article draws them: ten test digits of a seeded random batch through each model's
# `cvae` (a *sampled* z, decoded with the label); beside it, decoded from z_mean (no noise).

# %%
picked = generate_digits.random_rows(len(digits.x_test), 10, s.seed)
digit_figures.save_reconstruction_figures({"cvae": baseline, "cvae_gan": model.article_models()},
                                          digits.x_test[picked], digits.y_test[picked], run.figures)

# %% [markdown]
# ### Digits of every label from N(0, I), and style transfer from 7s
# Rows are labels; columns share one code (prior) or one input 7 (style transfer): ten 7s
# of the test set in a seeded random order, as the article takes them.

# %%
sevens = digits.x_test[generate_digits.random_rows(len(digits.x_test), 10, s.seed, digits.y_test, 7)]
for name, (zm, dec) in generators.items():
    digit_figures.save_prior_and_style_figures(zm, dec, s.latent_dim, sevens, run.figures, f"_{name}")

# %% [markdown]
# ### Manifolds and z distributions per label
# The 15x15 grid over z[0:2] (other coordinates 0), one decoder call for all labels. TensorBoard's
# Projector tab (`tensorboard --logdir OUT/logs`) shows each test digit at its z_mean, by label.

# %%
digit_figures.save_manifold_figures(decoder, z_meaner, digits.x_test, digits.y_test, s.latent_dim, run.figures)
write_projector(run.logs / "projector", z_means(z_meaner, digits.x_test, digits.y_test), digits.y_test, digits.x_test)

# %% [markdown]
# ### The article's claim in numbers
# Sharpness: mean absolute difference of neighbouring pixels, relative to real digits (1 = as
# sharp). Label accuracy: the share the digit judge (a classifier of the training digits) reads
# as the requested label. Variety: mean distance between two digits of a label (near 0:
# collapsed). Style retention: a reconstruction's error to its own input over that to another
# digit of its label (near 1: lost). Style: the correlation of each digit's slant and stroke
# width (image moments) with its reconstruction's within each label, and with its drawings as
# other digits (every test 7): 1 = kept, 0 = each label drawn one way. Real digits are measured alike.

# %%
classifier = load_digit_judge(s.data_dir, allow_sample=s.quick).model
comparison, samples = compare_generators(generators, classifier, digits, s.latent_dim, s.draw_seed)
print(*(f"{name}: {numbers}" for name, numbers in comparison.items()), sep="\n")

# %% [markdown]
# ## Animations
# Each label's manifold and z distribution over the snapshots ("Label: c / Batch: b", as the
# article's MP4s), as MP4 and GIF, and all ten labels side by side.

# %%
write_snapshot_animations(loop.snapshots, run.animations, unit="Batch", steps_per_epoch=ITERATIONS_PER_PERIOD)

# %% [markdown]
# ## Results files
# `results.json`: settings, history, numbers; `samples.npz`: the CVAE+GAN's arrays as Part 4's, the CVAE's as `cvae_*`.

# %%
run.finish(Part6Results.of_run(facts, comparison, loop.snapshots, s.iterations), part6_samples(samples),
           data_source=digits.source_label)
