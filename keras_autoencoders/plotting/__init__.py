"""Figures and animations for any decoder callable (no model imported); inline display in notebooks."""

from keras_autoencoders._lazy import lazy_api

__all__, __getattr__, __dir__ = lazy_api(__name__, """
plotting.figures: save_figure plot_digits plot_image_grid plot_manifold plot_z_scatter plot_code_scatters
plotting.animation: write_animation write_label_grid_animation
plotting.snapshot_animations: write_snapshot_animations
plotting.display: show_file
""")
