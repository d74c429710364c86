"""Sampling from trained models: manifolds, digits on demand, style transfer, faces and their edits."""

from keras_autoencoders._lazy import lazy_api

__all__, __getattr__, __dir__ = lazy_api(__name__, """
generate.manifold: render_manifolds z_means_by_label
generate.digits: digits_from_prior style_transfer reconstructions contract_samples unconditional_samples
generate.code_arithmetic: fit_normal FittedNormal nearest_neighbours attribute_vector add_in_steps
generate.faces: faces_for_settings edit_faces interpolate_faces settings_by_name
""")
