"""Document converters behind the Backend interface, on real PDFs."""

import pytest

from harness.errors import HarnessError
from harness.requests import Request, SamplingParams
from harness.systems import SystemBackend, get_system, system_names

pytestmark = pytest.mark.needs_shared_data


def _run(backend, requests):
    results, errors = {}, {}
    backend.generate(requests, lambda i, g: results.__setitem__(i, g), lambda i, e: errors.__setitem__(i, e))
    return results, errors


def _request(path, sha="0" * 64, n=1):
    return Request(task="t", doc_id="d", sampling=SamplingParams(n=n), prompt="convert", media=((str(path), sha),))


def test_registry_names_and_errors():
    assert {"pymupdf4llm", "pdftotext", "plaintext"} <= set(system_names())
    with pytest.raises(HarnessError, match="unknown system 'pdftotxt'.*pdftotext"):
        get_system("pdftotxt")
    with pytest.raises(HarnessError, match="bad system setting"):
        get_system("pdftotext:layout")
    assert get_system("pdftotext:layout=true").settings == {"layout": True}


def test_pdftotext_backend_converts_media_and_times_it(data_dir, needs_pdftotext):
    pdf = data_dir / "github" / "pdf" / "108110.pdf"
    backend = SystemBackend(get_system("pdftotext"))
    info = backend.info()
    assert info.backend == "system" and info.name == "pdftotext" and info.backend_version.startswith("poppler")
    assert info.fingerprint != SystemBackend(get_system("pdftotext:layout=true")).info().fingerprint
    missing = data_dir / "github" / "pdf" / "no-such.pdf"
    no_media = Request(task="t", doc_id="x", sampling=SamplingParams(), prompt="p")
    results, errors = _run(backend, [_request(pdf, n=2), _request(missing), no_media])
    gens = results[0]
    assert len(gens) == 2 and gens[0].meta["seconds"] >= 0
    assert len(gens[0].text) > 1000  # a 3-page README
    assert set(errors) == {1, 2}
    assert "does not exist" in errors[1] and "carries no input file" in errors[2]


def test_broken_pdf_is_an_error_not_a_crash(tmp_path, needs_pdftotext):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not a pdf")
    results, errors = _run(SystemBackend(get_system("pdftotext")), [_request(bad)])
    assert not results and "broken.pdf" in errors[0]


def test_plaintext_floor_has_no_structure(data_dir, needs_pdftotext):
    pdf = data_dir / "arxiv" / "pdf" / "0709.4466.pdf"
    results, errors = _run(SystemBackend(get_system("plaintext:engine=pdftotext")), [_request(pdf)])
    text = results[0][0].text
    assert not errors and "Serially Concatenated" in text and "\n# " not in text


def test_pymupdf4llm_is_optional():
    pytest.importorskip("pymupdf4llm", reason="AGPL extra readoc-agpl not installed")
    assert get_system("pymupdf4llm").version().startswith("pymupdf4llm")
