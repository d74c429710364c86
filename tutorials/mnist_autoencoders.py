# %% [markdown]
# # The MNIST study: autoencoders and variational autoencoders compared
#
# A runnable companion to the MNIST experiments of two works: the slides "Analiza
# porównawcza zastosowań tradycyjnych oraz wariacyjnych autoenkoderów" (a denoising
# autoencoder, the code spaces of an AE and a VAE, a VAE drawing new digits, AE vs PCA)
# and the digits half of the project "Автокодировщики: LFW и MNIST" (a conv VAE, a
# conditional VAE drawing fives and sevens on demand, and its closing remark that
# autoencoders serve for denoising and anomaly detection). Every picture comes with a number.
#
#     python tutorials/mnist_autoencoders.py --quick          # a few minutes on a 2-core CPU
#     python tutorials/mnist_autoencoders.py                  # the study's settings (below)
#     python tutorials/mnist_autoencoders.py --skip-training --out DIR   # redo figures and numbers
#
# The run trains eight models, each a resumable stage: rerunning an interrupted command
# reloads the finished ones and resumes the interrupted one. Everything lands in `--out`:
# `figures/`, `model/NAME.keras`, `stages/NAME/history.csv`, `results.json`, `samples.npz`.

# %%
# In a notebook, pick the preset on this line: "quick" (minutes on a CPU) or "article"
# (the study's settings). On the command line, --quick picks it.
NOTEBOOK_PRESET = "article"

# %%
import numpy as np

from keras_autoencoders.tutorial import print_summary, quiet_tensorflow, start_run, tutorial_parser

quiet_tensorflow()
import keras  # noqa: E402

from keras_autoencoders.data.fashion_mnist import load_fashion_mnist_test  # noqa: E402
from keras_autoencoders.data.locations import DataNotFoundError  # noqa: E402
from keras_autoencoders.data.mnist import load_mnist_digits, prepare_images  # noqa: E402
from keras_autoencoders.evaluation import anomaly, latent_metrics  # noqa: E402
from keras_autoencoders.evaluation.digit_generators import generator_numbers, unconditional_numbers  # noqa: E402
from keras_autoencoders.evaluation.image_metrics import add_gaussian_noise, psnr, reconstruction_mse  # noqa: E402
from keras_autoencoders.evaluation.digit_judge import load_digit_judge  # noqa: E402
from keras_autoencoders.evaluation.judges import label_accuracy  # noqa: E402
from keras_autoencoders.evaluation.pca import fit_pca  # noqa: E402
from keras_autoencoders.generate import digits as generate_digits  # noqa: E402
from keras_autoencoders.models.conv_vae import build_conv_vae  # noqa: E402
from keras_autoencoders.models.dense_autoencoder import build_dense_autoencoder, build_dense_vae  # noqa: E402
from keras_autoencoders.models.dense_cvae import build_part4_cvae  # noqa: E402
from keras_autoencoders.models.precision import PRECISIONS  # noqa: E402
from keras_autoencoders.plotting import figures  # noqa: E402
from keras_autoencoders.run_folder import RunFolder, write_results, write_samples  # noqa: E402
from keras_autoencoders.training.stages import load_stage, train_stage  # noqa: E402

ARTICLE = {  # neither work gives epochs, batch sizes or a noise level: these are ours (README)
    "epochs": 30, "batch_size": 128, "learning_rate": 1e-3, "conv_epochs": 30,
    "code_sizes": "2,8,32", "denoise_code": 32, "noise_sigma": 0.5, "vae_code": 5,
    "cvae_epochs": 100, "cvae_batch_size": 500, "part4_run": None, "train_digits": 0,
    "seed": 0, "data_dir": None, "out": "runs/mnist_study", "skip_training": False,
    # How fit runs, not what it computes (the same weights for any value): a step of these small
    # nets is short, so Keras' per-call overhead is a large part of it; 20 steps per call is
    # about 24 calls per epoch of 469 batches. The precision is the VAEs' (the AEs stay float32).
    "steps_per_execution": 20, "precision": "float32",
}
# The quick preset trains on the first 5,000 digits (the bundled sample's size) for about
# 2,000 steps per dense model: a few minutes on 2 CPU cores, recognisable digits.
QUICK = {"epochs": 40, "batch_size": 100, "conv_epochs": 30, "cvae_epochs": 100, "cvae_batch_size": 100,
         "train_digits": 5000, "out": "runs/mnist_study-quick"}
HELP = """
epochs: epochs of each dense model (the AEs, the denoising AE, the VAEs)
batch_size: batch size of the dense models and the conv VAE
learning_rate: Adam learning rate of every model
conv_epochs: epochs of the conv VAE
code_sizes: code sizes of the AE vs PCA comparison, comma-separated (2 is also the AE of the code-space figure)
denoise_code: code size of the denoising AE
noise_sigma: std of the Gaussian noise added to the digits (then clipped to [0, 1])
vae_code: code size of the VAE that draws new digits (the slides: 5)
cvae_epochs: epochs of the Part 4 CVAE (when no --part4_run is given)
cvae_batch_size: batch size of the Part 4 CVAE
part4_run: a Part 4 run folder whose model/part4_cvae.keras draws the fives and sevens
train_digits: train on the first N training digits (0: all)
data_dir: folder holding mnist.npz and fashion-mnist/
precision: the VAEs' (the AEs stay float32): float32 or mixed_bfloat16 (bfloat16 arithmetic, float32 weights and loss)
"""
settings, run = start_run(tutorial_parser(__doc__ or "The MNIST study", ARTICLE, HELP,
                                          choices={"precision": list(PRECISIONS)}),
                          ARTICLE, QUICK, notebook_preset=NOTEBOOK_PRESET)
vae_options = {"seed": settings["seed"], "precision": settings["precision"]}  # how every VAE here is built
# A stage records the precision when it is not float32, so float32 stages saved before the
# option existed still reload.
vae_precision = {} if settings["precision"] == "float32" else {"precision": settings["precision"]}
code_sizes = [int(size) for size in str(settings["code_sizes"]).split(",")]
digits = load_mnist_digits(settings["data_dir"], allow_sample=settings["quick"], train_digits=settings["train_digits"])
x_train, x_test = digits.x_train, digits.x_test
print(digits.describe())


def stage(name, build, x, y, validation=(x_test, x_test), epochs=settings["epochs"],
          batch_size=settings["batch_size"], **extra):
    """Train (or reload) one of the study's models; its test loss is the validation loss."""
    if settings["skip_training"]:
        return load_stage(run, name)
    return train_stage(run, name, build, (x, y), epochs=epochs, batch_size=batch_size, seed=settings["seed"],
                       validation_data=validation, settings=extra, verbose=2)


def compiled(model, loss=None):
    model.compile(optimizer=keras.optimizers.Adam(settings["learning_rate"]), loss=loss,
                  steps_per_execution=settings["steps_per_execution"])
    return model


# %% [markdown]
# ## The judge
# The digit judge (`keras_autoencoders.evaluation.digit_judge`: a small CNN trained once on
# the training digits, then kept in Keras' cache folder) reads generated digits. Its reading is
# *confident* when its top probability is at least 0.9; real test digits give the reference.

# %%
classifier = load_digit_judge(settings["data_dir"], allow_sample=settings["quick"]).model
real_reading = unconditional_numbers(classifier, x_test)
numbers = {"classifier_test_accuracy": label_accuracy(classifier, x_test, digits.y_test),
           "real_test_digits_confident_fraction": real_reading["confident_fraction"]}
print(numbers)

# %% [markdown]
# ## Compression: an autoencoder against PCA (slide 5)
# The slides' dense autoencoder, 784-500-120-code-120-500-784 (ReLU, linear code, sigmoid
# output; binary cross-entropy, Adam), against PCA with as many components as the code has
# values. The slides' claim: the AE learns non-linear relations that PCA cannot, so at the
# same code size it reconstructs better. The number: test mean squared error per pixel.

# %%
autoencoders = {size: stage(f"ae_{size}", lambda s=size: compiled(build_dense_autoencoder(s, seed=settings["seed"]),
                                                                   "binary_crossentropy"), x_train, x_train)
                for size in code_sizes}
pca = fit_pca(x_train, max(code_sizes))
compression = {size: {"ae_test_mse": reconstruction_mse(x_test, ae.model.predict(x_test, verbose=0)),
                      "pca_test_mse": reconstruction_mse(x_test, pca.first(size).reconstruct(x_test)),
                      "ae_test_loss": ae.history["val_loss"][-1]}
               for size, ae in autoencoders.items()}
print("code size | PCA test MSE | AE test MSE")
for size, row in compression.items():
    print(f"{size:9d} | {row['pca_test_mse']:.4f}       | {row['ae_test_mse']:.4f}")
figures.save_figure(figures.plot_loss_curves(
    {"PCA": code_sizes, "autoencoder": code_sizes},
    {"test MSE per pixel": {"PCA": [r["pca_test_mse"] for r in compression.values()],
                            "autoencoder": [r["ae_test_mse"] for r in compression.values()]}},
    xlabel="code size", log_scale=["test MSE per pixel"]), run.figures / "ae_vs_pca.png")
largest = max(code_sizes)
figures.save_figure(figures.plot_digits(x_test[:10], autoencoders[largest].model.predict(x_test[:10], verbose=0),
                                        pca.first(largest).reconstruct(x_test[:10]),
                                        title=f"test digits / AE ({largest}-d code) / PCA ({largest} components)"),
                    run.figures / "reconstructions_ae_pca.png")

# %% [markdown]
# ## Denoising (slide 6)
# The same network with a `denoise_code`-d code, trained on noisy digits against the clean
# ones. The slides show the pictures but give no noise level: we add Gaussian noise of std
# `noise_sigma` (0.5, the level of the classic Keras denoising example: the digits stay
# readable, the background is swamped) and clip to [0, 1]; one noisy copy of the training
# set, another of the test set. The number: PSNR of the noisy and of the denoised test digits.

# %%
sigma = settings["noise_sigma"]
noisy_train = add_gaussian_noise(x_train, sigma, seed=settings["seed"])
noisy_test = add_gaussian_noise(x_test, sigma, seed=settings["seed"] + 1)
denoiser = stage("denoising_ae", lambda: compiled(build_dense_autoencoder(settings["denoise_code"], seed=settings["seed"]),
                                                  "binary_crossentropy"),
                 noisy_train, x_train, noise_sigma=sigma, validation=(noisy_test, x_test))
denoised = denoiser.model.predict(noisy_test, verbose=0)
denoising = {"noise_sigma": sigma, "psnr_noisy_db": psnr(x_test, noisy_test), "psnr_denoised_db": psnr(x_test, denoised),
             "test_loss": denoiser.history["val_loss"][-1]}
if settings["denoise_code"] in autoencoders:  # the same AE trained on clean digits only
    denoising["psnr_clean_trained_ae_db"] = psnr(x_test, autoencoders[settings["denoise_code"]].model.predict(
        noisy_test, verbose=0))
print(denoising)
figures.save_figure(figures.plot_digits(noisy_test[:10], x_test[:10], denoised[:10],
                                        title="noisy / clean / denoised"), run.figures / "denoising.png")

# %% [markdown]
# ## Code spaces: a plain AE and a VAE with 2-d codes (slides 7-9)
# The 2-d autoencoder above and a VAE of the same shape (its (z_mean, z_log_var) in place of
# the code; Part 4's loss, per-pixel BCE + KL). Their test codes (the VAE's z_mean) on the
# same axes, coloured by digit (and the VAE's once more, zoomed in). The slides' point: the AE's code space has no set
# distribution, with gaps between the digits, while the VAE's is close to N(0, I) and
# continuous. The numbers: how far each code set is from N(0, I) (KL divergence of a fitted
# Gaussian; energy distance to N(0, I) samples) and how well the digits separate in it
# (5-nearest-neighbour accuracy, the first 10,000 training codes voting for the test codes).

# %%
vae_2 = stage("vae_2", lambda: compiled(build_dense_vae(2, **vae_options)), x_train, x_train, **vae_precision)
code_models = {"autoencoder": autoencoders[2].model.get_layer("encoder"),
               "VAE (z_mean)": vae_2.model.article_models()["z_meaner"]} if 2 in autoencoders else {}
code_space = {}
for name, encoder in code_models.items():
    train_codes, test_codes = (encoder.predict(x, batch_size=1000, verbose=0) for x in (x_train[:10000], x_test))
    code_space[name] = {"kl_to_standard_normal": latent_metrics.gaussian_kl_to_standard_normal(test_codes),
                        "energy_distance_to_standard_normal":
                            latent_metrics.energy_distance_to_standard_normal(test_codes, seed=settings["seed"]),
                        "knn_accuracy": latent_metrics.knn_accuracy(train_codes, digits.y_train[:10000],
                                                                    test_codes, digits.y_test),
                        "codes": test_codes}
    print(name, {k: round(v, 4) for k, v in code_space[name].items() if k != "codes"})
if code_space:
    panels = {name: (c.pop("codes"), digits.y_test) for name, c in code_space.items()}
    panels["VAE, zoomed in"] = panels["VAE (z_mean)"]
    figures.save_figure(figures.plot_code_scatters(panels, own_limits={"VAE, zoomed in": 4.0}),
                        run.figures / "code_spaces_ae_vs_vae.png")

# %% [markdown]
# ## New digits from a VAE with a 5-d code (slides 11-13)
# The same VAE with a 5-d code; new digits are the decoder's outputs for codes drawn from
# N(0, I). As on the slides: real digits on the left, generated on the right. The number:
# the share of 1,000 generated digits the judge reads with confidence, against real digits.

# %%
vae_5 = stage(f"vae_{settings['vae_code']}",
              lambda: compiled(build_dense_vae(settings["vae_code"], **vae_options)), x_train, x_train, **vae_precision)
vae_5_parts = vae_5.model.article_models()
unconditional = {f"vae_{settings['vae_code']}": generate_digits.unconditional_samples(
    vae_5_parts["z_meaner"], vae_5_parts["decoder"], settings["vae_code"], x_test)}
generated_5 = unconditional[f"vae_{settings['vae_code']}"]["prior"]
gap = np.ones((10, 1, 28, 28))
figures.save_figure(figures.plot_image_grid(np.concatenate([x_test[:100, ..., 0].reshape(10, 10, 28, 28), gap,
                                                            generated_5[:100].reshape(10, 10, 28, 28)], axis=1),
                                            title="real test digits | new digits from N(0, I)"),
                    run.figures / "vae_new_digits.png")
vae_generation = {"test_loss": vae_5.history["val_loss"][-1], **unconditional_numbers(classifier, generated_5)}
print(f"confident readings: generated {vae_generation['confident_fraction']:.3f}, "
      f"real {real_reading['confident_fraction']:.3f}")

# %% [markdown]
# ## A conv VAE (the study)
# "Only two convolutional layers in the encoder and in the decoder": Conv 32 and 64 (3x3,
# stride 2) down to a 2-d code and transposed convs back. Digits from N(0, I), and the 2-d
# code of every test digit coloured by digit (the code is 2-d, so no projection). The study
# found some digits (nine, eight, seven) looked good and others poor: the judge's confident
# fraction per digit it reads says which.

# %%
conv_vae = stage("conv_vae", lambda: compiled(build_conv_vae(2, **vae_options)), x_train, x_train,
                 epochs=settings["conv_epochs"], **vae_precision)
conv_parts = conv_vae.model.article_models()
unconditional["conv_vae"] = generate_digits.unconditional_samples(conv_parts["z_meaner"], conv_parts["decoder"], 2,
                                                                  x_test)
figures.save_figure(figures.plot_image_grid(unconditional["conv_vae"]["prior"][:100].reshape(10, 10, 28, 28),
                                            title="conv VAE: digits from N(0, I)"), run.figures / "conv_vae_digits.png")
conv_codes = conv_parts["z_meaner"].predict(x_test, batch_size=1000, verbose=0)
figures.save_figure(figures.plot_code_scatters({"conv VAE z_mean of the test digits": (conv_codes, digits.y_test)}),
                    run.figures / "conv_vae_codes.png")
conv_generation = {"test_loss": conv_vae.history["val_loss"][-1],
                   "knn_accuracy": latent_metrics.knn_accuracy(
                       conv_parts["z_meaner"].predict(x_train[:10000], batch_size=1000, verbose=0),
                       digits.y_train[:10000], conv_codes, digits.y_test),
                   **unconditional_numbers(classifier, unconditional["conv_vae"]["prior"])}
print({d: (round(v["share"], 3), v["confident_fraction"] and round(v["confident_fraction"], 3))
       for d, v in conv_generation["by_digit"].items()})

# %% [markdown]
# ## Digits on demand: fives and sevens from the CVAE (the study)
# Part 4's conditional VAE (its article's network and loss), reloaded from a Part 4 run
# folder (`--part4_run`) or trained here. The same N(0, I) codes decoded with label 5 and
# with label 7; the number is the share the judge reads as 5 and as 7.

# %%
if settings["part4_run"]:
    cvae = RunFolder(settings["part4_run"]).load_model("part4_cvae")
else:
    cvae = stage("part4_cvae", lambda: compiled(build_part4_cvae(**vae_options)), x_train,
                 digits.y_train_onehot, epochs=settings["cvae_epochs"], batch_size=settings["cvae_batch_size"],
                 validation=(x_test, digits.y_test_onehot), **vae_precision).model
cvae_parts = cvae.article_models()
samples = generate_digits.contract_samples(cvae_parts["z_meaner"], cvae_parts["decoder"], cvae.latent_dim,
                                           x_train, digits.y_train, x_test, digits.y_test)
on_demand = {f"read_as_{d}": label_accuracy(classifier, samples[f"gen_{d}"], np.full(1000, d)) for d in (5, 7)}
on_demand["all_labels"] = generator_numbers(classifier, samples, digits)["label_accuracy"]
figures.save_figure(figures.plot_image_grid(np.stack([samples["gen_5"][:10], samples["gen_7"][:10]]), ["5", "7"],
                                            title="CVAE: fives and sevens from the same N(0, I) codes"),
                    run.figures / "cvae_fives_and_sevens.png")
print(on_demand)

# %% [markdown]
# ## Anomaly scores (the study's closing remark)
# An autoencoder trained on digits rebuilds digits and little else, so its reconstruction
# error scores how unlike a digit an image is. The AE with the largest code (trained on clean
# digits) scores the MNIST test digits, the Fashion-MNIST test images and uniform noise;
# the AUROC says how well the score tells each from digits (1: perfectly, 0.5: chance).

# %%
scorer = autoencoders[largest].model
scores = {"MNIST test": anomaly.reconstruction_errors(scorer, x_test),
          "noise": anomaly.reconstruction_errors(scorer, anomaly.uniform_noise_images(len(x_test)))}
try:
    fashion = load_fashion_mnist_test(settings["data_dir"])
    scores["Fashion-MNIST test"] = anomaly.reconstruction_errors(scorer, prepare_images(fashion.x_test))
except DataNotFoundError as missing:
    print(f"Fashion-MNIST is not at hand ({missing}); reporting noise only")
anomaly_auroc = {f"mnist_vs_{name.split()[0].lower().replace('-', '_')}": anomaly.auroc(scores["MNIST test"], s)
                 for name, s in scores.items() if name != "MNIST test"}
print(anomaly_auroc)
figures.save_figure(figures.plot_histograms(scores, f"reconstruction MSE of the {largest}-d AE"),
                    run.figures / "anomaly_scores.png")

# %% [markdown]
# ## Results files
# `results.json` holds the settings and every number above; `samples.npz` the CVAE's arrays
# in the Part 4 format (`gen_0` .. `gen_9`, `rec`, `style`) and, for each unconditional VAE,
# `NAME_prior` (1,000 digits from the same N(0, I) codes) and `NAME_rec`.

# %%
write_samples(run.root, {**samples, **{f"{name}_{kind}": arrays[kind] for name, arrays in unconditional.items()
                                       for kind in arrays}})
write_results(run.root, {**settings, "data_source": digits.source_label}, judge=numbers,
              compression={str(k): v for k, v in compression.items()}, denoising=denoising, code_space=code_space,
              vae_generation=vae_generation, conv_vae=conv_generation, digits_on_demand=on_demand,
              anomaly_auroc=anomaly_auroc, real_test_digits=real_reading)
print_summary(run.root, {
    "denoising: PSNR noisy -> denoised (dB)": f"{denoising['psnr_noisy_db']:.2f} -> {denoising['psnr_denoised_db']:.2f}",
    **{f"{name}: KL / energy distance to N(0, I), kNN accuracy":
       f"{c['kl_to_standard_normal']:.3f} / {c['energy_distance_to_standard_normal']:.3f}, {c['knn_accuracy']:.3f}"
       for name, c in code_space.items()},
    "AE vs PCA test MSE by code size": ", ".join(f"{k}: {v['ae_test_mse']:.4f} vs {v['pca_test_mse']:.4f}"
                                                 for k, v in compression.items()),
    "5-d VAE digits read with confidence (real digits)":
        f"{vae_generation['confident_fraction']:.3f} ({real_reading['confident_fraction']:.3f})",
    "conv VAE digits read with confidence": conv_generation["confident_fraction"],
    "CVAE fives / sevens read as 5 / 7": f"{on_demand['read_as_5']:.3f} / {on_demand['read_as_7']:.3f}",
    **{f"anomaly AUROC {k}": v for k, v in anomaly_auroc.items()}})
