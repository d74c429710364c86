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
#     python tutorials/mnist_autoencoders.py --quick          # minutes on a 2-core CPU
#     python tutorials/mnist_autoencoders.py                  # the study's settings (below)
#     python tutorials/mnist_autoencoders.py --skip-training --out DIR   # redo figures and numbers
#
# Eight models, each a resumable stage (the same command again resumes). All lands in `--out`.

# %%
NOTEBOOK_PRESET = "article"  # in a notebook: "quick" (minutes on a CPU) or "article"; on the command line: --quick

# %%
from dataclasses import dataclass

import numpy as np

from keras_autoencoders.data.mnist import load_mnist_digits
from keras_autoencoders.evaluation import anomaly, latent_metrics
from keras_autoencoders.evaluation.digit_generators import (generator_numbers, unconditional_numbers,
                                                            unconditional_vae_numbers)
from keras_autoencoders.evaluation.digit_judge import load_digit_judge
from keras_autoencoders.evaluation.image_metrics import add_gaussian_noise, psnr
from keras_autoencoders.evaluation.judges import label_accuracy
from keras_autoencoders.evaluation.pca import compare_with_pca, fit_pca
from keras_autoencoders.generate import digits as generate_digits
from keras_autoencoders.models.conv_vae import build_conv_vae
from keras_autoencoders.models.dense_autoencoder import build_dense_autoencoder, build_dense_vae
from keras_autoencoders.models.dense_cvae import build_part4_cvae
from keras_autoencoders.models.precision import PRECISIONS
from keras_autoencoders.plotting import figures
from keras_autoencoders.records.mnist_study import CODE_MODELS, MNISTStudyResults
from keras_autoencoders.run_folder import RunFolder
from keras_autoencoders.training.compile import built_with_adam
from keras_autoencoders.tutorial import TrainingSettings, setting
from keras_autoencoders.tutorial_run import start_tutorial


@dataclass
class StudySettings(TrainingSettings):
    """The MNIST study. Neither work gives epochs, batch sizes or a noise level: these are ours
    (README). The quick preset trains on the first 5,000 digits (the bundled sample's size), about
    2,000 steps per dense model, and validates on 1,000 test digits: recognisable digits in minutes."""

    RUN_NAME = "mnist_study"
    epochs: int = setting(30, "epochs of each dense model (the AEs, the denoising AE, the VAEs)", quick=40)
    batch_size: int = setting(128, "batch size of the dense models and the conv VAE", quick=100)
    learning_rate: float = setting(1e-3, "Adam learning rate of every model")
    conv_epochs: int = setting(30, "epochs of the conv VAE")
    code_sizes: str = setting("2,8,32", "code sizes of the AE vs PCA comparison, comma-separated (2 is also the AE "
                                        "of the code-space figure)")
    denoise_code: int = setting(32, "code size of the denoising AE")
    noise_sigma: float = setting(0.5, "std of the Gaussian noise added to the digits (then clipped to [0, 1])")
    vae_code: int = setting(5, "code size of the VAE that draws new digits (the slides: 5)")
    cvae_epochs: int = setting(100, "epochs of the Part 4 CVAE (when no --part4-run is given)")
    cvae_batch_size: int = setting(500, "batch size of the Part 4 CVAE", quick=100)
    part4_run: str | None = setting(None, "a Part 4 run folder whose model/part4_cvae.keras draws the fives and sevens")
    train_digits: int = setting(0, "train on the first N training digits (0: all)", quick=5000)
    validation_digits: int = setting(0, "validate every epoch on the first N test digits (0: all)", quick=1000)
    # How fit runs, not what it computes: 20 steps per call is about 24 calls per epoch of 469 batches.
    steps_per_execution: int = setting(20, "training steps per call of the compiled function")
    precision: str = setting("float32", "the VAEs' (the AEs stay float32): float32 or mixed_bfloat16",
                             choices=PRECISIONS)


s, run = start_tutorial(StudySettings, NOTEBOOK_PRESET)
digits = load_mnist_digits(s.data_dir, allow_sample=s.quick, train_digits=s.train_digits)
x_train, x_test, y_test = digits.x_train, digits.x_test, digits.y_test
x_val = x_test[:s.validation_digits or None]  # each model's validation loss (its history's val_loss)
adam = {"learning_rate": s.learning_rate, "steps_per_execution": s.steps_per_execution}
vae_options = {"seed": s.seed, "precision": s.precision}  # how every VAE here is built
vae_record = {"precision": s.precision}  # what a saved VAE stage must match to be reused
trained = {"epochs": s.epochs, "batch_size": s.batch_size}  # the dense models' schedule
print(digits.describe())

# %% [markdown]
# ## The judge
# The digit judge (`keras_autoencoders.evaluation.digit_judge`: a small CNN trained once on
# the training digits, then kept in Keras' cache folder) reads generated digits. Its reading is
# *confident* when its top probability is at least 0.9; real test digits give the reference.

# %%
classifier = load_digit_judge(s.data_dir, allow_sample=s.quick).model
real_reading = unconditional_numbers(classifier, x_test)
numbers = {"classifier_test_accuracy": label_accuracy(classifier, x_test, y_test),
           "real_test_digits_confident_fraction": real_reading["confident_fraction"]}
print(numbers)

# %% [markdown]
# ## Compression: an autoencoder against PCA (slide 5)
# The slides' dense autoencoder, 784-500-120-code-120-500-784 (ReLU, linear code, sigmoid
# output; binary cross-entropy, Adam; `build_dense_autoencoder`), against PCA with as many
# components as the code has values. The slides' claim: the AE learns non-linear relations
# that PCA cannot, so at the same code size it reconstructs better. The number: test mean
# squared error per pixel.

# %%
code_sizes = [int(size) for size in s.code_sizes.split(",")]
autoencoders = {size: run.stage(f"ae_{size}", built_with_adam(build_dense_autoencoder, size, seed=s.seed,
                                                              loss="binary_crossentropy", **adam),
                                (x_train, x_train), validation_data=(x_val, x_val), **trained)
                for size in code_sizes}
autoencoders[code_sizes[0]].model.summary()
largest, pca = max(code_sizes), fit_pca(x_train, max(code_sizes))
compression = compare_with_pca({size: ae.model.predict(x_test, verbose=0) for size, ae in autoencoders.items()},
                               pca, x_test, {size: ae.history["val_loss"][-1] for size, ae in autoencoders.items()})
print(compression)
run.save_figure("ae_vs_pca", figures.plot_compression(compression))
shown = x_test[:10]
run.save_figure("reconstructions_ae_pca", figures.plot_digits(
    shown, autoencoders[largest].model.predict(shown, verbose=0), pca.first(largest).reconstruct(shown),
    title=f"test digits / AE ({largest}-d code) / PCA ({largest} components)"))

# %% [markdown]
# ## Denoising (slide 6)
# The same network with a `denoise_code`-d code, trained on noisy digits against the clean
# ones. The slides give no noise level: Gaussian noise of std 0.5 (the classic Keras denoising
# example's: digits readable, background swamped), clipped to [0, 1]. The number: PSNR of the
# noisy and of the denoised test digits.

# %%
noisy_train = add_gaussian_noise(x_train, s.noise_sigma, seed=s.seed)
noisy_test = add_gaussian_noise(x_test, s.noise_sigma, seed=s.seed + 1)
denoiser = run.stage("denoising_ae", built_with_adam(build_dense_autoencoder, s.denoise_code, seed=s.seed,
                                                     loss="binary_crossentropy", **adam),
                     (noisy_train, x_train), validation_data=(noisy_test[:len(x_val)], x_val),
                     noise_sigma=s.noise_sigma, **trained)
denoised = denoiser.model.predict(noisy_test, verbose=0)
denoising = {"noise_sigma": s.noise_sigma, "psnr_noisy_db": psnr(x_test, noisy_test),
             "psnr_denoised_db": psnr(x_test, denoised), "test_loss": denoiser.history["val_loss"][-1]}
if s.denoise_code in autoencoders:  # the same AE trained on clean digits only
    clean_trained = autoencoders[s.denoise_code].model.predict(noisy_test, verbose=0)
    denoising["psnr_clean_trained_ae_db"] = psnr(x_test, clean_trained)
print(denoising)
run.save_figure("denoising", figures.plot_digits(noisy_test[:10], x_test[:10], denoised[:10],
                                                title="noisy / clean / denoised"))

# %% [markdown]
# ## Code spaces: a plain AE and a VAE with 2-d codes (slides 7-9)
# The 2-d autoencoder above and a VAE of the same shape (`build_dense_vae`; Part 4's loss).
# Their test codes (the VAE's z_mean) coloured by digit. The slides' point: the AE's code space
# has no set distribution and gaps between the digits; the VAE's is close to N(0, I) and
# continuous. The numbers: distance from N(0, I) (KL of a fitted Gaussian; energy distance)
# and how well the digits separate (5-nearest-neighbour accuracy).

# %%
vae_2 = run.stage("vae_2", built_with_adam(build_dense_vae, 2, **vae_options, **adam), (x_train, x_train),
                  validation_data=(x_val, x_val), **vae_record, **trained)
encoders = {"autoencoder": autoencoders[2].model.get_layer("encoder") if 2 in autoencoders else None,
            "vae": vae_2.model.article_models()["z_meaner"]}
code_space, codes = latent_metrics.code_spaces(encoders, digits, s.seed)
print(code_space)
panels = {**{CODE_MODELS[key]: (c, y_test) for key, c in codes.items()}, "VAE, zoomed in": (codes["vae"], y_test)}
run.save_figure("code_spaces_ae_vs_vae", figures.plot_code_scatters(panels, own_limits={"VAE, zoomed in": 4.0}))

# %% [markdown]
# ## New digits from a VAE with a 5-d code (slides 11-13)
# The same VAE with a 5-d code; new digits are the decoder's outputs for codes drawn from
# N(0, I). As on the slides: real digits on the left, generated on the right. The number:
# the share of 1,000 generated digits the judge reads with confidence, against real digits.

# %%
vae_5 = run.stage(f"vae_{s.vae_code}", built_with_adam(build_dense_vae, s.vae_code, **vae_options, **adam),
                  (x_train, x_train), validation_data=(x_val, x_val), **vae_record, **trained)
samples_5, vae_generation = unconditional_vae_numbers(vae_5.model, classifier, x_test, y_test,
                                                      vae_5.history["val_loss"][-1])
run.save_figure("vae_new_digits", figures.plot_real_beside_generated(x_test, samples_5["prior"],
                                                                     "real test digits | new digits from N(0, I)"))
print(f"confident readings: generated {vae_generation['confident_fraction']:.3f}, "
      f"real {real_reading['confident_fraction']:.3f}")

# %% [markdown]
# ## A conv VAE (the study)
# "Only two convolutional layers in the encoder and in the decoder" (`build_conv_vae`; its
# docstring says where the code departs from the text), down to a 2-d code. Its
# reconstructions ("practically no different" from the inputs, the study says), digits from
# N(0, I) and the test codes. The study found some digits (nine, eight, seven) good and others
# poor: the judge's confident fraction per digit says which.

# %%
conv_vae = run.stage("conv_vae", built_with_adam(build_conv_vae, 2, **vae_options, **adam), (x_train, x_train),
                     validation_data=(x_val, x_val), epochs=s.conv_epochs, batch_size=s.batch_size, **vae_record)
conv_samples, conv_generation = unconditional_vae_numbers(conv_vae.model, classifier, x_test, y_test,
                                                          conv_vae.history["val_loss"][-1])
code_numbers, conv_codes = latent_metrics.code_space_numbers(conv_vae.model.article_models()["z_meaner"], x_train,
                                                             digits.y_train, x_test, y_test, s.seed)
conv_generation["knn_accuracy"] = code_numbers["knn_accuracy"]
run.save_figure("conv_vae_reconstructions", figures.plot_digits(x_test[:10], conv_samples["rec"][:10],
                                                                title="test digits / conv VAE"))
run.save_figure("conv_vae_digits", figures.plot_image_grid(conv_samples["prior"][:100].reshape(10, 10, 28, 28),
                                                           title="conv VAE: digits from N(0, I)"))
conv_panel = {"conv VAE z_mean of the test digits": (conv_codes, y_test)}
run.save_figure("conv_vae_codes", figures.plot_code_scatters(conv_panel))
print({d: (round(v["share"], 3), v["confident_fraction"] and round(v["confident_fraction"], 3))
       for d, v in conv_generation["by_digit"].items()})

# %% [markdown]
# ## Digits on demand: fives and sevens from the CVAE (the study)
# Part 4's conditional VAE (its article's network and loss, `build_part4_cvae`), reloaded
# from a Part 4 run folder (`--part4-run`) or trained here. The same N(0, I) codes decoded
# with label 5 and with label 7; the number is the share the judge reads as 5 and as 7.

# %%
cvae = (RunFolder(s.part4_run).load_model("part4_cvae") if s.part4_run else
        run.stage("part4_cvae", built_with_adam(build_part4_cvae, **vae_options, **adam),
                  (x_train, digits.y_train_onehot), validation_data=(x_val, digits.y_test_onehot[:len(x_val)]),
                  epochs=s.cvae_epochs, batch_size=s.cvae_batch_size, **vae_record).model)
cvae_parts = cvae.article_models()
samples = generate_digits.contract_samples(cvae_parts["z_meaner"], cvae_parts["decoder"], cvae.latent_dim,
                                           x_train, digits.y_train, x_test, y_test)
on_demand = {f"read_as_{d}": label_accuracy(classifier, samples[f"gen_{d}"], np.full(1000, d)) for d in (5, 7)}
on_demand["all_labels"] = generator_numbers(classifier, samples, digits)["label_accuracy"]
run.save_figure("cvae_fives_and_sevens", figures.plot_image_grid(
    np.stack([samples["gen_5"][:10], samples["gen_7"][:10]]), ["5", "7"],
    title="CVAE: fives and sevens from the same N(0, I) codes"))
print(on_demand)

# %% [markdown]
# ## Anomaly scores (the study's closing remark)
# An autoencoder trained on digits rebuilds little else, so its reconstruction error scores
# how unlike a digit an image is. The largest-code AE scores MNIST test digits, Fashion-MNIST
# test images and uniform noise; the AUROC says how well it tells each from digits (0.5: chance).

# %%
scores, anomaly_auroc = anomaly.anomaly_aurocs(autoencoders[largest].model,
                                               anomaly.anomaly_test_sets(x_test, s.data_dir))
print(anomaly_auroc)
run.save_figure("anomaly_scores", figures.plot_histograms({anomaly.SCORED_SETS[k]: v for k, v in scores.items()},
                                                          f"reconstruction MSE of the {largest}-d AE"))

# %% [markdown]
# ## Results files
# `results.json` holds the settings and every number above; `samples.npz` the CVAE's arrays
# in the Part 4 format (`gen_0` .. `gen_9`, `rec`, `style`) and, for each unconditional VAE,
# `NAME_prior` (1,000 digits from the same N(0, I) codes) and `NAME_rec`.

# %%
run.finish(MNISTStudyResults(judge=numbers, compression=compression, denoising=denoising, code_space=code_space,
                             vae_generation=vae_generation, conv_vae=conv_generation, digits_on_demand=on_demand,
                             anomaly_auroc=anomaly_auroc, real_test_digits=real_reading),
           {**samples, **{f"{name}_{kind}": array for name, arrays in {f"vae_{s.vae_code}": samples_5,
                                                                       "conv_vae": conv_samples}.items()
                          for kind, array in arrays.items()}},
           data_source=digits.source_label)
