"""Part 6's loss terms ("Определение лоссов") in ``keras.ops``: batch sums divided by 784, as the article's
code. Part 4's loss is :meth:`~keras_autoencoders.models.vae.VariationalAutoencoder.compute_loss`."""
from __future__ import annotations

from keras import ops

MNIST_PIXELS = 28 * 28  #: Pixels of an MNIST digit; the article's normalising constant.
PART6_LOG_VAR_CLIP = 2.0  #: Part 6 clips z_log_var to [-2, 2] inside L_prior.
GAN_LOG_GUARD = 1e-10  #: Guard inside the logs of L_GAN.
GAN_WEIGHTS = (1.0, 2.0, 1.0)  #: L_GAN's weights on real, decoded-from-prior and reconstructed images.
GAN_DIVISOR = 4.0  #: L_GAN's divisor.


def part6_prior_loss(z_mean, z_log_var, pixels: int = MNIST_PIXELS):
    """L_prior: KL to N(0, I) with z_log_var clipped to [-2, 2], summed over the batch, / 784."""
    log_var = ops.clip(z_log_var, -PART6_LOG_VAR_CLIP, PART6_LOG_VAR_CLIP)
    return -0.5 * ops.sum(1.0 + log_var - ops.square(z_mean) - ops.exp(log_var)) / pixels


def part6_gan_loss(d_real, d_prior, d_reconstructed, pixels: int = MNIST_PIXELS):
    """L_GAN = -(log D(x) + 2 log(1 - D(G(z))) + log(1 - D(G(E(x))))) summed, / 4 / 784, from the
    discriminator's probabilities; every log has the article's 1e-10 guard."""
    w_real, w_prior, w_rec = GAN_WEIGHTS
    total = (w_real * ops.log(d_real + GAN_LOG_GUARD)
             + w_prior * ops.log(1.0 - d_prior + GAN_LOG_GUARD)
             + w_rec * ops.log(1.0 - d_reconstructed + GAN_LOG_GUARD))
    return -ops.sum(total) / GAN_DIVISOR / pixels


def part6_feature_loss(features_real, features_reconstructed, kind: str = "cross_entropy", pixels: int = MNIST_PIXELS):
    """L_dis_llike between the discriminator's layer-l activations of x and of x~, summed, / 784: ``"cross_entropy"``
    (the article's), targets ``sigmoid(l(x))`` and logits ``l(x~)``, or ``"mse"`` (the article's commented-out line)."""
    if kind == "cross_entropy":
        targets, logits = ops.sigmoid(features_real), features_reconstructed
        per_unit = ops.relu(logits) - logits * targets + ops.log1p(ops.exp(-ops.abs(logits)))
    elif kind == "mse":
        per_unit = ops.square(features_real - features_reconstructed)
    else:
        raise ValueError(f"feature loss kind must be 'cross_entropy' or 'mse', got {kind!r}")
    return ops.sum(per_unit) / pixels
