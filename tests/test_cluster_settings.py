"""Keras' ``KERAS_DISTRIBUTION_*`` variables read by ``Cluster.from_environment``, and the local launcher, without
starting JAX: every bad value is named, and the launcher ends all its processes when one fails."""
import subprocess
import sys
import time

import keras
import pytest

from keras_autoencoders.errors import SettingsError
from keras_autoencoders.training.distribute import Cluster

ADDRESSES, COUNT, INDEX = ("KERAS_DISTRIBUTION_JOB_ADDRESSES", "KERAS_DISTRIBUTION_NUM_PROCESSES",
                           "KERAS_DISTRIBUTION_PROCESS_ID")


def test_without_the_variables_one_process_writes():
    cluster = Cluster.from_environment({})
    assert (cluster.processes, cluster.process_id, cluster.several, cluster.writes) == (1, 0, False, True)
    assert cluster.share == (0, 1)


@pytest.mark.skipif(keras.config.backend() != "tensorflow", reason="the TensorFlow refusal")
def test_several_processes_on_tensorflow_are_refused_naming_the_backend():
    with pytest.raises(SettingsError, match=f"{COUNT}=2: several processes train on the JAX backend only"):
        Cluster.from_environment({ADDRESSES: "10.0.0.1:1234", COUNT: "2", INDEX: "1"})


@pytest.mark.parametrize("environ, match", [
    ({COUNT: "two"}, f"{COUNT}='two': give a whole number, at least 1"),
    ({COUNT: "0"}, f"{COUNT}='0'"),
    ({COUNT: "2", INDEX: "-1"}, f"{INDEX}='-1': give a whole number, at least 0"),
    ({COUNT: "2", INDEX: "2", ADDRESSES: "h:1"}, f"{INDEX}=2 is out of range: {COUNT}=2 numbers the processes 0 to 1"),
    ({COUNT: "2", INDEX: "0"}, f"{COUNT}=2 needs {ADDRESSES}"),
    ({COUNT: "3", INDEX: "0", ADDRESSES: "a:1,b:2"}, "lists 2 addresses"),
    ({COUNT: "2", INDEX: "0", ADDRESSES: "10.0.0.1"}, "'10.0.0.1' is not host:port"),
    ({COUNT: "2", INDEX: "0", ADDRESSES: "10.0.0.1:99999"}, "'10.0.0.1:99999' is not host:port"),
    ({COUNT: "2", INDEX: "0", ADDRESSES: ":1234"}, "':1234' is not host:port"),
])
def test_bad_values_are_named(environ, match):
    with pytest.raises(SettingsError, match=match.replace("(", r"\(").replace(")", r"\)")):
        Cluster.from_environment(environ)


def launch(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "keras_autoencoders.launch", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_the_launcher_numbers_its_processes_and_prefixes_their_lines():
    code = ("import os; print(os.environ['KERAS_BACKEND'], os.environ['KERAS_DISTRIBUTION_NUM_PROCESSES'], "
            "os.environ['KERAS_DISTRIBUTION_JOB_ADDRESSES'].startswith('127.0.0.1:'))")
    done = launch("--processes", "3", "-c", code)
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.splitlines()) == [f"[process {p}] jax 3 True" for p in range(3)]


def test_when_one_process_fails_the_launcher_ends_the_others_and_returns_its_status():
    code = ("import os, sys, time; p = os.environ['KERAS_DISTRIBUTION_PROCESS_ID']; "
            "sys.exit(5) if p == '1' else time.sleep(300)")
    start = time.monotonic()
    done = launch("--processes", "2", "-c", code)
    assert done.returncode == 5
    assert time.monotonic() - start < 30  # not the survivor's 300 s: it was stopped


def test_the_launcher_refuses_another_backend_and_a_missing_script():
    done = subprocess.run([sys.executable, "-m", "keras_autoencoders.launch", "--processes", "2", "x.py"],
                          capture_output=True, text=True, timeout=60, env={"KERAS_BACKEND": "torch", "PATH": ""})
    assert done.returncode != 0
    assert "KERAS_BACKEND=torch: several processes train on the JAX backend only" in done.stderr
    done = launch("--processes", "2")
    assert done.returncode == 2 and "give the script to run" in done.stderr
