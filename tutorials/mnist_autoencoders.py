# %% [markdown]
# # The MNIST study: autoencoders and variational autoencoders compared
#
# A runnable companion to the MNIST experiments of the slides "Analiza porównawcza zastosowań
# tradycyjnych oraz wariacyjnych autoenkoderów" (denoising, AE and VAE code spaces, new digits, AE
# vs PCA) and of the project "Автокодировщики" (on LFW and MNIST) (a conv VAE, fives and sevens on demand,
# anomaly detection). Eight models, each a resumable stage; every picture comes with a number.
#
#     python tutorials/mnist_autoencoders.py --quick          # minutes on a 2-core CPU
#     python tutorials/mnist_autoencoders.py                  # the study's settings (below; again: resumes)
#     python tutorials/mnist_autoencoders.py --skip-training --out DIR   # redo figures and numbers

# %%
NOTEBOOK_PRESET = "article"  # in a notebook: "quick" (minutes on a CPU) or "article"; on the command line: --quick

# %%
from dataclasses import dataclass

import numpy as np

from keras_autoencoders.data.mnist import load_mnist_digits
from keras_autoencoders.evaluation import anomaly, latent_metrics
from keras_autoencoders.evaluation.digit_generators import (on_demand_numbers, unconditional_numbers,
                                                            unconditional_vae_numbers)
from keras_autoencoders.evaluation.digit_judge import load_digit_judge
from keras_autoencoders.evaluation.image_metrics import add_gaussian_noise, denoising_numbers
from keras_autoencoders.evaluation.judges import label_accuracy
from keras_autoencoders.evaluation.pca import compare_with_pca, fit_pca
from keras_autoencoders.generate import digits as generate_digits
from keras_autoencoders.models.conv_vae import build_conv_vae
from keras_autoencoders.models.dense_autoencoder import build_dense_autoencoder, build_dense_vae
from keras_autoencoders.models.vae import build_part4_cvae
from keras_autoencoders.models.precision import PRECISIONS
from keras_autoencoders.plotting import figures
from keras_autoencoders.records.mnist_study import CODE_MODELS, MNISTStudyResults, study_samples
from keras_autoencoders.run_folder import RunFolder
from keras_autoencoders.training.digit_stages import DigitStages
from keras_autoencoders.tutorial import AdamTrainingSettings, setting
from keras_autoencoders.tutorial_run import start_tutorial


@dataclass
class StudySettings(AdamTrainingSettings):
    """The MNIST study; epochs, batch sizes and the noise level are ours (neither work gives them). The
    quick preset: the first 5,000 digits, ~2,000 steps per dense model, 1,000 validation digits."""

    RUN_NAME = "mnist_study"
    epochs: int = setting(30, "epochs of each dense model (the AEs, the denoising AE, the VAEs)", quick=40)
    batch_size: int = setting(128, "batch size of the dense models and the conv VAE", quick=100)
    conv_epochs: int = setting(30, "epochs of the conv VAE")
    code_sizes: str = setting("2,8,32", "code sizes of the AE vs PCA comparison, comma-separated (2: code spaces)")
    denoise_code: int = setting(32, "code size of the denoising AE")
    noise_sigma: float = setting(0.5, "std of the Gaussian noise added to the digits (then clipped to [0, 1])")
    vae_code: int = setting(5, "code size of the VAE that draws new digits (the slides: 5)")
    cvae_epochs: int = setting(100, "epochs of the Part 4 CVAE (when no --part4-run is given)")
    cvae_batch_size: int = setting(500, "batch size of the Part 4 CVAE", quick=100)
    part4_run: str | None = setting(None, "a Part 4 run folder whose model/part4_cvae.keras draws the fives and sevens")
    train_digits: int = setting(0, "train on the first N training digits (0: all)", quick=5000)
    validation_digits: int = setting(0, "validate every epoch on the first N test digits (0: all)", quick=1000)
    steps_per_execution: int = setting(20, "training steps per call of the compiled function (about 24 calls an epoch)")
    precision: str = setting("float32", "the VAEs' precision (the AEs stay float32)", choices=PRECISIONS)


s, run = start_tutorial(StudySettings, NOTEBOOK_PRESET)
digits = load_mnist_digits(s.data_dir, allow_sample=s.quick, train_digits=s.train_digits)
x_train, x_test, y_test = digits.x_train, digits.x_test, digits.y_test
print(digits.describe())
stages = DigitStages(run, digits, s.learning_rate, s.epochs, s.batch_size, seed=s.seed,
                     validation_digits=s.validation_digits, steps_per_execution=s.steps_per_execution)

# %% [markdown]
# ## The judge
# The digit judge (`evaluation/digit_judge.py`: a small CNN trained once on the training digits, then
# cached) reads generated digits; *confidently* at a top probability of 0.9 or more.

# %%
classifier = load_digit_judge(s.data_dir, allow_sample=s.quick).model
real_reading = unconditional_numbers(classifier, x_test)
numbers = {"classifier_test_accuracy": label_accuracy(classifier, x_test, y_test),
           "real_test_digits_confident_fraction": real_reading["confident_fraction"]}
print(numbers)

# %% [markdown]
# ## Compression: an autoencoder against PCA (slide 5)
# The slides' dense AE, 784-500-120-code-120-500-784 (`build_dense_autoencoder`), against PCA of as many
# components: learning non-linear relations PCA cannot, the AE reconstructs better (test MSE per pixel).

# %%
code_sizes = [int(size) for size in s.code_sizes.split(",")]
autoencoders = {size: stages.train(f"ae_{size}", build_dense_autoencoder, size, loss="binary_crossentropy")
                for size in code_sizes}
autoencoders[code_sizes[0]].model.summary()
largest, pca = max(code_sizes), fit_pca(x_train, max(code_sizes))
compression = compare_with_pca({size: ae.model.predict(x_test, verbose=0) for size, ae in autoencoders.items()},
                               pca, x_test, {size: ae.history["val_loss"][-1] for size, ae in autoencoders.items()})
print(compression)
run.save_figure("ae_vs_pca", figures.plot_compression(compression))
shown = x_test[:10]  # and their reconstructions by the largest AE and by PCA with as many components
rows = (shown, autoencoders[largest].model.predict(shown, verbose=0), pca.first(largest).reconstruct(shown))
run.save_figure("reconstructions_ae_pca", figures.plot_digits(
    *rows, title=f"test digits / AE ({largest}-d code) / PCA ({largest} components)"))

# %% [markdown]
# ## Denoising (slide 6)
# The same network trained on noisy digits against clean ones; the slides give no noise level: Gaussian,
# std 0.5 (the classic Keras example's), clipped to [0, 1]. The number: PSNR of noisy and denoised digits.

# %%
noisy_train = add_gaussian_noise(x_train, s.noise_sigma, seed=s.seed)
noisy_test = add_gaussian_noise(x_test, s.noise_sigma, seed=s.seed + 1)
denoiser = stages.train("denoising_ae", build_dense_autoencoder, s.denoise_code, loss="binary_crossentropy",
                        noisy=(noisy_train, noisy_test), record={"noise_sigma": s.noise_sigma})
clean_trained = autoencoders.get(s.denoise_code)  # the same AE trained on clean digits only, if there
denoising, denoised = denoising_numbers(denoiser.model, x_test, noisy_test, s.noise_sigma,
                                        denoiser.history["val_loss"][-1], clean_trained and clean_trained.model)
print(denoising)
run.save_figure("denoising", figures.plot_digits(noisy_test[:10], x_test[:10], denoised[:10],
                                                title="noisy / clean / denoised"))

# %% [markdown]
# ## Code spaces: a plain AE and a VAE with 2-d codes (slides 7-9)
# The 2-d AE above and a VAE of its shape (`build_dense_vae`): the AE's codes have gaps and no set law, the
# VAE's are close to N(0, I). Numbers: KL and energy distance to N(0, I); 5-nearest-neighbour accuracy.

# %%
vae_2 = stages.train("vae_2", build_dense_vae, 2, precision=s.precision)
encoders = {"autoencoder": autoencoders[2].model.get_layer("encoder") if 2 in autoencoders else None,
            "vae": vae_2.model.article_models()["z_meaner"]}
code_space, codes = latent_metrics.code_spaces(encoders, digits, s.seed)
print(code_space)
panels = {**{CODE_MODELS[key]: (c, y_test) for key, c in codes.items()}, "VAE, zoomed in": (codes["vae"], y_test)}
run.save_figure("code_spaces_ae_vs_vae", figures.plot_code_scatters(panels, own_limits={"VAE, zoomed in": 4.0}))

# %% [markdown]
# ## New digits from a VAE with a 5-d code (slides 11-13)
# The same VAE with a 5-d code decodes codes drawn from N(0, I): real digits left, new ones right, as
# on the slides. The number: the share of 1,000 new digits the judge reads confidently (real: above).

# %%
vae_5 = stages.train(f"vae_{s.vae_code}", build_dense_vae, s.vae_code, precision=s.precision)
samples_5, vae_generation, _ = unconditional_vae_numbers(vae_5.model, classifier, digits, vae_5.history["val_loss"][-1],
                                                        s.draw_seed)
run.save_figure("vae_new_digits", figures.plot_real_beside_generated(x_test, samples_5["prior"],
                                                                     "real test digits | new digits from N(0, I)"))
print("confident readings, new / real:", vae_generation["confident_fraction"], real_reading["confident_fraction"])

# %% [markdown]
# ## A conv VAE (the study)
# "Only two convolutional layers in the encoder and in the decoder" (`build_conv_vae`), to a 2-d code. The study
# finds its reconstructions "practically no different", nines, eights, sevens good: the judge reads each digit.

# %%
conv_vae = stages.train("conv_vae", build_conv_vae, 2, precision=s.precision, epochs=s.conv_epochs)
conv_samples, conv_generation, conv_codes = unconditional_vae_numbers(conv_vae.model, classifier, digits,
                                                                      conv_vae.history["val_loss"][-1], s.draw_seed)
run.save_figure("conv_vae_reconstructions", figures.plot_digits(x_test[:10], conv_samples["rec"][:10],
                                                                title="test digits / conv VAE"))
run.save_figure("conv_vae_digits", figures.plot_image_grid(conv_samples["prior"][:100].reshape(10, 10, 28, 28),
                                                           title="conv VAE: digits from N(0, I)"))
conv_panel = {"conv VAE z_mean of the test digits": (conv_codes, y_test)}
run.save_figure("conv_vae_codes", figures.plot_code_scatters(conv_panel))
print(conv_generation["by_digit"])

# %% [markdown]
# ## Digits on demand: fives and sevens from the CVAE (the study)
# Part 4's conditional VAE (`build_part4_cvae`), from a Part 4 run (`--part4-run`) or trained here,
# decodes the same N(0, I) codes with label 5 and with 7; the number: the share read as 5 and as 7.

# %%
cvae = (RunFolder(s.part4_run).load_model("part4_cvae") if s.part4_run else
        stages.train("part4_cvae", build_part4_cvae, precision=s.precision, labelled=True, epochs=s.cvae_epochs,
                     batch_size=s.cvae_batch_size).model)
samples = generate_digits.model_contract_samples(cvae, digits, s.draw_seed)
on_demand = on_demand_numbers(classifier, samples, labels=(5, 7))
fives_and_sevens = np.stack([samples["gen_5"][:10], samples["gen_7"][:10]])
run.save_figure("cvae_fives_and_sevens", figures.plot_image_grid(
    fives_and_sevens, ["5", "7"], title="CVAE: fives and sevens from the same N(0, I) codes"))
print(on_demand)

# %% [markdown]
# ## Anomaly scores (the study's closing remark)
# An AE trained on digits rebuilds little else: its reconstruction error scores how unlike a digit an
# image is. The largest AE scores test digits, Fashion-MNIST and noise; AUROC 0.5 is chance.

# %%
scores, anomaly_auroc = anomaly.anomaly_aurocs(autoencoders[largest].model,
                                               anomaly.anomaly_test_sets(x_test, s.data_dir))
print(anomaly_auroc)
run.save_figure("anomaly_scores", figures.plot_histograms({anomaly.SCORED_SETS[k]: v for k, v in scores.items()},
                                                          f"reconstruction MSE of the {largest}-d AE"))

# %% [markdown]
# ## Results files
# `results.json`: every number above; `samples.npz`: the CVAE's arrays as Part 4's, each VAE's `NAME_prior`, `NAME_rec`.

# %%
run.finish(MNISTStudyResults(judge=numbers, compression=compression, denoising=denoising, code_space=code_space,
                             vae_generation=vae_generation, conv_vae=conv_generation, digits_on_demand=on_demand,
                             anomaly_auroc=anomaly_auroc, real_test_digits=real_reading),
           study_samples(samples, {f"vae_{s.vae_code}": samples_5, "conv_vae": conv_samples}),
           data_source=digits.source_label)
