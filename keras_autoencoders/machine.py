"""What this machine computes with: the CPU, its vector extensions, native bfloat16, the versions. :func:`describe`:
what ``python -m keras_autoencoders env`` and every benchmark print first. :func:`check_precision`: ``mixed_bfloat16``
pays off only where bfloat16 is native (AMX or AVX512_BF16 on x86, a GPU of compute capability 8.0 or more); elsewhere
it is emulated, several times slower. The CPU counts as the kernels may use it: ``ONEDNN_MAX_CPU_ISA`` (oneDNN) and
``--xla_cpu_max_isa`` in ``XLA_FLAGS`` (XLA, ``--jit-compile``) below AVX512_BF16 leave it no native bfloat16."""
from __future__ import annotations

import os
import pathlib
import platform
import re
import sys
from dataclasses import dataclass, field
from typing import Mapping

from keras_autoencoders.errors import SettingsError
from keras_autoencoders.run_folder import package_versions

#: What ``mixed_bfloat16`` cost on a CPU without bfloat16 units: a Part 6 outer iteration (one
#: discriminator and three encoder+decoder steps, ``bench/part6.py``) took 27.2 s against 3.06 s in
#: float32 on a 2-core AVX2-only AMD EPYC (Zen 3): 8.9x (`docs/machines.md`).
SLOWDOWN_WITHOUT_NATIVE_BFLOAT16 = 9

#: The extensions :func:`describe` lists, as /proc/cpuinfo names them, and how they are printed.
EXTENSIONS = {"avx2": "AVX2", "fma": "FMA", "avx512f": "AVX-512", "avx512_vnni": "AVX512_VNNI",
              "avx512_bf16": "AVX512_BF16", "avx_vnni": "AVX_VNNI", "amx_tile": "AMX", "amx_bf16": "AMX_BF16"}
BFLOAT16_FLAGS = ("avx512_bf16", "amx_bf16")  #: The CPU flags that mean native bfloat16 arithmetic on x86.
#: oneDNN's ``ONEDNN_MAX_CPU_ISA`` values in increasing order; bfloat16 needs AVX512_CORE_BF16 or above.
ONEDNN_ISAS = ("SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2", "AVX512_CORE", "AVX512_CORE_VNNI",
               "AVX512_CORE_BF16", "AVX10_1_512", "AVX512_CORE_FP16", "AVX10_1_512_AMX", "AVX512_CORE_AMX",
               "AVX10_1_512_AMX_FP16", "AVX512_CORE_AMX_FP16", "AVX10_2_512", "AVX10_2_512_AMX_2")
#: XLA's ``--xla_cpu_max_isa`` values in increasing order; bfloat16 needs AVX512_BF16 or above.
XLA_ISAS = ("SSE4_2", "AVX", "AVX2", "AVX512", "AVX512_VNNI", "AVX512_BF16", "AMX", "AMX_FP16")


@dataclass(frozen=True)
class Machine:
    """The CPU as the kernels may use it (see the module docstring)."""

    cpu_model: str
    flags: frozenset[str] = field(repr=False)
    isa_caps: tuple[str, ...]  # "ONEDNN_MAX_CPU_ISA=AVX2", ... as set in the environment
    onednn_capped: bool = False  # ONEDNN_MAX_CPU_ISA is below AVX512_CORE_BF16
    xla_capped: bool = False     # --xla_cpu_max_isa is below AVX512_BF16

    @property
    def bfloat16_capped(self) -> bool:
        """A cap holds the kernels below bfloat16 instructions."""
        return self.onednn_capped or self.xla_capped

    @property
    def onednn_refuses_bfloat16(self) -> bool:
        """bfloat16 units held out of oneDNN's reach by ``ONEDNN_MAX_CPU_ISA``: TensorFlow still routes
        bfloat16 convolutions to oneDNN (it reads the CPU, not the cap), which aborts."""
        return self.onednn_capped and self.has_bfloat16_units

    @property
    def has_bfloat16_units(self) -> bool:
        return any(flag in self.flags for flag in BFLOAT16_FLAGS)

    @property
    def extensions(self) -> list[str]:
        return [name for flag, name in EXTENSIONS.items() if flag in self.flags]

    @property
    def native_bfloat16(self) -> bool:
        return self.has_bfloat16_units and not self.bfloat16_capped


def _below(value: str, isas: tuple[str, ...], needed: str) -> bool:
    """True when the cap ``value`` names a known ISA below ``needed`` (ALL, DEFAULT or unknown: no cap)."""
    value = value.strip().upper()
    return value in isas and isas.index(value) < isas.index(needed)


def read_machine(cpuinfo: str | None = None, environ: Mapping[str, str] | None = None) -> Machine:
    """The machine from ``cpuinfo`` (``/proc/cpuinfo``'s text; read when None) and ``environ``."""
    environ = os.environ if environ is None else environ
    if cpuinfo is None:
        path = pathlib.Path("/proc/cpuinfo")
        cpuinfo = path.read_text(errors="replace") if path.is_file() else ""
    fields = dict(re.findall(r"^(model name|cpu family|model|flags|Features)\s*:\s*(.*)$", cpuinfo, re.MULTILINE))
    model = fields.get("model name") or platform.processor() or platform.machine() or "unknown CPU"
    if "cpu family" in fields:  # a hypervisor may hide the exact name; family and model still tell it
        model = f"{model.strip()} (family {fields['cpu family']}, model {fields.get('model', '?')})"
    flags = frozenset((fields.get("flags") or fields.get("Features") or "").split())
    onednn = environ.get("ONEDNN_MAX_CPU_ISA") or environ.get("DNNL_MAX_CPU_ISA") or ""
    xla = (re.search(r"--xla_cpu_max_isa=(\S+)", environ.get("XLA_FLAGS", "")) or ["", ""])[1]
    caps = ((f"ONEDNN_MAX_CPU_ISA={onednn}",) if onednn else ()) + ((f"--xla_cpu_max_isa={xla}",) if xla else ())
    return Machine(model.strip(), flags, caps, _below(onednn, ONEDNN_ISAS, "AVX512_CORE_BF16"),
                   _below(xla, XLA_ISAS, "AVX512_BF16"))


def _gpus() -> list[str]:
    """The GPUs TensorFlow sees, with their compute capability ("name (compute 8.0)"); none without TF."""
    try:
        import tensorflow as tf
    except ImportError:
        return []
    described = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        capability = details.get("compute_capability")
        described.append(f"{details.get('device_name', gpu.name)}"
                         + (f" (compute {capability[0]}.{capability[1]})" if capability else ""))
    return described


def describe(machine: Machine | None = None, gpus: list[str] | None = None) -> list[str]:
    """The lines ``python -m keras_autoencoders env`` and the benchmarks print."""
    machine, gpus = machine or read_machine(), _gpus() if gpus is None else gpus
    versions = {k: v for k, v in package_versions(("tensorflow", "keras", "numpy", "jax")).items() if v}
    if machine.native_bfloat16:
        native = "yes (" + ", ".join(f for f in BFLOAT16_FLAGS if f in machine.flags).upper() + ")"
    elif machine.bfloat16_capped and machine.has_bfloat16_units:
        native = "no (the CPU has it, capped by " + ", ".join(machine.isa_caps) + ")"
    else:
        native = "no (neither AMX nor AVX512_BF16)"
    return [f"CPU: {machine.cpu_model}, {os.cpu_count()} cores, {platform.machine()}",
            f"vector extensions: {' '.join(machine.extensions) or 'none of ' + ' '.join(EXTENSIONS.values())}"
            + (f"; capped by {', '.join(machine.isa_caps)}" if machine.isa_caps else ""),
            f"native bfloat16 on the CPU: {native}", f"GPUs: {', '.join(gpus) or 'none'}",
            "versions: " + ", ".join(f"{k} {v}" for k, v in versions.items())]


def print_machine() -> None:
    """Print :func:`describe`'s lines and a blank line (the first thing every benchmark prints)."""
    print("\n".join(describe()) + "\n", flush=True)


_warned: set[str] = set()


def check_precision(precision: str, machine: Machine | None = None, gpus: list[str] | None = None) -> bool:
    """Before building under ``precision``: :class:`~keras_autoencoders.errors.SettingsError` where
    ``mixed_bfloat16`` cannot run (:attr:`Machine.onednn_refuses_bfloat16`), else one warning line on stderr,
    once per process, where neither the CPU nor a GPU has native bfloat16. Whether it warned (now or before)."""
    if precision != "mixed_bfloat16":
        return False
    if "bfloat16" in _warned:
        return True
    machine, gpus = machine or read_machine(), _gpus() if gpus is None else gpus
    if machine.native_bfloat16 or any(int(major) >= 8 for major in re.findall(r"compute (\d+)\.", ", ".join(gpus))):
        return False
    if machine.onednn_refuses_bfloat16 and not gpus:
        raise SettingsError(f"--precision mixed_bfloat16 cannot run under {machine.isa_caps[0]} on this CPU: "
                            "TensorFlow hands bfloat16 convolutions to oneDNN, which the cap keeps from its "
                            "bfloat16 instructions; use --precision float32, or unset ONEDNN_MAX_CPU_ISA")
    _warned.add("bfloat16")
    where = f"capped by {', '.join(machine.isa_caps)}" if machine.bfloat16_capped else "no AMX or AVX512_BF16"
    print(f"warning: bfloat16 runs slower on this CPU ({where}): mixed_bfloat16 was about "
          f"{SLOWDOWN_WITHOUT_NATIVE_BFLOAT16}x slower than float32 on AVX2-only CPUs; use --precision float32",
          file=sys.stderr, flush=True)
    return True
