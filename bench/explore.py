"""Decode latency of the explorer, request to image, over real HTTP (``python bench/explore.py``).

Serves each explorer on 127.0.0.1 and times its endpoints the way the page does it: join
Gradio's queue (``POST /gradio_api/queue/join``), read the event stream until the result
(``GET /gradio_api/queue/data``), then fetch the PNG the result points at. That is the
browser's path (its EventSource reads the stream as it arrives), PNG encoding and the file
round trip included. Beside it, the same request through ``gradio_client``, whose reader
polls its message queue every 50 ms and so adds up to that much to each call: it is what a
script driving the app waits for, not what the page waits for.

Explorers: the shipped Part 4 CVAE, Part 6 CVAE+GAN and faces-study autoencoder (its smile
slider; LFW from ``--data-dir`` / ``KERAS_AUTOENCODERS_DATA``), and any run folder passed with
``--run`` (a CelebA CVAE run, an MNIST study run). Median and 95th percentile over
``--repeats`` requests after three warm-up requests. Target: a decode under 100 ms on 2 CPU cores.
"""
from __future__ import annotations

import argparse
import json
import socket
import statistics
import time
import uuid
from typing import Callable

import numpy as np

from keras_autoencoders.machine import print_machine


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PageProtocol:
    """Calls an app's named endpoints as its page does (queue join, event stream, file fetch)."""

    def __init__(self, root: str):
        import httpx

        self.root, self.http, self.session = root, httpx.Client(timeout=60), uuid.uuid4().hex
        config = self.http.get(root + "config").json()
        self.fn_index = {d["api_name"]: d["id"] for d in config["dependencies"] if d.get("api_name")}

    def __call__(self, api_name: str, *data) -> bytes:
        joined = self.http.post(self.root + "gradio_api/queue/join",
                                json={"data": list(data), "fn_index": self.fn_index[api_name],
                                      "session_hash": self.session, "event_data": None, "trigger_id": None})
        joined.raise_for_status()
        with self.http.stream("GET", self.root + "gradio_api/queue/data", params={"session_hash": self.session}) as s:
            for line in s.iter_lines():
                message = json.loads(line[5:]) if line.startswith("data:") else {}
                if message.get("msg") == "process_completed":
                    break
        if not message.get("success", False):
            raise RuntimeError(f"{api_name}: {message.get('output')}")
        return self.http.get(message["output"]["data"][0]["url"]).content  # the first output: an image


def _slider_code(rng: np.random.Generator, latent_dim: int) -> list[float]:
    """A code within the sliders' ranges (z[0:2] over the manifold's span, the rest over +-3)."""
    z = np.clip(rng.normal(size=latent_dim), -3, 3)
    z[:2] = np.clip(z[:2], -1.6, 1.6)
    return np.round(z, 2).tolist()


def requests_for(explorer, rng: np.random.Generator) -> dict[str, Callable[[], tuple]]:
    """Each timed endpoint of ``explorer``'s page -> a function drawing its next request's inputs."""
    from keras_autoencoders.explore.app import SLIDER_ATTRIBUTES
    from keras_autoencoders.explore.digits import DigitExplorer
    from keras_autoencoders.explore.faces import FaceAttributeExplorer
    from keras_autoencoders.explore.studies import CodeMapExplorer

    if isinstance(explorer, DigitExplorer):
        return {"decode": lambda: (str(rng.integers(10)), *_slider_code(rng, explorer.latent_dim)),
                "restyle": lambda: (7, int(rng.integers(len(explorer.x_test))), None),
                "interpolate": lambda: (0, 1),
                "manifold": lambda: (str(rng.integers(10)),)}
    if isinstance(explorer, CodeMapExplorer):
        names = list(explorer.models)
        return {"code_map_decode": lambda: (names[int(rng.integers(len(names)))], *rng.normal(size=2).tolist())}
    if isinstance(explorer, FaceAttributeExplorer):
        sliders = [n for n in SLIDER_ATTRIBUTES if n in explorer.names]
        return {"edit_face": lambda: (int(rng.integers(len(explorer.faces))),
                                      *np.round(rng.uniform(-1, 2, len(sliders)), 2).tolist()),
                "new_faces": lambda: (list(rng.choice(explorer.names, 2, replace=False)), [])}
    return {"smile": lambda: (int(rng.integers(len(explorer.smiling))), float(np.round(rng.uniform(-2, 3), 1)))}


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    seconds = sorted(seconds)
    return statistics.median(seconds), seconds[int(0.95 * (len(seconds) - 1))]


def time_views(explorer, repeats: int) -> dict[str, dict[str, tuple[float, float]]]:
    """Endpoint -> {"page": (median, p95), "gradio_client": (median, p95)} in seconds."""
    from gradio_client import Client

    from keras_autoencoders.explore.app import build_app

    app = build_app(explorer)
    port = _free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False)
    rng = np.random.default_rng(0)
    root = f"http://127.0.0.1:{port}/"
    try:
        page, client = PageProtocol(root), Client(root, verbose=False)
        ways = {"page": lambda api, inputs: page(api, *inputs),
                "gradio_client": lambda api, inputs: client.predict(*inputs, api_name=f"/{api}")}
        figures: dict[str, dict[str, tuple[float, float]]] = {}
        for api, draw in requests_for(explorer, rng).items():
            for way, call in ways.items():
                for _ in range(3):
                    call(api, draw())
                seconds = []
                for _ in range(repeats):
                    inputs = draw()
                    start = time.perf_counter()
                    call(api, inputs)
                    seconds.append(time.perf_counter() - start)
                figures.setdefault(api, {})[way] = _percentiles(seconds)
    finally:
        app.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--run", action="append", default=[], help="a run folder to explore too (repeatable)")
    parser.add_argument("--data-dir", default=None, help="folder holding mnist.npz and lfw/")
    args = parser.parse_args()
    print_machine()
    from keras_autoencoders.explore.cli import load_explorer

    explorers = [(name, lambda name=name: load_explorer(pretrained=name, data_dir=args.data_dir))
                 for name in ("part4_cvae", "part6_cvae_gan", "face_ae")]
    explorers += [(run, lambda run=run: load_explorer(run, data_dir=args.data_dir)) for run in args.run]
    print(f"{'explorer':22s} {'endpoint':16s} {'page: median':>13s} {'p95':>7s}   {'gradio_client: median':>22s} {'p95':>7s}")
    for name, load in explorers:
        for api, ways in time_views(load(), args.repeats).items():
            (page_median, page_p95), (client_median, client_p95) = ways["page"], ways["gradio_client"]
            print(f"{name[-22:]:22s} {api:16s} {page_median * 1e3:10.1f} ms {page_p95 * 1e3:6.1f} ms"
                  f"   {client_median * 1e3:19.1f} ms {client_p95 * 1e3:6.1f} ms", flush=True)


if __name__ == "__main__":
    main()
