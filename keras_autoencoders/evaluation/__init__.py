"""Numbers, apart from the models: judge classifiers, image metrics, generators compared, toy distances."""

from keras_autoencoders._lazy import lazy_api

# module (under keras_autoencoders): its public names
__all__, __getattr__, __dir__ = lazy_api(__name__, """
evaluation.judges: train_digit_classifier label_accuracy train_attribute_classifier attribute_rates edit_rates
evaluation.image_metrics: relative_sharpness within_label_variety style_retention reconstruction_mse
evaluation.digit_generators: compare_generators
evaluation.toy_curves: toy_manifold_distances
""")
