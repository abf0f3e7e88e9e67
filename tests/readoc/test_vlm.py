"""READoc page by page through a vision-language model on both offline engines (vLLM's CPU build
and transformers), with the tiny Idefics3 checkpoint built in tests/tiny_vlm.py: pages rendered,
images reaching the model (the prompt holds the processor's image tokens), outputs stored, scored,
resumed after kill -9; `harness parity` on an image request; pages over the context fail alone.
Scores are meaningless (random weights); the plumbing is real."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from harness.backends import vision
from harness.errors import BackendError
from harness.evaluate import RunConfig, evaluate
from harness.hashing import sha256_file
from harness.requests import Request, SamplingParams
from harness.results import load_results, load_samples
from harness.store import SampleStore
from tasks.readoc import pages
from tasks.readoc.task import ReadocTask
from tests.tiny_vlm import CONTEXT

pytestmark = [pytest.mark.slow, pytest.mark.needs_shared_data]

MAX_PIXELS = 200_000
RUN = dict(tasks="readoc-github", limit=1, max_tokens=8, max_pixels=MAX_PIXELS, temperature=0.0)


def expected_prompt(model_dir: Path, prompt: str, image_path: str) -> tuple[int, int, int]:
    """(prompt tokens with the images expanded, image tokens, tokens of the text alone), straight
    from the checkpoint's processor, for one user turn: the instruction, then the page."""
    from PIL import Image
    from transformers import AutoProcessor

    proc = AutoProcessor.from_pretrained(model_dir)
    msgs = [{"role": "user", "content": [{"type": "text", "text": prompt}, {"type": "image"}]}]
    text = proc.apply_chat_template(msgs, add_generation_prompt=True, tokenize=False)
    with Image.open(image_path) as im:
        ids = proc(text=[text], images=[[im.convert("RGB")]], add_special_tokens=False)["input_ids"][0]
    return len(ids), list(ids).count(proc.image_token_id), len(proc.tokenizer(text, add_special_tokens=False)["input_ids"])


def stored(run_dir: Path) -> dict[str, dict]:
    """tag -> stored generation record."""
    with SampleStore(run_dir / "store") as store:
        return {r["meta"]["tag"]: r["generation"] for r in store.records("generation")}


def _page_request(image: tuple[str, str], prompt: str = "Convert this page.", tag: str = "page-0001") -> Request:
    return Request(task="t", doc_id="d", tag=tag, sampling=SamplingParams(max_tokens=4),
                   messages=({"role": "user", "content": prompt},), media=(image,))


def _run_requests(backend, reqs):
    results, errors = {}, {}
    backend.generate(reqs, lambda i, g: results.__setitem__(i, g), lambda i, e: errors.__setitem__(i, e))
    return results, errors


def test_image_chat_goes_through_the_models_processor_and_template(tiny_vlm_path, data_dir, tmp_path):
    proc = vision.load_processor(str(tiny_vlm_path))
    pdf = data_dir / "github" / "pdf" / "108110.pdf"
    (img,) = pages.render_pages(pdf, sha256_file(pdf), pages.PageSettings(max_pixels=MAX_PIXELS, max_pages=1))
    req = _page_request(img, "Convert.")
    chat = vision.render_image_chat(proc, req)
    # the instruction, then one placeholder per image (the reference's order), then the assistant turn
    assert chat.text == "<|im_start|>User:Convert.<image><end_of_utterance>\nAssistant:"
    assert len(chat.images) == 1 and chat.images[0].width * chat.images[0].height <= MAX_PIXELS
    # issue 14's chat-template kwargs reach image chats too
    proc.chat_template = "{{ marker }}" + proc.chat_template
    kw = req.sampling.model_copy(update={"chat_template_kwargs": (("marker", "X"),)})
    assert vision.render_image_chat(proc, replace(req, sampling=kw)).text.startswith("X<|im_start|>")
    with pytest.raises(BackendError, match="has 2 images; the model takes at most 1 per prompt"):
        vision.render_image_chat(proc, replace(req, media=(img, img)), max_images=1)
    copy = tmp_path / "page.jpg"
    copy.write_bytes(Path(img[0]).read_bytes() + b"changed")
    with pytest.raises(BackendError, match="changed after it was planned"):
        vision.render_image_chat(proc, _page_request((str(copy), img[1])))


def test_readoc_github_on_both_engines_and_parity(tiny_vlm_path, vlm_vllm, vlm_hf, data_dir, tmp_path):
    """`harness parity --model PATH --backends vllm,hf --tasks readoc-github --limit 1` on page images;
    the session's two engines answer it (same spec and options)."""
    from harness.cli import main

    out = tmp_path / "parity"
    rc = main(["parity", "--model", str(tiny_vlm_path), "--backends", "vllm,hf", "--tasks", "readoc-github",
               "--limit", "1", "--max-tokens", "8", "--max-pixels", str(MAX_PIXELS),
               "--data-dir", str(data_dir.parent), "--output", str(out), "--no-progress"])
    assert rc == 0
    task = ReadocTask("github")
    doc = task.load_docs(data_dir.parent)[0]
    images = pages.render_pages(Path(doc.data["pdf"]), doc.data["pdf_sha256"], pages.PageSettings(max_pixels=MAX_PIXELS))
    assert len(images) == 3  # a 3-page README
    prompt_tokens = {}
    for kind in ("vllm", "hf"):
        run = load_results(out / kind)
        tr = run.tasks["readoc-github"]
        assert run.model.backend == kind and tr.n_docs == 1 and tr.failed_docs == 0
        assert tr.config["mode"] == "pages" and tr.config["pages"]["max_pixels"] == MAX_PIXELS
        assert 0 <= tr.metrics["average"].value <= 1
        (rec,) = load_samples(out / kind, "readoc-github")
        assert rec.record["input"] == "3 pages" and rec.record["pages"] == {"total": 3, "sent": 3, "not_sent": 0}
        assert set(rec.extra_outputs) == {"page-0001", "page-0002", "page-0003"}
        gens = stored(out / kind)
        assert sorted(gens) == ["page-0001", "page-0002", "page-0003"]
        for (path, _), tag in zip(images, sorted(gens)):
            total, image_tokens, text_only = expected_prompt(tiny_vlm_path, task.prompt(), path)
            g = gens[tag]
            # the image reached the model: its tokens are in the prompt the engine read
            assert image_tokens > 0 and g["meta"]["image_tokens"] == image_tokens, (kind, tag, g)
            assert g["prompt_tokens"] == total > text_only
            assert 0 < g["n_tokens"] <= 8
            prompt_tokens[(kind, tag)] = g["prompt_tokens"]
    assert all(prompt_tokens[("vllm", t)] == prompt_tokens[("hf", t)] for t in ("page-0001", "page-0002", "page-0003"))
    # greedy in float32 on both: the same page outputs (parity compares every page's output)
    report = json.loads((out / "parity.json").read_text())["readoc-github"]
    assert report["n"] == 1 and report["same_output"] == 1 and report["same_verdict"] == 1
    # the same run again is answered from the store
    again = evaluate(RunConfig(model=f"vllm:{tiny_vlm_path}", data_dir=str(data_dir.parent),
                               backend_options={"dtype": "float32"}, **RUN), out / "vllm", progress=False)
    assert again.timing.generations_cached == 3 and again.timing.generations_new == 0


def test_an_overlong_page_fails_alone_on_vllm(tiny_vlm_path, vlm_vllm, data_dir):
    pdf = data_dir / "github" / "pdf" / "108110.pdf"
    (img,) = pages.render_pages(pdf, sha256_file(pdf), pages.PageSettings(max_pixels=MAX_PIXELS, max_pages=1))
    long_prompt = "Convert this page, keeping every heading. " * 120  # ~1,100 tokens of text
    results, errors = _run_requests(vlm_vllm, [_page_request(img), _page_request(img, long_prompt, "page-0002")])
    assert set(results) == {0} and set(errors) == {1}
    assert results[0][0].meta["image_tokens"] > 0
    assert "\n" not in errors[1] and f"over the model's context of {CONTEXT}" in errors[1]
    assert "d/page-0002 is" in errors[1] and "--max-model-len" in errors[1]


def _two_page_pdf(root: Path) -> Path:
    """A portrait page and a landscape strip: the tiling processor gives the strip far fewer tokens."""
    import pymupdf

    base = root / "readoc" / "github"
    (base / "pdf").mkdir(parents=True)
    (base / "markdown").mkdir()
    doc = pymupdf.open()
    for w, h, text in ((612, 792, "First page"), (1400, 140, "Second page")):
        doc.new_page(width=w, height=h).insert_text((20, 60), text, fontsize=24)
    doc.save(base / "pdf" / "mixed.pdf")
    (base / "markdown" / "mixed.md").write_text("# First page\n\nSecond page\n")
    return root


def test_a_page_over_the_context_fails_alone_and_the_document_is_scored(tiny_vlm_path, vlm_hf, tmp_path):
    data = _two_page_pdf(tmp_path / "data")
    cfg = RunConfig(model=f"hf:{tiny_vlm_path}", tasks="readoc-github", max_tokens=4, data_dir=str(data),
                    backend_options={"dtype": "float32"})
    context = vlm_hf.context_length
    vlm_hf.context_length = 150  # the portrait page needs more, the strip less
    try:
        run = evaluate(cfg, tmp_path / "run", backends={"model": vlm_hf}, progress=False)
    finally:
        vlm_hf.context_length = context
    tr = run.tasks["readoc-github"]
    assert tr.n_docs == 1 and tr.failed_docs == 1  # scored, and retried by the next run
    (rec,) = load_samples(tmp_path / "run", "readoc-github")
    (reason,) = rec.record["failed"].values()
    assert list(rec.record["failed"]) == ["page-0001"] and "\n" not in reason
    assert "over the model's context of 150" in reason
    assert rec.record["input"] == "1 pages" and rec.values["text_concat"] is not None


def test_kill_mid_document_then_resume_with_max_pages(tiny_vlm_path, vlm_hf, data_dir, tmp_path):
    """kill -9 a transformers run of a 26-page Zenodo document cut to 6 pages after two pages are
    stored; the same command finishes the other four, and the 20 pages not sent are reported."""
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "harness.cli", "run", "--model", f"hf:{tiny_vlm_path}", "--dtype", "float32",
           "--tasks", "readoc-zenodo", "--limit", "1", "--max-pages", "6", "--max-tokens", "32",
           "--max-pixels", str(MAX_PIXELS), "--data-dir", str(data_dir.parent), "--output", str(out), "--no-progress"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    store = out / "store" / "generations.jsonl"
    lines = lambda: store.read_bytes().count(b"\n") if store.exists() else 0  # noqa: E731
    deadline = time.time() + 1200
    while lines() < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    exited_early = proc.poll()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = lines()
    assert exited_early is None, f"the run exited with {exited_early} before it could be killed"
    assert 2 <= done < 6 and not (out / "results.json").exists()

    rc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
    assert rc.returncode == 0, rc.stderr[-2000:]
    assert "20 pages of 1 documents were not sent (--max-pages 6)" in rc.stdout
    run = load_results(out)
    assert run.store_report["requested_per_round"] == 6 - done and run.timing.generations_cached == done
    tr = run.tasks["readoc-zenodo"]
    assert tr.config["pages"]["not_sent"] == {"documents": 1, "pages": 20} and tr.config["pages"]["max_pages"] == 6
    (rec,) = load_samples(out, "readoc-zenodo")
    assert rec.record["pages"] == {"total": 26, "sent": 6, "not_sent": 20} and rec.record["input"] == "6 pages"
    assert sorted(stored(out)) == [f"page-{i:04d}" for i in range(1, 7)]
