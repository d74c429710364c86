"""``python -m keras_autoencoders explore RUN_DIR``: a trained model's code space in the browser.

:mod:`~keras_autoencoders.explore.digits` computes each view (no web framework);
:mod:`~keras_autoencoders.explore.app` serves them with Gradio on 127.0.0.1;
:mod:`~keras_autoencoders.explore.cli` is the command.
"""
