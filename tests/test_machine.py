"""Native bfloat16 detection from faked /proc/cpuinfo texts and ISA caps, and the one-line warning."""
import subprocess
import sys

import pytest

from keras_autoencoders import machine
from keras_autoencoders.machine import describe, read_machine, check_precision

ZEN3 = """processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 1
model name\t: AMD EPYC 7763 64-Core Processor
flags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 bmi2
"""
SAPPHIRE_RAPIDS = """model name\t: Intel(R) Xeon(R) Platinum 8480+
flags\t\t: sse4_2 avx avx2 fma avx512f avx512bw avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8
"""
GRAVITON = """processor\t: 0
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics bf16
"""


@pytest.fixture(autouse=True)
def _fresh_warning(monkeypatch):
    monkeypatch.setattr(machine, "_warned", set())


def test_avx2_only_cpu_has_no_native_bfloat16():
    found = read_machine(ZEN3, environ={})
    assert found.cpu_model == "AMD EPYC 7763 64-Core Processor (family 25, model 1)"
    assert found.extensions == ["AVX2", "FMA"] and not found.native_bfloat16


def test_amx_cpu_has_native_bfloat16_until_a_cap_holds_it_below():
    assert read_machine(SAPPHIRE_RAPIDS, environ={}).native_bfloat16
    for environ in ({"ONEDNN_MAX_CPU_ISA": "AVX2"}, {"ONEDNN_MAX_CPU_ISA": "avx512_core_vnni"},
                    {"XLA_FLAGS": "--xla_cpu_max_isa=AVX512 --xla_cpu_enable_fast_math=false"}):
        capped = read_machine(SAPPHIRE_RAPIDS, environ=environ)
        assert capped.bfloat16_capped and not capped.native_bfloat16, environ
    for environ in ({"ONEDNN_MAX_CPU_ISA": "AVX512_CORE_BF16"}, {"ONEDNN_MAX_CPU_ISA": "ALL"},
                    {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE_AMX"}, {"XLA_FLAGS": "--xla_cpu_max_isa=AMX"}):
        assert read_machine(SAPPHIRE_RAPIDS, environ=environ).native_bfloat16, environ


def test_describe_names_cpu_extensions_cap_and_versions():
    lines = describe(read_machine(SAPPHIRE_RAPIDS, environ={"ONEDNN_MAX_CPU_ISA": "AVX2"}), gpus=[])
    text = "\n".join(lines)
    assert lines[0].startswith("CPU: Intel(R) Xeon(R) Platinum 8480+")
    assert "AVX-512" in lines[1] and "AMX" in lines[1] and "capped by ONEDNN_MAX_CPU_ISA=AVX2" in lines[1]
    assert "native bfloat16 on the CPU: no (the CPU has it, capped" in text
    assert "tensorflow" in lines[-1] and "keras" in lines[-1]
    assert "native bfloat16 on the CPU: yes (AVX512_BF16, AMX_BF16)" in "\n".join(
        describe(read_machine(SAPPHIRE_RAPIDS, environ={}), gpus=[]))


def test_non_x86_flags_do_not_count_as_native():
    # aarch64 lists bf16 under "Features"; TensorFlow's CPU kernels are not tested there (docs/machines.md).
    assert not read_machine(GRAVITON, environ={}).native_bfloat16


def test_warning_is_one_line_once_and_only_without_native_bfloat16(capsys):
    zen3 = read_machine(ZEN3, environ={})
    assert not check_precision("float32", zen3, gpus=[])
    assert not check_precision("mixed_bfloat16", read_machine(SAPPHIRE_RAPIDS, environ={}), gpus=[])
    assert not check_precision("mixed_bfloat16", zen3, gpus=["NVIDIA H100 (compute 9.0)"])
    assert capsys.readouterr().err == ""
    assert check_precision("mixed_bfloat16", zen3, gpus=["Tesla T4 (compute 7.5)"])
    assert check_precision("mixed_bfloat16", zen3, gpus=[])
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "bfloat16" in err and "slower" in err
    assert f"about {machine.SLOWDOWN_WITHOUT_NATIVE_BFLOAT16}x slower than float32" in err


def test_set_precision_warns_when_the_cpu_is_capped(monkeypatch, capsys):
    import keras

    from keras_autoencoders.models.precision import set_precision

    xla_capped = read_machine(SAPPHIRE_RAPIDS, {"XLA_FLAGS": "--xla_cpu_max_isa=AVX2"})
    monkeypatch.setattr(machine, "read_machine", lambda: xla_capped)
    monkeypatch.setattr(machine, "_gpus", lambda: [])

    def net():
        return keras.Sequential([keras.Input((2,)), keras.layers.Dense(2), keras.layers.Dense(1)])

    set_precision(net(), "float32")
    assert capsys.readouterr().err == ""
    set_precision(net(), "mixed_bfloat16")
    set_precision(net(), "mixed_bfloat16")
    assert capsys.readouterr().err.count("capped by --xla_cpu_max_isa=AVX2") == 1


def test_a_onednn_cap_below_the_cpus_bfloat16_units_refuses_mixed_bfloat16_by_name():
    from keras_autoencoders.errors import SettingsError

    capped = read_machine(SAPPHIRE_RAPIDS, environ={"ONEDNN_MAX_CPU_ISA": "AVX2"})
    assert capped.onednn_refuses_bfloat16
    assert not read_machine(ZEN3, {"ONEDNN_MAX_CPU_ISA": "AVX2"}).onednn_refuses_bfloat16
    with pytest.raises(SettingsError, match="mixed_bfloat16 cannot run under ONEDNN_MAX_CPU_ISA=AVX2.*float32"):
        check_precision("mixed_bfloat16", capped, gpus=[])
    assert not check_precision("float32", capped, gpus=[])


def test_env_command_prints_the_machine():
    done = subprocess.run([sys.executable, "-m", "keras_autoencoders", "env"], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[0].startswith("CPU: ")
    assert "native bfloat16 on the CPU: " in done.stdout and "keras " in done.stdout
