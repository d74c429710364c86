# %% [markdown]
# # Autoencoders in Keras, part 6: VAE + GAN
#
# A runnable companion to the article "Автоэнкодеры в Keras, Часть 6: VAE + GAN".
# Each cell follows one section of the article; the code calls the `keras_autoencoders`
# library and keeps only the story and the settings here.
#
#     python tutorials/part6_cvae_gan.py --quick                     # minutes on a 2-core CPU
#     python tutorials/part6_cvae_gan.py --preset corrected          # recommended: 48,000 iterations (GPU)
#     python tutorials/part6_cvae_gan.py                             # the article's code as it ran
#     python tutorials/part6_cvae_gan.py --resume --out DIR ...      # continue an interrupted run
#     python tutorials/part6_cvae_gan.py --pretrained                # the committed corrected run's models: seconds
#
# **Which preset to train.** `--preset article` (the default, for comparison with the
# article) reproduces what the article's code computes: its discriminator head reads
# the tensor *before* the feature layer l, so l is never trained and L_llike compares
# random projections. `--preset corrected` makes the head read l, so L_llike compares
# learnt features: train this one. In our CPU runs (figs/part6/README.md) the
# article preset's discriminator wins outright (L_GAN under 1e-3 from about iteration
# 1,200) and by 2,000 its samples collapse to one speckled drawing per label; the corrected preset keeps L_GAN
# near 0.03 and after 2,000 iterations draws clean, varied digits of the requested
# label, and its reconstructions begin to keep the input's style. Style transfer as the article shows it needs a long (GPU) run.
#
# Everything lands in `--out`: `figures/`, `animations/`, `model/part6_cvae_gan.keras` (and
# `model/part6_cvae_baseline.keras`, the Part 4 CVAE it is compared with),
# `checkpoint.npz`, `snapshots.npz`, `results.json` and `samples.npz`.

# %%
# In a notebook, pick the preset on this line: "quick" (minutes on a CPU) or "article"
# (the article's 48,000 iterations). On the command line, --quick picks it.
NOTEBOOK_PRESET = "article"

# %%
import json

from keras_autoencoders.tutorial import print_summary, quiet_tensorflow, start_run, tutorial_parser

quiet_tensorflow()

from keras_autoencoders.data.mnist import load_mnist_digits  # noqa: E402
from keras_autoencoders.evaluation.digit_generators import compare_generators  # noqa: E402
from keras_autoencoders.evaluation.digit_judge import load_digit_judge  # noqa: E402
from keras_autoencoders.generate import digits as generate_digits  # noqa: E402
from keras_autoencoders.models.cvae_gan import PRECISIONS, PRESETS, build_cvae_gan  # noqa: E402
from keras_autoencoders.plotting import digit_figures, figures  # noqa: E402
from keras_autoencoders.plotting.snapshot_animations import write_snapshot_animations  # noqa: E402
from keras_autoencoders.pretrained import install_pretrained, source_run  # noqa: E402
from keras_autoencoders.run_folder import clear_run_state, write_results, write_samples  # noqa: E402
from keras_autoencoders.training.adaptive_loop import AdaptiveTrainer, snapshot_iterations  # noqa: E402
from keras_autoencoders.training.baseline import train_cvae_for_steps  # noqa: E402
from keras_autoencoders.training.snapshots import ManifoldSnapshots  # noqa: E402

ARTICLE = {  # the article's settings ("Код", "Процесс обучения")
    "iterations": 48000, "batch_size": 64, "latent_dim": 8, "gamma": 1.0, "preset": "article",
    "feature_loss": "cross_entropy", "precision": "float32",
    "snapshot_every": 0, "checkpoint_every": 500, "seed": 0,
    "data_dir": None, "out": "runs/part6", "resume": False, "pretrained": False,
}
# The quick preset trains the recommended (corrected) preset for 300 iterations (about
# 3 minutes of training on 2 CPU cores): 60 iterations drew noise (10% of the digits read
# as their label); from about 300 iterations the corrected networks draw digits of the
# requested label (80-90%).
QUICK = {"iterations": 300, "preset": "corrected", "snapshot_every": 15, "checkpoint_every": 100,
         "out": "runs/part6-quick"}
HELP = """
iterations: outer iterations of the adaptive loop
batch_size: digits per batch
gamma: weight of L_llike in the decoder's loss
preset: network variant (see the top of this file)
feature_loss: L_llike on layer l: cross_entropy (the article's) or mse (its commented-out line)
precision: float32 (the article's) or mixed_bfloat16 (bfloat16 arithmetic, float32 weights; about 1.7x faster on CPUs with AMX or AVX-512 BF16)
snapshot_every: snapshot every N iterations (0: the article's periods)
checkpoint_every: iterations between checkpoints
data_dir: folder holding mnist.npz
pretrained: use the shipped models of the committed corrected-z8 run (figs/pretrained/) and its losses; no training
"""
parser = tutorial_parser(__doc__ or "Part 6: VAE + GAN", ARTICLE, HELP,
                         choices={"preset": sorted(PRESETS), "feature_loss": ["cross_entropy", "mse"],
                                  "precision": list(PRECISIONS)})
settings, run = start_run(parser, ARTICLE, QUICK, notebook_preset=NOTEBOOK_PRESET)
if settings["pretrained"]:  # the committed run's settings, models and losses; nothing is trained below
    shipped = json.loads((source_run("part6_cvae_gan") / "results.json").read_text())
    settings.update({k: shipped["settings"][k] for k in ("iterations", "batch_size", "latent_dim", "gamma",
                                                         "preset", "feature_loss", "seed")})
    install_pretrained(run, "part6_cvae_gan", "part6_cvae_baseline")
    print(f"pretrained: the {settings['preset']} preset, latent {settings['latent_dim']}, "
          f"{settings['iterations']} iterations")
digits = load_mnist_digits(settings["data_dir"], allow_sample=settings["quick"])
print(digits.describe())

# %% [markdown]
# ## The three networks ("Код")
# Encoder: conv 32 3x3 stride 2, max-pool, conv 64 3x3, + label, dense 64 -> z (8-d),
# sampled with exp(clip(log_var / 2, -2, 2)). Decoder: z + label -> dense 7x7x128 ->
# upsample -> conv 64 5x5 -> conv 32 3x3 -> upsample -> conv 1 5x5 sigmoid.
# Discriminator: conv 128 7x7 stride 2, max-pool, the label tiled over the map, conv 64,
# max-pool, the feature layer l (conv 16, linear), a sigmoid unit. Every hidden layer:
# LeakyReLU(0.3) and dropout 0.3. The decoder's first upsample + conv, its last block
# and the discriminator's strided conv are computed on phase-split maps (same kernels,
# same function, faster). `--precision mixed_bfloat16`, not the article's, computes in bfloat16
# with float32 weights and output layers: about 1.7x faster where the CPU has AMX or
# AVX-512 BF16 units.

# %%
model = build_cvae_gan(latent_dim=settings["latent_dim"], preset=settings["preset"],
                       feature_loss=settings["feature_loss"], seed=settings["seed"],
                       precision=settings["precision"])
for network in (model.encoder, model.decoder, model.discriminator):
    network.summary(line_length=100)
trained = {id(v) for v in model.discriminator_trained_variables}
untrained = [v.path for v in model.discriminator.trainable_variables if id(v) not in trained]
print("discriminator variables L_GAN never reaches:", untrained or "none")

# %% [markdown]
# ## Losses and optimisers
# L_prior = KL(q(z|x) || N(0, I)) with the log-variance clipped to [-2, 2], / 784;
# L_GAN = -(log D(x) + 2 log(1 - D(G(z))) + log(1 - D(G(E(x))))) / 4 / 784;
# L_llike = sigmoid cross-entropy between l(x) (as targets, through a sigmoid) and l(x~), / 784.
# L_enc = L_llike + L_prior, L_dec = gamma L_llike - L_GAN, L_dis = L_GAN, each
# minimised by its own RMSprop (1e-3, 3e-4, 1e-3; TensorFlow 1's variant).

# %%
model.compile(gamma=settings["gamma"])

# %% [markdown]
# ## Training: the adaptive loop ("Процесс обучения")
# Per iteration: up to 3 discriminator steps (stop once L_GAN < 1.0), then up to 3
# encoder+decoder steps (stop once L_GAN > 0.4). Up to 10 iterations run as one compiled
# TensorFlow call, stopping rules and batch gathering included, with one read-back of their
# losses (the article reads L_GAN back to Python after every step). Every 3 iterations the losses are
# logged; at the article's periods the manifolds of all labels and the z_mean of the
# test digits are recorded. A checkpoint (all three networks, all three optimisers, the
# batch order and random states) is written every `--checkpoint-every` iterations;
# `--resume` continues from it and reaches the same weights as an uninterrupted run.
# TensorBoard (`tensorboard --logdir OUT/logs`) shows the logged losses and, in its Images
# tab, every label's manifold at each snapshot on the step slider.

# %%
if not settings["resume"] and not settings["pretrained"]:  # a fresh run: an earlier run's state,
    clear_run_state(run)                                     # snapshots and TensorBoard events go
models = model.article_models()
snapshots = ManifoldSnapshots(models["decoder"], models["z_meaner"], digits.x_test, digits.y_test,
                              settings["latent_dim"], path=run.snapshots, autosave=False,
                              tensorboard_dir=run.logs / "manifolds")
trainer = AdaptiveTrainer(model, digits.x_train, digits.y_train_onehot, settings["batch_size"],
                          seed=settings["seed"], checkpoint_path=run.checkpoint,
                          checkpoint_every=settings["checkpoint_every"], snapshots=snapshots,
                          snapshot_at=snapshot_iterations(settings["iterations"], settings["snapshot_every"]),
                          tensorboard_dir=run.logs / "train")
if settings["pretrained"]:
    history, step_counts = shipped["history"], shipped["step_counts"]
    timing = {k: shipped.get(k) for k in ("seconds_per_iteration", "seconds_per_step")}
else:
    if settings["resume"] and trainer.restore():
        print(f"resumed from {run.checkpoint} at iteration {trainer.iteration}")
    history = trainer.run(settings["iterations"])
    step_counts = trainer.step_counts
    timing = {"seconds_per_iteration": trainer.seconds_per_iteration(), "seconds_per_step": trainer.seconds_per_step()}
    model.save(run.model("part6_cvae_gan"))
print("steps:", step_counts, "seconds per outer iteration:", timing["seconds_per_iteration"])

# %% [markdown]
# ## Losses over training
# The article logs `i, L_prior, L_llike, L_GAN` every 3 iterations ("2000 0.10 2.05 0.44").

# %%
model = run.load_model("part6_cvae_gan")
decoder, z_meaner = model.decoder, model.article_models()["z_meaner"]
losses = {k: history[k] for k in ("l_prior", "l_llike", "l_gan")}
figures.save_figure(figures.plot_loss_curves(history["iteration"], losses, log_scale=("l_gan",),
                                             title=f"preset: {settings['preset']}"), run.figures / "losses.png")

# %% [markdown]
# ## The baseline: the Part 4 CVAE, trained as long
# The article compares with its Part 4 CVAE. Here it gets as many optimiser steps as the
# CVAE+GAN's encoder and decoder had, on batches of the same size.

# %%
if settings["pretrained"]:
    cvae = run.load_model("part6_cvae_baseline")
else:
    cvae = train_cvae_for_steps(digits.x_train, digits.y_train, step_counts["encoder_decoder"],
                                settings["batch_size"], settings["latent_dim"], seed=settings["seed"])
    cvae.save(run.model("part6_cvae_baseline"))
baseline = cvae.article_models()
generators = {"cvae_gan": (z_meaner, decoder), "cvae": (baseline["z_meaner"], baseline["decoder"])}

# %% [markdown]
# ## Results ("Результаты")
# ### Reconstructions: originals, CVAE, CVAE+GAN
# Both decode z_mean of the first ten test digits with their labels.

# %%
shown, shown_labels = digits.x_test[:10], digits.y_test[:10]
rows = [generate_digits.reconstructions(zm, dec, shown, shown_labels) for zm, dec in generators.values()]
figures.save_figure(figures.plot_digits(shown, rows[1], rows[0], title="originals / CVAE / CVAE+GAN"),
                    run.figures / "reconstructions.png")

# %% [markdown]
# ### Digits of every label from N(0, I), and style transfer from 7s
# Rows are labels; columns share one code (prior) or one input 7 (style transfer).

# %%
sevens = generate_digits.first_of_label(digits.x_train, digits.y_train, 7)
for name, (zm, dec) in generators.items():
    digit_figures.save_prior_and_style_figures(zm, dec, settings["latent_dim"], sevens, run.figures, f"_{name}")

# %% [markdown]
# ### Manifolds and z distributions per label
# The 15x15 grid over z[0:2] (other coordinates 0), one decoder call for all labels.

# %%
digit_figures.save_manifold_figures(decoder, z_meaner, digits.x_test, digits.y_test, settings["latent_dim"],
                                    run.figures)

# %% [markdown]
# ### The article's claim in numbers
# Sharpness: mean absolute difference of neighbouring pixels, relative to real training
# digits (1 = as sharp). Label accuracy: the digit judge (trained once on the training digits, then cached)
# judges whether each generated digit shows its requested label. Variety: mean distance
# between two digits of a label (a collapsed generator scores near 0). Style retention:
# a reconstruction's squared error to its own input over that to another digit of the
# same label (near 1: the input's style is lost). Real test digits are measured alike.

# %%
classifier = load_digit_judge(settings["data_dir"], allow_sample=settings["quick"]).model
comparison, samples = compare_generators(generators, classifier, digits, settings["latent_dim"])
comparison["cvae_gan"].update(iterations=settings["iterations"], optimizer_steps=step_counts)
comparison["cvae"]["optimizer_steps"] = step_counts["encoder_decoder"]
for name, numbers in comparison.items():
    print(name, numbers)

# %% [markdown]
# ## Animations
# Per label, the manifold and the z distribution over the snapshots, titled
# "Label: c / Batch: b" as in the article's MP4s, as MP4 and GIF; and all ten side by side.

# %%
if snapshots.epochs_taken:
    write_snapshot_animations(snapshots, run.animations, unit="Batch")
    print(f"{len(snapshots.epochs_taken)} snapshots per animation, written to {run.animations}")
else:  # --pretrained: the committed run's animations are in figs/part6/corrected-z8/animations/
    print("no snapshots in this run folder (no training here), so no animations")

# %% [markdown]
# ## Results files

# %%
# The contract's arrays are the CVAE+GAN's; the Part 4 CVAE trained beside it adds its own as cvae_*.
write_samples(run.root, {**samples["cvae_gan"], **{f"cvae_{k}": v for k, v in samples["cvae"].items()}})
write_results(run.root, {**settings, "data_source": digits.source_label}, history=history,
              step_counts=step_counts, **timing,
              comparison=comparison, snapshot_iterations=snapshots.epochs_taken,
              snapshot_render_seconds=snapshots.render_seconds)
print_summary(run.root, {
    "CVAE+GAN digits read as their label": comparison["cvae_gan"]["label_accuracy"],
    "sharpness vs real digits, CVAE+GAN / CVAE / real test":
        " / ".join(f"{comparison[k]['relative_sharpness']:.2f}" for k in ("cvae_gan", "cvae", "real")),
    "last L_GAN": history["l_gan"][-1]})
