"""The flags `make install` compiles llama.cpp with follow the CPU (scripts/llama-cmake-args)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "llama-cmake-args"
AVX2 = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma bmi2 avx2"
AVX512 = "avx512f avx512dq avx512cd avx512bw avx512vl"
BASE = {"-DGGML_NATIVE=OFF", "-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_FMA=ON", "-DGGML_F16C=ON"}


def _flags(tmp_path: Path, cpu_flags: str | None) -> set[str]:
    cpuinfo = tmp_path / "cpuinfo"
    if cpu_flags is not None:
        cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {cpu_flags}\nbugs\t\t: spectre_v1\n")
    env = {**os.environ, "CPUINFO": str(cpuinfo)}
    run = subprocess.run(["sh", SCRIPT], env=env, capture_output=True, text=True, check=True)
    return set(run.stdout.split())


def test_an_avx2_cpu_gets_the_avx2_build(tmp_path: Path) -> None:
    assert _flags(tmp_path, AVX2) == BASE


def test_an_avx512_cpu_gets_avx512_and_the_extensions_it_has_but_never_amx(
    tmp_path: Path,
) -> None:
    flags = _flags(tmp_path, f"{AVX2} {AVX512} avx512vbmi avx512_vnni amx_tile amx_int8")
    assert flags == BASE | {
        "-DGGML_AVX512=ON",
        "-DGGML_AVX512_VBMI=ON",
        "-DGGML_AVX512_VNNI=ON",
    }
    everything = _flags(tmp_path, f"{AVX2} {AVX512} avx512vbmi avx512_vnni avx512_bf16 amx_bf16")
    assert "-DGGML_AVX512_BF16=ON" in everything
    assert not any("AMX" in f or "NATIVE=ON" in f for f in everything)


@pytest.mark.parametrize("missing", AVX512.split())
def test_avx512_needs_every_part_ggml_compiles_with(tmp_path: Path, missing: str) -> None:
    # avx512_vnni alone, say, is no reason: ggml's AVX-512 build uses all five.
    present = " ".join(f for f in AVX512.split() if f != missing)
    assert _flags(tmp_path, f"{AVX2} {present} avx512_vnni") == BASE


def test_no_cpuinfo_gets_the_avx2_build(tmp_path: Path) -> None:
    assert _flags(tmp_path, None) == BASE
