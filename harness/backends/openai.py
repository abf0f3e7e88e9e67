"""Any OpenAI-compatible server (`vllm serve` and others): bounded concurrency, retries with
backoff, timeouts. Chat requests go to /chat/completions (the server applies the chat template),
raw prompts to /completions."""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import requests as http

from harness.backends.base import Backend, OnError, OnResult
from harness.backends.vision import image_bytes, with_images
from harness.errors import BackendError
from harness.requests import Generation, Request
from harness.results import ModelInfo

RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}


class OpenAIBackend(Backend):
    kind = "openai"

    def __init__(self, base_url: str, model: str | None = None, api_key: str | None = None,
                 concurrency: int = 8, timeout_s: float = 600.0, max_retries: int = 5):
        self.base_url = base_url.rstrip("/")
        self.session = http.Session()
        if api_key:
            self.session.headers["Authorization"] = f"Bearer {api_key}"
        self.concurrency = concurrency
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.served = self._models()
        ids = [m.get("id") for m in self.served]
        if model is None:
            if not ids:
                raise BackendError(f"the server at {self.base_url} serves no model", "name one: openai:URL#MODEL")
            model = ids[0]
        elif ids and model not in ids:
            raise BackendError(f"the server at {self.base_url} does not serve '{model}'", f"it serves: {', '.join(ids)}")
        self.model = model

    def _models(self) -> list[dict]:
        url = f"{self.base_url}/models"
        try:
            r = self.session.get(url, timeout=30)
        except http.RequestException as e:
            raise BackendError(f"the server at {self.base_url} does not answer ({type(e).__name__})",
                               "is it running, and does the URL end in /v1?") from None
        if r.status_code >= 400:
            raise BackendError(f"the server at {self.base_url} answered HTTP {r.status_code} to GET {url}: "
                               f"{_snippet(r.text)}", "check the URL (it ends in /v1) and the server's log") from None
        try:
            data = r.json()
        except ValueError:
            raise BackendError(f"the server at {self.base_url} answered GET {url} with something that is not JSON "
                               f"({r.headers.get('content-type', 'no content type')}: {_snippet(r.text)})",
                               "is it an OpenAI-compatible server, and does the URL end in /v1?") from None
        models = data.get("data") if isinstance(data, dict) else None
        if not isinstance(models, list):
            raise BackendError(f"the server at {self.base_url} answered GET {url} without a model list: {_snippet(r.text)}",
                               "is it an OpenAI-compatible server, and does the URL end in /v1?")
        return models

    def info(self) -> ModelInfo:
        served = next((m for m in self.served if m.get("id") == self.model), {})
        ident = f"openai|{self.model}|{served.get('root', '')}"
        return ModelInfo(
            spec=f"openai:{self.base_url}#{self.model}", backend=self.kind, name=self.model,
            fingerprint=hashlib.sha256(ident.encode()).hexdigest()[:16],
            revision=served.get("root"), settings={"base_url": self.base_url},
            backend_version=served.get("owned_by"),
        )

    def generate(self, requests: list[Request], on_result: OnResult, on_error: OnError) -> None:
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            futures = {pool.submit(self._one, r): i for i, r in enumerate(requests)}
            for fut in as_completed(futures):
                i = futures[fut]
                try:
                    on_result(i, fut.result())
                except Exception as e:
                    on_error(i, f"{type(e).__name__}: {e}")

    def _one(self, req: Request) -> list[Generation]:
        sp = req.sampling
        body: dict = {"model": self.model, "n": sp.n, "temperature": sp.temperature, "top_p": sp.top_p,
                      "max_tokens": sp.max_tokens}
        if sp.stop:
            body["stop"] = list(sp.stop)
        if sp.seed is not None:
            body["seed"] = sp.seed
        if sp.top_k > 0:
            body["top_k"] = sp.top_k  # accepted by vLLM's server, ignored by others
        if req.messages is not None:
            url, body["messages"] = f"{self.base_url}/chat/completions", _with_media(req)
            if sp.chat_template_kwargs:  # vLLM / SGLang servers hand them to the chat template
                body["chat_template_kwargs"] = sp.template_kwargs()
        else:
            if req.media:
                raise BackendError("a completion request cannot carry images", "use chat messages")
            url, body["prompt"] = f"{self.base_url}/completions", req.prompt
        t0 = time.perf_counter()
        data = self._post(url, body)
        seconds = time.perf_counter() - t0
        usage = data.get("usage") or {}
        choices = sorted(data.get("choices", []), key=lambda c: c.get("index", 0))
        per_choice = (usage.get("completion_tokens") or 0) // max(len(choices), 1)
        return [
            Generation(
                text=(c.get("message") or {}).get("content") or c.get("text") or "",
                n_tokens=per_choice, finish_reason=c.get("finish_reason"),
                prompt_tokens=usage.get("prompt_tokens") or 0,
                meta={"seconds": seconds, **_reasoning_meta(c, usage, len(choices))},
            )
            for c in choices
        ]

    def _post(self, url: str, body: dict) -> dict:
        delay = 1.0
        for attempt in range(self.max_retries + 1):
            try:
                r = self.session.post(url, json=body, timeout=self.timeout_s)
                if r.status_code in RETRY_STATUS and attempt < self.max_retries:
                    raise http.HTTPError(f"HTTP {r.status_code}")
                if r.status_code >= 400:
                    raise BackendError(f"{url} answered HTTP {r.status_code}: {_snippet(r.text)}")
                try:
                    return r.json()
                except ValueError:
                    raise BackendError(f"{url} answered HTTP {r.status_code} with something that is not JSON: "
                                       f"{_snippet(r.text)}") from None
            except (http.ConnectionError, http.Timeout, http.HTTPError):
                if attempt == self.max_retries:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 30.0)
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.session.close()


def _reasoning_meta(choice: dict, usage: dict, n_choices: int) -> dict:
    """The thinking a server returned apart (`reasoning_content`, vLLM's newer `reasoning`), and its
    token count where the usage reports it; harness/reasoning.py splits with them."""
    msg = choice.get("message") or {}
    thought = msg.get("reasoning_content", msg.get("reasoning"))
    meta: dict = {"reasoning_content": thought} if isinstance(thought, str) else {}
    reported = (usage.get("completion_tokens_details") or {}).get("reasoning_tokens")
    if isinstance(reported, int) and n_choices == 1:
        meta["server_reasoning_tokens"] = reported
    return meta


def _with_media(req: Request) -> list[dict]:
    """Chat messages, with the request's images attached to the last user turn as data URLs."""
    msgs = [dict(m) for m in req.messages]
    if not req.media:
        return msgs
    parts: list[dict] = []
    for path, sha in req.media:
        mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if not mime.startswith("image/"):
            raise BackendError(f"{path} is not an image", "only page images can be sent to a model")
        data = base64.b64encode(image_bytes(path, sha)).decode()
        parts.append({"type": "image_url", "image_url": {"url": f"data:{mime};base64,{data}"}})
    return with_images(msgs, parts)  # where the local engines put them too (vision.py)


def _snippet(text: str, limit: int = 120) -> str:
    """The start of a server's answer, on one line."""
    one = " ".join(text.split())
    return repr(one[:limit] + ("..." if len(one) > limit else ""))
