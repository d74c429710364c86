"""Numbers, apart from the models: judge classifiers, image metrics, generators compared, toy distances."""

from keras_autoencoders._lazy import lazy_api

_API = {
    "train_digit_classifier": "keras_autoencoders.evaluation.judges",
    "label_accuracy": "keras_autoencoders.evaluation.judges",
    "train_attribute_classifier": "keras_autoencoders.evaluation.judges",
    "attribute_rates": "keras_autoencoders.evaluation.judges",
    "edit_rates": "keras_autoencoders.evaluation.judges",
    "relative_sharpness": "keras_autoencoders.evaluation.image_metrics",
    "within_label_variety": "keras_autoencoders.evaluation.image_metrics",
    "style_retention": "keras_autoencoders.evaluation.image_metrics",
    "reconstruction_mse": "keras_autoencoders.evaluation.image_metrics",
    "compare_generators": "keras_autoencoders.evaluation.digit_generators",
    "toy_manifold_distances": "keras_autoencoders.evaluation.toy_curves",
}
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)
