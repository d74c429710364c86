"""Part 6's adaptive training loop ("Процесс обучения"), with checkpoints and a progress bar.

Each outer iteration of the article:

1. up to 3 discriminator steps, each on a fresh batch and fresh prior codes,
   stopping as soon as a step reports L_GAN < 1.0;
2. up to 3 encoder+decoder steps, the first on the discriminator's last batch,
   stopping as soon as a step reports L_GAN > 0.4; otherwise a fresh batch and
   codes are drawn after the step (also after the third, as the article does).

Every 3rd iteration it logs the last losses and, at the article's periods
(``period = iteration // 3`` in 0..99 and 100..990 step 10), snapshots the
manifolds. :func:`adaptive_iteration` is the pure control flow (testable with
scripted losses); :class:`AdaptiveTrainer` adds data, timing, history,
snapshots and checkpoints. By default the trainer runs the iterations compiled
(:mod:`keras_autoencoders.training.compiled_adaptive_loop`: several per call, one
read-back each); ``compiled=False`` runs them from Python, one step at a time, which
the tests use as the reference and which times each kind of step apart.
"""
from __future__ import annotations

import math
import os
import pathlib
import time
from typing import Callable, Iterable, Mapping

import keras
import numpy as np

from keras_autoencoders.errors import NonFiniteLossError
from keras_autoencoders.training.checkpoint import load_checkpoint, save_checkpoint

#: The article's constants: steps per phase, and the L_GAN thresholds that end each phase.
MAX_STEPS = 3
DISCRIMINATOR_STOP_BELOW = 1.0
ENCODER_DECODER_STOP_ABOVE = 0.4
#: Iterations per logging period ("batches_per_period").
ITERATIONS_PER_PERIOD = 3
LOSS_NAMES = ("l_prior", "l_llike", "l_gan")
#: Steps of each kind left out of the timings after each (re)start: tracing and warm-up.
WARMUP_STEPS = 3


def article_snapshot_periods() -> list[int]:
    """The article's ``save_periods``: 0..99, then 100..990 step 10."""
    return list(range(100)) + list(range(100, 1000, 10))


def snapshot_iterations(total_iterations: int, every: int | None = None) -> list[int]:
    """Iterations at which to snapshot: the article's periods x 3, or every ``every`` iterations.

    The last iteration is always included when ``every`` is given, so a short run ends
    on a snapshot.
    """
    if every:
        chosen = set(range(0, total_iterations, every)) | {total_iterations - 1}
    else:
        chosen = {p * ITERATIONS_PER_PERIOD for p in article_snapshot_periods()}
    return sorted(i for i in chosen if 0 <= i < total_iterations)


class BatchStream:
    """The article's ``gen_batch``: shuffle, yield ``len // batch_size`` full batches, reshuffle.

    Its position and random state are part of :meth:`state`, so a resumed run
    draws the same batches.
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray, batch_size: int, seed: int | None = None):
        if len(images) != len(labels):
            raise ValueError(f"images and labels differ in length: {len(images)} vs {len(labels)}")
        if batch_size < 1 or batch_size > len(images):
            raise ValueError(f"batch_size must be in 1..{len(images)}, got {batch_size}")
        self.images, self.labels, self.batch_size = images, labels, batch_size
        self.rng = np.random.default_rng(seed)
        self.order = self.rng.permutation(len(images))
        self.position = 0

    def next_indices(self) -> np.ndarray:
        """The next batch's row numbers (reshuffling first when too few are left)."""
        if self.position + self.batch_size > len(self.order):
            self.order = self.rng.permutation(len(self.images))
            self.position = 0
        index = self.order[self.position:self.position + self.batch_size]
        self.position += self.batch_size
        return index

    def next(self) -> tuple[np.ndarray, np.ndarray]:
        index = self.next_indices()
        return self.images[index], self.labels[index]

    def state(self) -> dict:
        return {"rng": self.rng.bit_generator.state, "order": self.order.tolist(), "position": self.position}

    def set_state(self, state: Mapping) -> None:
        self.rng.bit_generator.state = state["rng"]
        self.order = np.asarray(state["order"], dtype=np.int64)
        self.position = int(state["position"])


StepFn = Callable[[np.ndarray, np.ndarray, np.ndarray], Mapping[str, float]]


def _checked(losses: Mapping, iteration: int, which: str) -> dict[str, float]:
    values = {name: float(value) for name, value in losses.items()}
    for name, value in values.items():
        if not math.isfinite(value):
            raise NonFiniteLossError(f"{name} = {value} at iteration {iteration} ({which} step)")
    return values


def adaptive_iteration(next_batch: Callable[[], tuple], draw_prior: Callable[[], np.ndarray],
                       discriminator_step: StepFn, encoder_decoder_step: StepFn, iteration: int = 0,
                       max_steps: int = MAX_STEPS, discriminator_stop_below: float = DISCRIMINATOR_STOP_BELOW,
                       encoder_decoder_stop_above: float = ENCODER_DECODER_STOP_ABOVE,
                       seconds: dict[str, list[float]] | None = None) -> dict:
    """Run one outer iteration of the article's loop.

    Returns the last encoder+decoder step's losses and ``d_steps``/``ed_steps``
    (steps run in each phase). Raises :class:`NonFiniteLossError` on a NaN or
    infinite loss. With ``seconds``, appends each step's wall time to
    ``seconds["discriminator"]`` and ``seconds["encoder_decoder"]``.
    """
    def timed(kind, step, *args):
        start = time.perf_counter()
        losses = _checked(step(*args), iteration, kind)  # float() waits for the step to finish
        if seconds is not None:
            seconds.setdefault(kind, []).append(time.perf_counter() - start)
        return losses

    d_steps = 0
    for _ in range(max_steps):
        image, label = next_batch()
        z_prior = draw_prior()
        losses = timed("discriminator", discriminator_step, image, label, z_prior)
        d_steps += 1
        if losses["l_gan"] < discriminator_stop_below:
            break
    ed_steps = 0
    for _ in range(max_steps):
        losses = timed("encoder_decoder", encoder_decoder_step, image, label, z_prior)
        ed_steps += 1
        if losses["l_gan"] > encoder_decoder_stop_above:
            break
        image, label = next_batch()
        z_prior = draw_prior()
    return {**losses, "d_steps": d_steps, "ed_steps": ed_steps}


class ResumedProgbar(keras.utils.Progbar):
    """A progress bar that counts from ``initial`` (a resumed run) but times only the steps run now.

    Keras' bar divides the elapsed time by the absolute step number, so after a resume
    its rate and ETA came out many times too optimistic.
    """

    def __init__(self, target: int, initial: int = 0, **kwargs) -> None:
        super().__init__(target, **kwargs)
        self.initial = initial

    def _estimate_step_duration(self, current, now):
        return super()._estimate_step_duration(max(current - self.initial, 0), now)


class AdaptiveTrainer:
    """Train a :class:`~keras_autoencoders.models.cvae_gan.CVAEGAN` with the article's loop.

    Args:
        model: a compiled CVAEGAN (its ``discriminator_step`` and ``encoder_decoder_step``).
        images, labels: training digits ``(N, 28, 28, 1)`` and one-hot labels.
        batch_size: the article's 64.
        seed: seeds the batch order and the prior codes (NumPy, as the article).
        checkpoint_path: ``.npz`` written every ``checkpoint_every`` iterations and at the end.
        snapshots: optional :class:`~keras_autoencoders.training.snapshots.ManifoldSnapshots`;
            its ``take(iteration)`` runs at ``snapshot_at`` iterations.
        tensorboard_dir: optional folder for TensorBoard scalars: each logged iteration's
            losses and step counts (``loss/l_prior`` ..., ``steps/d_steps`` ...), so the
            loss curves sit beside the manifold images of the snapshots.
        compiled: run up to ``iterations_per_call`` outer iterations per call of one
            ``tf.function`` (the default); False runs each step from Python. Both draw the
            same batches and codes (:class:`~keras_autoencoders.training.compiled_adaptive_loop.DrawQueue`)
            and take the same steps, so they reach the same weights; a checkpoint of one
            resumes in the other. The Python loop repeats bit for bit; the compiled one to
            float rounding (its graph runs a step's independent ops side by side, and oneDNN
            splits each op's work by the threads it gets, which moves the last bits of sums).
        iterations_per_call: outer iterations per call of the compiled loop (a call also
            ends at each snapshot and checkpoint iteration).
    """

    def __init__(self, model, images: np.ndarray, labels: np.ndarray, batch_size: int = 64,
                 seed: int | None = 0, checkpoint_path: str | os.PathLike | None = None,
                 checkpoint_every: int = 200, snapshots=None, snapshot_at: Iterable[int] = (),
                 tensorboard_dir: str | os.PathLike | None = None, compiled: bool = True,
                 iterations_per_call: int = 10):
        from keras_autoencoders.training.compiled_adaptive_loop import DrawQueue

        if iterations_per_call < 1:
            raise ValueError(f"iterations_per_call must be >= 1, got {iterations_per_call}")
        self.model = model
        self.batches = BatchStream(images, labels, batch_size, seed)
        self.prior_rng = np.random.default_rng(None if seed is None else seed + 1)
        self.draws = DrawQueue(self.batches, self.prior_rng, model.latent_dim)
        self.checkpoint_path = None if checkpoint_path is None else pathlib.Path(checkpoint_path)
        self.checkpoint_every = checkpoint_every
        self.snapshots = snapshots
        self.snapshot_at = set(snapshot_at)
        self.compiled = compiled
        self.iterations_per_call = iterations_per_call
        self._compiled_run = None
        self.iteration = 0
        self.history: dict[str, list] = {k: [] for k in ("iteration", *LOSS_NAMES, "d_steps", "ed_steps")}
        self.step_counts = {"discriminator": 0, "encoder_decoder": 0}
        # Wall time of timed steps (Python loop) and of timed iterations (either loop); the
        # first WARMUP_STEPS steps of each kind, or the first call, in a process (tracing) are left out.
        self.timing = {kind: {"seconds": 0.0, "steps": 0} for kind in self.step_counts}
        self.timing["iteration"] = {"seconds": 0.0, "steps": 0}
        self._untimed = dict.fromkeys(self.step_counts, WARMUP_STEPS)
        self._first_call = True
        self._failed: str | None = None  # the non-finite loss that ended the last compiled call
        self.tensorboard_dir = tensorboard_dir
        self._writer = None

    def _log_scalars(self, iteration: int, result: Mapping) -> None:
        import tensorflow as tf

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(os.fspath(self.tensorboard_dir))
        with self._writer.as_default():
            for key in LOSS_NAMES:
                tf.summary.scalar(f"loss/{key}", float(result[key]), step=iteration)
            for key in ("d_steps", "ed_steps"):
                tf.summary.scalar(f"steps/{key}", float(result[key]), step=iteration)

    @property
    def optimizers(self) -> dict:
        return {"encoder": self.model.encoder_optimizer, "decoder": self.model.decoder_optimizer,
                "discriminator": self.model.discriminator_optimizer}

    def _next_batch(self) -> tuple[np.ndarray, np.ndarray]:
        """The Python loop's draw: the next queued batch; its codes wait for :meth:`_next_prior`."""
        indices, priors = self.draws.peek(1)
        self.draws.consume(1)
        self._prior = priors[0]
        return self.batches.images[indices[0]], self.batches.labels[indices[0]]

    def _next_prior(self) -> np.ndarray:
        """Prior codes drawn with the last batch, ``randn(batch_size, latent_dim)`` as in the article."""
        return self._prior

    # ------------------------------------------------------------------ checkpoints

    def state(self) -> dict:
        return {"iteration": self.iteration, "batches": self.batches.state(), "draws": self.draws.state(),
                "prior_rng": self.prior_rng.bit_generator.state, "history": self.history,
                "step_counts": self.step_counts, "timing": self.timing}

    def save(self) -> None:
        """Write the checkpoint and the snapshots taken so far."""
        if self.snapshots is not None:
            self.snapshots.save()
        if self.checkpoint_path is not None:
            save_checkpoint(self.checkpoint_path, self.model, self.optimizers, self.state())

    def restore(self) -> bool:
        """Load the checkpoint if there is one; return whether it was found."""
        if self.checkpoint_path is None or not self.checkpoint_path.exists():
            return False
        state = load_checkpoint(self.checkpoint_path, self.model, self.optimizers)
        self.iteration = int(state["iteration"])
        self.batches.set_state(state["batches"])
        self.draws.set_state(state.get("draws", {"indices": [], "priors": []}))
        self.prior_rng.bit_generator.state = state["prior_rng"]
        self.history = {k: list(v) for k, v in state["history"].items()}
        self.step_counts = dict(state["step_counts"])
        self.timing = {k: dict(v) for k, v in state["timing"].items()}
        self.timing.setdefault("iteration", {"seconds": 0.0, "steps": 0})
        if self.snapshots is not None:
            self.snapshots.truncate(before=self.iteration)
        return True

    # ------------------------------------------------------------------ training

    def _stop_message(self, err: str, last_good: int) -> str:
        kept = (f"the last good checkpoint ({self.checkpoint_path}, iteration {last_good}) is kept"
                if self.checkpoint_path is not None else "no checkpoint was configured")
        return f"training stopped: {err}; {kept}"

    def _python_iterations(self, count: int) -> list[dict]:
        """``count`` outer iterations from Python, one step at a time (each step timed)."""
        rows = []
        for i in range(self.iteration, self.iteration + count):
            seconds: dict[str, list[float]] = {}
            result = adaptive_iteration(self._next_batch, self._next_prior, self.model.discriminator_step,
                                        self.model.encoder_decoder_step, iteration=i, seconds=seconds)
            for kind, values in seconds.items():
                skip = min(self._untimed[kind], len(values))
                self._untimed[kind] -= skip
                self.timing[kind]["seconds"] += sum(values[skip:])
                self.timing[kind]["steps"] += len(values) - skip
            rows.append(result)
        return rows

    def _compiled_iterations(self, count: int) -> list[dict]:
        """``count`` outer iterations in one call of the compiled loop, read back once."""
        from keras_autoencoders.training.compiled_adaptive_loop import DRAWS_PER_ITERATION, STEP_KINDS, \
            compiled_iterations

        if self._compiled_run is None:
            self._compiled_run = compiled_iterations(self.model._discriminator_step, self.model._encoder_decoder_step,
                                                     self.batches.images, self.batches.labels)
        indices, priors = self.draws.peek(count * DRAWS_PER_ITERATION)
        out = {k: v.numpy() for k, v in self._compiled_run(indices, priors, count).items()}
        self.draws.consume(int(out["draws"]))
        rows = [{**dict(zip(LOSS_NAMES, map(float, row[:3]))), "d_steps": int(row[3]), "ed_steps": int(row[4])}
                for row in out["results"]]
        if out["failed_kind"]:
            bad = dict(zip(LOSS_NAMES, map(float, out["failed_losses"])))
            name = next(k for k, v in bad.items() if not math.isfinite(v))
            self._failed = (f"{name} = {bad[name]} at iteration {self.iteration + len(rows)} "
                            f"({STEP_KINDS[int(out['failed_kind'])]} step)")
        return rows

    def _next_stop(self, iterations: int) -> int:
        """Where the current call must end: the run's end, a checkpoint, or just after a snapshot."""
        stop = min(iterations, self.iteration + (self.iterations_per_call if self.compiled else 1))
        if self.checkpoint_every:
            stop = min(stop, (self.iteration // self.checkpoint_every + 1) * self.checkpoint_every)
        after_snapshot = [s + 1 for s in self.snapshot_at if s >= self.iteration]
        return min([stop, *after_snapshot])

    def run(self, iterations: int, verbose: int = 1) -> dict[str, list]:
        """Train until ``iterations`` outer iterations are done (continuing from ``self.iteration``)."""
        progress = ResumedProgbar(iterations, initial=self.iteration, verbose=verbose,
                                  stateful_metrics=[*LOSS_NAMES, "d_steps", "ed_steps"])
        last_good = self.iteration
        while self.iteration < iterations:
            count = self._next_stop(iterations) - self.iteration
            self._failed = None
            start = time.perf_counter()
            try:
                rows = self._compiled_iterations(count) if self.compiled else self._python_iterations(count)
            except NonFiniteLossError as err:
                raise NonFiniteLossError(self._stop_message(str(err), last_good)) from None
            for offset, result in enumerate(rows):
                self._record(self.iteration + offset, result)
            self.iteration += len(rows)
            if self._failed:
                raise NonFiniteLossError(self._stop_message(str(self._failed), last_good))
            progress.update(self.iteration, [(k, rows[-1][k]) for k in (*LOSS_NAMES, "d_steps", "ed_steps")])
            if not self._first_call:  # end to end: draws, steps, decisions, logging, progress bar
                self.timing["iteration"]["seconds"] += time.perf_counter() - start
                self.timing["iteration"]["steps"] += len(rows)
            self._first_call = False
            if self.iteration - 1 in self.snapshot_at and self.snapshots is not None:
                self.snapshots.take(self.iteration - 1)
            if self.checkpoint_every and self.iteration % self.checkpoint_every == 0 and self.iteration < iterations:
                self.save()
                last_good = self.iteration
        self.save()
        if self._writer is not None:
            self._writer.flush()
        return self.history

    def _record(self, i: int, result: Mapping) -> None:
        """Count iteration ``i``'s steps; log it every ITERATIONS_PER_PERIOD iterations."""
        self.step_counts["discriminator"] += result["d_steps"]
        self.step_counts["encoder_decoder"] += result["ed_steps"]
        if i % ITERATIONS_PER_PERIOD == 0:
            self.history["iteration"].append(i)
            for key in (*LOSS_NAMES, "d_steps", "ed_steps"):
                self.history[key].append(result[key])
            if self.tensorboard_dir is not None:
                self._log_scalars(i, result)

    def seconds_per_step(self) -> dict[str, float]:
        """Mean wall time per step of each kind, timed by the Python loop (warm-up steps left out);
        NaN where none was timed (the compiled loop times whole iterations)."""
        return {kind: self.timing[kind]["seconds"] / self.timing[kind]["steps"] if self.timing[kind]["steps"]
                else float("nan") for kind in self.step_counts}

    def seconds_per_iteration(self) -> float:
        """Mean wall time per outer iteration, end to end (batches, steps, decisions, logging;
        snapshots and checkpoints apart), the first call of each process (tracing) left out."""
        timed = self.timing["iteration"]
        return timed["seconds"] / timed["steps"] if timed["steps"] else float("nan")
