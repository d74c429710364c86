"""Decode latency of the explorer, request to image, over real HTTP (``python bench/explore.py``).

Serves the shipped Part 4 CVAE and Part 6 CVAE+GAN (``figs/pretrained/``) on 127.0.0.1 and times
each view's endpoint through ``gradio_client`` (the path a browser's request takes, PNG encoding
and the file round trip included): median and 95th percentile over ``--repeats`` requests, after
three warm-up requests. Target: a decode under 100 ms on 2 CPU cores.
"""
from __future__ import annotations

import argparse
import socket
import statistics
import time

import numpy as np


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _slider_code(rng: np.random.Generator, latent_dim: int) -> list[float]:
    """A code within the sliders' ranges (z[0:2] over the manifold's span, the rest over +-3)."""
    z = np.clip(rng.normal(size=latent_dim), -3, 3)
    z[:2] = np.clip(z[:2], -1.6, 1.6)
    return np.round(z, 2).tolist()


def time_views(name: str, repeats: int) -> dict[str, tuple[float, float]]:
    from gradio_client import Client

    from keras_autoencoders.explore.app import build_app
    from keras_autoencoders.explore.digits import load_digit_explorer

    explorer = load_digit_explorer(pretrained=name)
    app = build_app(explorer)
    port = _free_port()
    app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True, ssr_mode=False)
    rng = np.random.default_rng(0)
    try:
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        calls = {
            "/decode": lambda: client.predict(str(rng.integers(10)), *_slider_code(rng, explorer.latent_dim),
                                              api_name="/decode"),
            "/restyle": lambda: client.predict(7, int(rng.integers(len(explorer.x_test))), None, api_name="/restyle"),
            "/interpolate": lambda: client.predict(0, 1, api_name="/interpolate"),
            "/manifold": lambda: client.predict(str(rng.integers(10)), api_name="/manifold"),
        }
        figures = {}
        for view, call in calls.items():
            for _ in range(3):
                call()
            seconds = []
            for _ in range(repeats):
                start = time.perf_counter()
                call()
                seconds.append(time.perf_counter() - start)
            seconds.sort()
            figures[view] = (statistics.median(seconds), seconds[int(0.95 * (len(seconds) - 1))])
    finally:
        app.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    for name in ("part4_cvae", "part6_cvae_gan"):
        for view, (median, p95) in time_views(name, args.repeats).items():
            print(f"{name:16s} {view:13s} median {median * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
