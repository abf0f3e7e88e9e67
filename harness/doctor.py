"""`harness doctor`: one screen on what this machine gives a run. The engine settings the harness
would choose here and why (dtype, threads, KV cache, compiled or eager, CPU flags, GPU), the
sandbox kinds that work, the data found, and what is missing with the line that installs it.

It only looks: nothing is loaded, converted or started. Optional packages are imported inside
the checks (a core-only install gets its answers too).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

from harness.backends import cpu_settings
from harness.errors import HarnessError

# CPU instructions that change what an engine does (matmul speed per dtype)
SHOWN_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile", "avx512_fp16", "asimd", "sve", "bf16")
# task family (tasks/<package>) -> its directory in the data mirror
DATA_DIRS = {"math": "math", "cruxeval": "cruxeval", "cruxeval_x": "cruxeval-x", "readoc": "readoc",
             "teval": "teval", "proactivebench": "proactivebench"}


def register_cli(sub) -> None:
    p = sub.add_parser("doctor", help="what the engine will use here and why, the sandboxes, the data, what is missing")
    p.set_defaults(func=cmd_doctor)


def cmd_doctor(args) -> int:
    missing: list[tuple[str, str]] = []
    from harness import registry

    sections = [("machine", _machine()), ("engines", _engines(missing))]
    # packages above the core (sandboxes) add their own section: the core never imports them
    sections += [(title, lines(missing)) for title, lines in registry.doctor_sections()]
    sections.append(("data", _data(missing)))
    for title, lines in sections:
        print(title)
        for key, value in lines:
            print(f"  {key:14s} {value}")
    _task_families(missing)
    print("missing" + ("" if missing else ": nothing"))
    for what, fix in missing:
        print(f"  {what}: {fix}")
    return 0


def _machine() -> list[tuple[str, str]]:
    m = cpu_settings.probe()
    quota = f", cgroup quota {m.quota:g} cores" if m.quota is not None else ", no cgroup CPU quota"
    flags = " ".join(f for f in SHOWN_FLAGS if f in m.flags) or "none of " + ", ".join(SHOWN_FLAGS[:4])
    bf16 = "native bfloat16" if m.native_bf16 else "no native bfloat16 (float32 is faster here)"
    return [("CPU", f"{m.cpu_model or 'unknown'}: {len(m.cpus)} cores allowed "
                    f"({cpu_settings.cpu_list(list(m.cpus))}){quota}"),
            ("flags", f"{flags}: {bf16}"),
            ("load", _load(m.usable_cores)),
            ("memory", f"{m.memory_available / cpu_settings.GiB:.1f} GiB available"),
            ("GPU", _gpus())]


def _load(cores: int) -> str:
    """Other work on the engine's cores stalls its OpenMP threads at every barrier."""
    one_minute = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    line = f"{one_minute:.1f} (1 min) on {cores} cores"
    if cores > 1 and one_minute >= cores / 2:
        line += ": other work shares them; an engine on fewer cores of its own can be faster (taskset -c 0 harness ...)"
    return line


def _gpus() -> str:
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.run([smi, "-L"], capture_output=True, text=True, timeout=10).stdout.strip()
            if out:
                return "; ".join(out.splitlines())
        except (OSError, subprocess.SubprocessError):
            pass
    found = sorted(Path("/proc/driver/nvidia/gpus").glob("*")) if Path("/proc/driver/nvidia/gpus").is_dir() else []
    if found:
        return f"{len(found)} NVIDIA GPU(s) (driver present, nvidia-smi not found)"
    return "none found (CPU engines)"


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _engines(missing: list[tuple[str, str]]) -> list[tuple[str, str]]:
    from harness import extras

    lines = []
    model_path = _embedded_model(lines, missing)
    for kind, module, extra in (("vllm", "vllm", "cpu"), ("hf", "torch", "hf")):
        if not _installed(module):
            lines.append((kind, f"not installed ({extras.install_line(extra)})"))
            missing.append((f"the {kind} engine", extras.install_line(extra)))
            continue
        if kind == "vllm":
            from harness.backends.vllm import vllm_version

            version = f"vllm {vllm_version()}"
        else:
            version = f"torch {_version('torch')}, transformers {_version('transformers')}"
        settings = cpu_settings.choose(kind, model_path, {})
        lines.append((kind, f"{version}, on {settings.device.upper()}"))
        lines += [(f"  {k}", v) for k, v in _explain(settings)]
    return lines


def _explain(s: cpu_settings.EngineSettings) -> list[tuple[str, str]]:
    """Each setting with where it came from."""
    why = s.why
    out = [("dtype", f"{s.dtype} ({why.get('dtype', '')}; checkpoint {s.checkpoint_dtype or 'unknown'})")]
    if s.device == "gpu":
        return out + [("rest", "the engine's defaults")]
    if s.threads or "threads" in why:
        out.append(("threads", f"{s.threads or 'engine default'}" + (f" on CPUs {s.cpus}" if s.cpus else "")
                    + f" ({why.get('threads', '')})"))
    if "kv_cache" in why:
        size = f"{s.kv_cache_bytes / cpu_settings.GiB:g} GiB" if s.kv_cache_bytes else "set by the environment"
        out.append(("KV cache", f"{size} ({why['kv_cache']})"))
    if s.enforce_eager is not None:
        out.append(("compiled", f"{'no' if s.enforce_eager else 'yes'} ({why.get('enforce_eager', '')})"))
    return out


def _embedded_model(lines: list[tuple[str, str]], missing: list[tuple[str, str]]) -> Path | None:
    from harness.backends.embedded import EMBEDDED, MARKER, gguf_path
    from harness.paths import cache_dir

    name = next(iter(EMBEDDED))
    converted = cache_dir() / "models" / name
    if (converted / MARKER).exists():
        lines.append(("model", f"{name}: converted at {converted}"))
        return converted
    try:
        lines.append(("model", f"{name}: {gguf_path(name).name} found, converted on first use"))
    except HarnessError as e:
        lines.append(("model", f"{name}: {e.problem}"))
        missing.append((f"the embedded model {name}", e.hint))
    return None


def _data(missing: list[tuple[str, str]]) -> list[tuple[str, str]]:
    from harness.paths import data_root

    root = data_root()
    if root is None or not root.is_dir():
        missing.append(("the benchmark data", "put the mirror at ../shared/data, or pass --data-dir / set "
                        "$HARNESS_DATA_DIR (MATH-500 is bundled and needs nothing)"))
        return [("root", "not found (only the bundled MATH-500 can run)")]
    lines = [("root", str(root.resolve()))]
    for family, sub in DATA_DIRS.items():
        d = root / sub
        if d.is_dir():
            files = [f for f in d.rglob("*") if f.is_file()]
            size = sum(f.stat().st_size for f in files)
            lines.append((sub, f"{len(files)} files, {size / 2**20:.1f} MiB"))
        else:
            lines.append((sub, "not found" + (" (MATH-500 is bundled)" if family == "math" else "")))
            if family != "math":
                missing.append((f"the {sub} data", f"copy it to {d}"))
    return lines


def _task_families(missing: list[tuple[str, str]]) -> None:
    from harness import registry

    for family, err in registry.unavailable().items():
        missing.append((f"the {family} tasks", err.hint or str(err)))
