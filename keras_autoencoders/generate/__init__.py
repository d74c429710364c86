"""Sampling from trained models: manifolds, digits on demand, style transfer, faces and their edits."""

from keras_autoencoders._lazy import lazy_api

_API = {
    "render_manifolds": "keras_autoencoders.generate.manifold",
    "z_means_by_label": "keras_autoencoders.generate.manifold",
    "digits_from_prior": "keras_autoencoders.generate.digits",
    "style_transfer": "keras_autoencoders.generate.digits",
    "reconstructions": "keras_autoencoders.generate.digits",
    "contract_samples": "keras_autoencoders.generate.digits",
    "faces_for_settings": "keras_autoencoders.generate.faces",
    "edit_faces": "keras_autoencoders.generate.faces",
    "interpolate_faces": "keras_autoencoders.generate.faces",
    "settings_by_name": "keras_autoencoders.generate.faces",
}
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)
