"""Bad command-line input, caught before any work starts, as one line naming the problem and the
fix; and the run directory's file-system problems (cannot be created, disk full) worded the same."""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NoReturn

from harness.errors import HarnessError


class OneLineParser(argparse.ArgumentParser):
    """argparse's usage errors as one line (`error: ... (see harness run --help)`), exit status 2."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {message} (see `{self.prog} --help`)", file=sys.stderr)
        sys.exit(2)


#: (argument, smallest allowed, what it means) for the numeric generation options
_AT_LEAST = (
    ("limit", 1, "documents per task"),
    ("samples", 1, "samples per prompt"),
    ("max_tokens", 1, "tokens per generation"),
    ("batch_size", 1, "requests per batch"),
    ("concurrency", 1, "requests in flight"),
    ("tensor_parallel_size", 1, "GPUs per engine"),
    ("replicas", 1, "engine replicas"),
    ("max_model_len", 1, "tokens of context"),
    ("max_images", 1, "images per prompt"),
    ("max_pages", 1, "pages per document"),
    ("image_dpi", 1, "page resolution"),
    ("max_pixels", 28 * 28, "pixels per page image"),
)


def check_generation_args(args: argparse.Namespace) -> None:
    """Numbers that would silently do something else (`--limit -1` drops the last document, a
    Python slice; `--limit 0` writes an empty result) are errors."""
    for name, low, what in _AT_LEAST:
        value = getattr(args, name, None)
        if value is not None and value < low:
            flag = "--" + name.replace("_", "-").replace("tensor-parallel-size", "tensor-parallel")
            raise HarnessError(f"{flag} {value} asks for no {what}" if value <= 0 else f"{flag} {value} is too small",
                               f"give {flag} a number >= {low}, or leave it out for the default")
    temperature = getattr(args, "temperature", None)
    if temperature is not None and temperature < 0:
        raise HarnessError(f"--temperature {temperature} is negative", "use 0 for greedy decoding or a positive value to sample")
    top_p = getattr(args, "top_p", None)
    if top_p is not None and not 0 < top_p <= 1:
        raise HarnessError(f"--top-p {top_p} is outside (0, 1]", "use a probability mass such as 0.95, or 1 for none")
    gmu = getattr(args, "gpu_memory_utilization", None)
    if gmu is not None and not 0 < gmu <= 1:
        raise HarnessError(f"--gpu-memory-utilization {gmu} is outside (0, 1]", "use a fraction such as 0.9")
    if getattr(args, "spread", False) and getattr(args, "limit", None) is None:
        raise HarnessError("--spread needs --limit N", "add --limit N: the N documents are spread over each task's categories")


def prepare_run_dir(run_dir: Path) -> bool:
    """Create the run directory now, so a path that cannot be one fails before any model loads.
    True when it was created by this call."""
    if run_dir.exists() and not run_dir.is_dir():
        raise HarnessError(f"--output {run_dir} is a file, not a directory", "give --output a directory path (it is created)")
    existed = run_dir.is_dir()
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise HarnessError(f"cannot create the run directory {run_dir}: {e.strerror or e}",
                           "give --output a directory where you can write") from None
    if not os.access(run_dir, os.W_OK | os.X_OK):
        raise HarnessError(f"the run directory {run_dir} is not writable", "give --output a directory where you can write")
    return not existed


@contextmanager
def run_directory(run_dir: Path) -> Iterator[None]:
    """The run directory for a command; one this command created is removed again when the command
    fails before writing anything in it but its log (an unknown task, a missing data file)."""
    from harness.terminal import LOG_FILE

    created = prepare_run_dir(run_dir)
    try:
        yield
    except BaseException:
        if created and run_dir.is_dir() and {p.name for p in run_dir.iterdir()} <= {LOG_FILE}:
            shutil.rmtree(run_dir, ignore_errors=True)
        raise


#: errors that say the file system, not the harness, is the problem
FILESYSTEM_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO, errno.EFBIG}


@contextmanager
def run_dir_errors(run_dir: Path) -> Iterator[None]:
    """A full disk (or a directory turned read-only) while the run writes: one line, and the
    finished generations stay in the store for `harness score`."""
    try:
        yield
    except OSError as e:
        if e.errno not in FILESYSTEM_ERRNOS:
            raise
        where = f" {e.filename}" if e.filename else f" in {run_dir}"
        raise HarnessError(f"could not write{where}: {e.strerror or e}",
                           f"free space or fix permissions, then `harness score {run_dir}` scores the "
                           "generations already in its store") from None
