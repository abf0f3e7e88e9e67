import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def readoc_data() -> Path | None:
    root = Path(os.environ["HARNESS_DATA_DIR"]) if os.environ.get("HARNESS_DATA_DIR") else REPO.parent / "shared" / "data"
    d = root / "readoc"
    return d if (d / "arxiv" / "markdown").is_dir() else None


@pytest.fixture
def data_dir() -> Path:
    d = readoc_data()
    if d is None:
        pytest.skip("READoc sample not found at ../shared/data/readoc (set HARNESS_DATA_DIR); CI always has it")
    return d


@pytest.fixture
def needs_pdftotext():
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext missing: run .ci/setup-readoc.sh (apt-get install poppler-utils)")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    # page images and hashes go to a per-session cache, not the user's
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path_factory.getbasetemp() / "harness-cache"))


# One engine of each kind for the tiny vision-language model, for the whole session; `harness parity`
# on the same spec and options shares them (harness.backends.models keeps one engine per model).
VLM_OPTIONS = {"dtype": "float32"}  # what `harness parity` asks for


@pytest.fixture(scope="session")
def vlm_vllm(tiny_vlm_path):
    from harness.backends.models import make_backend

    backend = make_backend(f"vllm:{tiny_vlm_path}", options=VLM_OPTIONS)
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def vlm_hf(tiny_vlm_path):
    from harness.backends.models import make_backend

    backend = make_backend(f"hf:{tiny_vlm_path}", options=VLM_OPTIONS)
    yield backend
    backend.close()
