"""Figures and animations for any decoder callable (no model imported); inline display in notebooks."""

from keras_autoencoders._lazy import lazy_api

_API = {
    "save_figure": "keras_autoencoders.plotting.figures",
    "plot_digits": "keras_autoencoders.plotting.figures",
    "plot_image_grid": "keras_autoencoders.plotting.figures",
    "plot_manifold": "keras_autoencoders.plotting.figures",
    "plot_z_scatter": "keras_autoencoders.plotting.figures",
    "write_animation": "keras_autoencoders.plotting.animation",
    "write_label_grid_animation": "keras_autoencoders.plotting.animation",
    "write_snapshot_animations": "keras_autoencoders.plotting.snapshot_animations",
    "show_file": "keras_autoencoders.plotting.display",
}
__all__ = list(_API)
__getattr__, __dir__ = lazy_api(__name__, _API)
