"""The explorer's web page (Gradio), served on 127.0.0.1: ``python -m keras_autoencoders explore RUN``.

Views for a digit CVAE (Part 4, Part 6), each an API endpoint too (``gradio_client``):

* ``/manifold``: a label's manifold; clicking it (``/pad``) decodes the code under the pointer,
  the sliders set the other coordinates (``/decode``: a label and a code);
* ``/restyle``: a digit drawn on the sketchpad, or test digit N, re-drawn as all ten labels;
* ``/interpolate``: the path between two test digits.

For the MNIST study, the AE's and the VAE's 2-d code maps side by side (``/code_map_click``:
a click decodes the code under the pointer); for the faces study, a validation face with the
smile vector added (``/smile``); for the CelebA CVAE, new faces under attributes switched on and
off (``/new_faces``) and a test face edited by one slider per attribute (``/edit_face``).

The page works offline: no analytics, and the theme uses the system's fonts (no web fonts).
Gradio is imported here only, never by ``import keras_autoencoders`` or a tutorial.
"""
from __future__ import annotations

import os

import numpy as np

from keras_autoencoders.explore.digits import DigitExplorer
from keras_autoencoders.explore.faces import FaceAttributeExplorer
from keras_autoencoders.explore.studies import CodeMapExplorer, SmileExplorer

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported

import gradio as gr  # noqa: E402  (after the setting above; event handlers' annotations need it at module level)

#: Pixels per digit pixel in the decoded pictures (28 -> 168).
ZOOM = 6


def to_picture(image: np.ndarray, zoom: int = 1) -> np.ndarray:
    """A [0, 1] grey image as uint8 pixels, each repeated ``zoom`` times a side."""
    pixels = np.round(np.clip(np.asarray(image, dtype="float32"), 0, 1) * 255).astype("uint8")
    return np.kron(pixels, np.ones((zoom, zoom), dtype="uint8")) if zoom > 1 else pixels


def sketch_to_digit(sketch) -> np.ndarray:
    """A sketchpad's drawing (white strokes on black, or black on white) as a ``(28, 28)`` MNIST-like digit."""
    from PIL import Image

    if isinstance(sketch, dict):  # the image editor's value: the composite of background and layers
        sketch = sketch.get("composite")
    if sketch is None:
        raise ValueError("draw a digit first")
    array = np.asarray(sketch, dtype="float32")
    if array.ndim == 3:
        alpha = array[..., 3] / 255.0 if array.shape[-1] == 4 else 1.0
        array = array[..., :3].mean(axis=-1) * alpha
    array = array / max(float(array.max()), 1.0)
    if array.mean() > 0.5:  # dark strokes on a light ground: MNIST digits are light on dark
        array = 1.0 - array
    small = Image.fromarray(np.round(array * 255).astype("uint8")).resize((28, 28), Image.Resampling.BOX)
    return np.asarray(small, dtype="float32") / 255.0


def _row(images: np.ndarray, zoom: int = 3) -> np.ndarray:
    return to_picture(np.concatenate(list(images), axis=1), zoom)


def build_app(explorer: DigitExplorer | CodeMapExplorer | SmileExplorer | FaceAttributeExplorer):
    """The Gradio Blocks of the views that fit ``explorer`` (not launched)."""
    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["monospace"])
    with gr.Blocks(title="keras-autoencoders explorer") as app:
        if isinstance(explorer, DigitExplorer):
            _digit_views(explorer)
        elif isinstance(explorer, CodeMapExplorer):
            _code_map_views(explorer)
        elif isinstance(explorer, FaceAttributeExplorer):
            _face_views(explorer)
        else:
            _smile_views(explorer)
    app.explore_theme = theme
    return app


def _code_map_views(explorer: CodeMapExplorer) -> None:
    def click(name, picture, evt: gr.SelectData):
        height, width = np.asarray(picture).shape[:2]
        code = explorer.code_at(name, *evt.index, width, height)
        return to_picture(explorer.decode(name, code), ZOOM), f"({code[0]:.2f}, {code[1]:.2f})"

    gr.Markdown("## The MNIST study: the AE's code space beside the VAE's (click a map to decode)")
    with gr.Row():
        for model_name in explorer.models:
            with gr.Column():
                picture = gr.Image(explorer.picture(model_name), label=f"{model_name}: test digits' codes",
                                   interactive=False, type="numpy", format="png")
                decoded = gr.Image(label=f"{model_name}: decoded at the click", interactive=False, type="numpy",
                                   format="png")
                where = gr.Textbox(label="code", interactive=False)
                title = gr.Textbox(model_name, visible=False)
                picture.select(click, [title, picture], [decoded, where], api_name=False)

    def decode_code(name, x, y):  # the decode behind a click, as an endpoint of its own
        return to_picture(explorer.decode(name, np.array([x, y], dtype="float32")), ZOOM)

    name = gr.Dropdown(list(explorer.models), value=list(explorer.models)[0], visible=False)
    x, y = gr.Number(0.0, visible=False), gr.Number(0.0, visible=False)
    hidden = gr.Image(visible=False, type="numpy", format="png")
    gr.Button("decode", visible=False).click(decode_code, [name, x, y], hidden, api_name="code_map_decode")


#: The CelebA attributes the face editor gives a slider (those the data has).
SLIDER_ATTRIBUTES = ("Smiling", "Male", "Young", "Eyeglasses", "Blond_Hair", "Black_Hair", "Brown_Hair", "Bald",
                     "Pale_Skin", "Heavy_Makeup", "Wearing_Lipstick", "Mustache", "Wavy_Hair", "Bangs")


def _face_picture(images: np.ndarray) -> np.ndarray:
    row = np.concatenate(list(np.asarray(images)), axis=1) if np.asarray(images).ndim == 4 else np.asarray(images)
    return np.round(np.clip(row, 0, 1) * 255).astype("uint8").repeat(3, axis=0).repeat(3, axis=1)


def _face_views(explorer: FaceAttributeExplorer) -> None:
    sliders_for = [name for name in SLIDER_ATTRIBUTES if name in explorer.names]

    def new_faces(on, off):
        return _face_picture(explorer.new_faces({**{n: 1.0 for n in on}, **{n: 0.0 for n in off}}))

    def own_values(index):
        own = explorer.conditions[int(index)]
        return [float(own[explorer.names.index(n)]) for n in sliders_for]

    def edit(index, *values):
        return np.concatenate([_face_picture(explorer.faces[int(index)]),
                               _face_picture(explorer.edit(int(index), dict(zip(sliders_for, values))))], axis=1)

    gr.Markdown("## The CelebA CVAE: attributes on and off")
    with gr.Tab("New faces"):
        with gr.Row():
            on = gr.CheckboxGroup(list(explorer.names), label="switched on")
            off = gr.CheckboxGroup(list(explorer.names), label="switched off (the rest: a typical face)")
        faces = gr.Image(new_faces([], []), label="the same codes from N(0, I)", interactive=False, type="numpy",
                         format="png")
        for control in (on, off):
            control.change(new_faces, [on, off], faces, api_name=False)
        gr.Button("draw", visible=False).click(new_faces, [on, off], faces, api_name="new_faces")
    with gr.Tab("Edit a test face"):
        index = gr.Number(value=0, precision=0, label="test face")
        sliders = [gr.Slider(-1.0, 2.0, value=v, step=0.05, label=n) for n, v in zip(sliders_for, own_values(0))]
        edited = gr.Image(edit(0, *own_values(0)), label="the face / edited", interactive=False, type="numpy",
                          format="png")
        index.change(own_values, index, sliders, api_name=False)
        for control in (index, *sliders):
            control.change(edit, [index, *sliders], edited, api_name=False)
        gr.Button("edit", visible=False).click(edit, [index, *sliders], edited, api_name="edit_face")


def _smile_views(explorer: SmileExplorer) -> None:
    gr.Markdown("## The faces study: the smile vector added to a validation face")
    with gr.Row():
        index = gr.Number(value=int(np.flatnonzero(explorer.smiling == 0)[0]) if (explorer.smiling == 0).any() else 0,
                          precision=0, label="validation face")
        amount = gr.Slider(-2.0, 3.0, value=0.0, step=0.1, label="times the smile vector", elem_id="smile")
    face = gr.Image(label="decoded", interactive=False, type="numpy", format="png", elem_id="face")

    def smile(index, amount):
        return np.round(np.clip(explorer.with_smile(int(index), float(amount)), 0, 1) * 255).astype("uint8").repeat(
            ZOOM, axis=0).repeat(ZOOM, axis=1)

    for control in (index, amount):
        control.change(smile, [index, amount], face, api_name=False)
    gr.Button("decode", visible=False).click(smile, [index, amount], face, api_name="smile")


def _digit_views(explorer: DigitExplorer) -> None:
    extra = explorer.latent_dim - 2

    def manifold(label):
        return to_picture(explorer.manifold(int(label)))

    def decode(label, *z):
        return to_picture(explorer.decode(int(label), np.asarray(z, dtype="float32")), ZOOM)

    def pad(evt: gr.SelectData, label, picture, *rest):  # the event first: the code coordinates follow
        x, y = evt.index
        height, width = np.asarray(picture).shape[:2]
        z = explorer.code_at(x, y, width, height, np.asarray(rest))
        return (to_picture(explorer.decode(int(label), z), ZOOM), float(z[0]), float(z[1]))

    def restyle(label, index, sketch):
        if sketch is not None and isinstance(sketch, dict) and sketch.get("composite") is not None \
                and np.asarray(sketch["composite"]).any():
            digit = sketch_to_digit(sketch)
        else:
            digit = explorer.x_test[int(index), ..., 0]
            label = int(explorer.y_test[int(index)])
        return to_picture(digit, ZOOM), _row(explorer.restyle(digit, int(label)))

    def interpolate(first, second):
        return _row(explorer.interpolate(int(first), int(second)))

    low, high = (round(v, 2) for v in explorer.pad_range)
    gr.Markdown(f"## {explorer.title}: the code space, live")
    with gr.Tab("Manifold"):
        with gr.Row():
            label = gr.Radio([str(c) for c in range(10)], value="0", label="label")
        with gr.Row():
            picture = gr.Image(manifold(0), label="click the manifold: z[0] across, z[1] down",
                               interactive=False, type="numpy", format="png", elem_id="manifold")
            decoded = gr.Image(label="decoded", interactive=False, type="numpy", format="png", elem_id="decoded")
        z0 = gr.Slider(low, high, value=0.0, step=0.01, label="z[0]", elem_id="z0")
        z1 = gr.Slider(low, high, value=0.0, step=0.01, label="z[1]")
        rest = [gr.Slider(-3.0, 3.0, value=0.0, step=0.01, label=f"z[{i + 2}]") for i in range(extra)]
        label.change(manifold, label, picture, api_name="manifold")
        picture.select(pad, [label, picture, *rest], [decoded, z0, z1], api_name="pad")
        for control in (label, z0, z1, *rest):
            control.change(decode, [label, z0, z1, *rest], decoded, api_name=False)
        gr.Button("decode", visible=False).click(decode, [label, z0, z1, *rest], decoded, api_name="decode")
    with gr.Tab("Your digit as every label"):
        with gr.Row():
            sketch = gr.Sketchpad(label="draw a digit (or leave empty and pick a test digit)", type="numpy")
            with gr.Column():
                drawn_label = gr.Number(value=7, precision=0, label="the drawn digit's label")
                index = gr.Number(value=0, precision=0, label="or test digit number")
                go = gr.Button("re-draw as every label")
        shown = gr.Image(label="the digit encoded", interactive=False, type="numpy", format="png")
        styled = gr.Image(label="drawn as 0 .. 9", interactive=False, type="numpy", format="png")
        go.click(restyle, [drawn_label, index, sketch], [shown, styled], api_name="restyle")
    with gr.Tab("Interpolation"):
        with gr.Row():
            first = gr.Number(value=0, precision=0, label="test digit")
            second = gr.Number(value=1, precision=0, label="to test digit")
            walk = gr.Button("interpolate")
        path = gr.Image(label="z_mean in a straight line", interactive=False, type="numpy", format="png")
        walk.click(interpolate, [first, second], path, api_name="interpolate")


def serve(explorer: DigitExplorer, port: int = 7860, block: bool = True):
    """Serve the page on 127.0.0.1:``port`` (printing its address); with ``block=False`` return the app."""
    app = build_app(explorer)
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=not block, show_error=True,
               theme=app.explore_theme, quiet=False, ssr_mode=False)
    return app
