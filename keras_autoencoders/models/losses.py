"""Loss terms of the articles' VAEs, per sample, written with ``keras.ops``.

Part 4 ("Код на Keras", ``vae_loss``) trains the CVAE on

    loss = (784 * BCE(x, x_decoded) + KL) / 2 / 784

per sample, where BCE is Keras' binary cross-entropy averaged over the 784
pixels and KL is the closed-form KL[N(z_mean, exp(z_log_var)) || N(0, I)].
Dividing by 2 * 784 only rescales the loss (Adam's steps barely notice);
the constant is kept so that reported numbers compare with the article's.
"""
from __future__ import annotations

import numpy as np
from keras import ops

#: Keras' fuzz factor: predictions are clipped to [EPSILON, 1 - EPSILON] in BCE.
EPSILON = 1e-7
#: Pixels of an MNIST digit; the article's normalising constant.
MNIST_PIXELS = 28 * 28


#: Keras 2 turns clipped probabilities back into logits, so its BCE saturates at
#: |logit| = log((1 - EPSILON) / EPSILON) ~= 16.12; clipping logits there is the same.
LOGIT_CLIP = float(np.log((1.0 - EPSILON) / EPSILON))


def binary_crossentropy_per_sample(x, logits):
    """Mean binary cross-entropy over all non-batch axes, one value per sample.

    Takes the decoder's pre-sigmoid ``logits``. Equals Keras 2's
    ``binary_crossentropy(x, sigmoid(logits))`` as the article used it
    (probabilities clipped to ``[EPSILON, 1 - EPSILON]``, turned back into
    logits, then ``sigmoid_cross_entropy_with_logits``), with the same zero
    gradient beyond the clip, but skips the sigmoid/log round trip.
    """
    batch = ops.shape(x)[0]
    x = ops.reshape(x, (batch, -1))
    logits = ops.clip(ops.reshape(logits, (batch, -1)), -LOGIT_CLIP, LOGIT_CLIP)
    # Stable sigmoid cross-entropy: max(l, 0) - l * x + log(1 + exp(-|l|)).
    per_pixel = ops.relu(logits) - logits * x + ops.log1p(ops.exp(-ops.abs(logits)))
    return ops.mean(per_pixel, axis=-1)


def kl_divergence_per_sample(z_mean, z_log_var):
    """KL[N(z_mean, exp(z_log_var)) || N(0, I)] summed over latent dimensions."""
    return -0.5 * ops.sum(1.0 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var), axis=-1)


def part4_cvae_loss_terms(x, logits, z_mean, z_log_var, pixels: int = MNIST_PIXELS):
    """Part 4's per-sample loss split into its two terms, both in the article's scale.

    ``logits`` are the decoder's pre-sigmoid outputs (any shape per sample).

    Returns ``(reconstruction, kl)`` with ``reconstruction = BCE / 2`` and
    ``kl = KL / 2 / pixels``; their sum is the article's ``vae_loss``.
    """
    reconstruction = binary_crossentropy_per_sample(x, logits) / 2.0
    kl = kl_divergence_per_sample(z_mean, z_log_var) / 2.0 / pixels
    return reconstruction, kl


# --------------------------------------------------------------------------
# Part 6, "Определение лоссов": batch sums divided by 784, as the article's code.
# --------------------------------------------------------------------------

#: Part 6 clips z_log_var to [-2, 2] inside L_prior.
PART6_LOG_VAR_CLIP = 2.0
#: Guard inside the logs of L_GAN.
GAN_LOG_GUARD = 1e-10
#: L_GAN's weights on real, decoded-from-prior and reconstructed images, and its divisor.
GAN_WEIGHTS = (1.0, 2.0, 1.0)
GAN_DIVISOR = 4.0


def part6_prior_loss(z_mean, z_log_var, pixels: int = MNIST_PIXELS):
    """L_prior: KL to N(0, I) with z_log_var clipped to [-2, 2], summed over the batch, / 784."""
    log_var = ops.clip(z_log_var, -PART6_LOG_VAR_CLIP, PART6_LOG_VAR_CLIP)
    return -0.5 * ops.sum(1.0 + log_var - ops.square(z_mean) - ops.exp(log_var)) / pixels


def part6_gan_loss(d_real, d_prior, d_reconstructed, pixels: int = MNIST_PIXELS):
    """L_GAN = -(log D(x) + 2 log(1 - D(G(z))) + log(1 - D(G(E(x))))) summed, / 4 / 784.

    Takes the discriminator's probabilities; every log has the article's 1e-10 guard.
    """
    w_real, w_prior, w_rec = GAN_WEIGHTS
    total = (w_real * ops.log(d_real + GAN_LOG_GUARD)
             + w_prior * ops.log(1.0 - d_prior + GAN_LOG_GUARD)
             + w_rec * ops.log(1.0 - d_reconstructed + GAN_LOG_GUARD))
    return -ops.sum(total) / GAN_DIVISOR / pixels


def part6_feature_loss(features_real, features_reconstructed, kind: str = "cross_entropy",
                       pixels: int = MNIST_PIXELS):
    """L_dis_llike between the discriminator's layer-l activations of x and of x~.

    ``"cross_entropy"`` (the article's choice): sigmoid cross-entropy with targets
    ``sigmoid(l(x))`` and logits ``l(x~)``; ``"mse"``: squared difference (the
    article's commented-out line). Summed over the batch and the layer, / 784.
    """
    if kind == "cross_entropy":
        targets = ops.sigmoid(features_real)
        logits = features_reconstructed
        per_unit = ops.relu(logits) - logits * targets + ops.log1p(ops.exp(-ops.abs(logits)))
    elif kind == "mse":
        per_unit = ops.square(features_real - features_reconstructed)
    else:
        raise ValueError(f"feature loss kind must be 'cross_entropy' or 'mse', got {kind!r}")
    return ops.sum(per_unit) / pixels
