"""``python -m keras_autoencoders.launch --processes N SCRIPT [ARGS]``: run a tutorial data-parallel on N local
processes (JAX backend), as a cluster of machines would, and wait for them.

Each process gets Keras' ``KERAS_DISTRIBUTION_JOB_ADDRESSES`` (a free port on 127.0.0.1), ``_NUM_PROCESSES`` and
``_PROCESS_ID``, and ``KERAS_BACKEND=jax``; its output lines are prefixed ``[process P]``. When one process fails the
others are stopped (JAX has no elastic recovery: a lost process ends the job), and its exit status is returned. On
several machines, set the same variables on each (the coordinator's ``host:port`` first) and run the tutorial there,
with ``--out`` on a filesystem they share: process 0 writes the run folder, and every process reads its backups."""
from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Sequence

#: Seconds the other processes get to end after one fails, before they are killed.
GRACE_SECONDS = 10


def free_port() -> int:
    """A TCP port of 127.0.0.1 that is free now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _relay(stream, prefix: str) -> None:
    for line in iter(stream.readline, ""):
        sys.stdout.write(prefix + line)
        sys.stdout.flush()


def launch(processes: int, command: Sequence[str], port: int | None = None) -> int:
    """Run ``command`` (``python`` arguments) as ``processes`` local processes of one cluster; their exit status:
    the first failure's, else 0."""
    if processes < 1:
        raise SystemExit(f"--processes must be at least 1, got {processes}")
    backend = os.environ.get("KERAS_BACKEND", "jax")
    if backend != "jax":
        raise SystemExit(f"KERAS_BACKEND={backend}: several processes train on the JAX backend only")
    address = f"127.0.0.1:{port or free_port()}"
    children = []
    for process_id in range(processes):
        env = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONUNBUFFERED": "1",
               "KERAS_DISTRIBUTION_JOB_ADDRESSES": address, "KERAS_DISTRIBUTION_NUM_PROCESSES": str(processes),
               "KERAS_DISTRIBUTION_PROCESS_ID": str(process_id)}
        child = subprocess.Popen([sys.executable, *command], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=_relay, args=(child.stdout, f"[process {process_id}] "), daemon=True).start()
        children.append(child)
    status = 0
    try:
        while None in (states := [child.poll() for child in children]):
            failed = [state for state in states if state not in (None, 0)]
            if failed:
                status = failed[0]
                break
            time.sleep(0.2)
    except KeyboardInterrupt:
        status = 130
    for child in children:  # after a failure or Ctrl-C: the others end too
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for child in children:
        try:
            child.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    status = status or next((child.returncode for child in children if child.returncode), 0)
    return 128 - status if status < 0 else status  # killed by signal N: 128 + N, as a shell reports it


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m keras_autoencoders.launch", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--processes", type=int, required=True, help="how many local processes")
    parser.add_argument("--port", type=int, default=None, help="the coordinator's port (default: a free one)")
    parser.add_argument("command", nargs="*", help="the script and its arguments (python's: -c CODE too)")
    argv = list(sys.argv[1:] if argv is None else argv)
    mine = 0  # the launcher's options come first; the rest is the command, whatever it looks like
    while mine < len(argv) and argv[mine].split("=")[0] in ("-h", "--help", "--processes", "--port"):
        mine += 1 if argv[mine] in ("-h", "--help") or "=" in argv[mine] else 2
    args, command = parser.parse_args(argv[:mine]), argv[mine:]
    if not command:
        parser.error("give the script to run, e.g. tutorials/celeba_cvae.py --data-dir DIR")
    return launch(args.processes, command, args.port)


if __name__ == "__main__":
    sys.exit(main())
