"""Reranker spec strings, as a user types them after --rerank.

    implicit-prm:policy=PATH,ref=PATH,beta=0.001[,agg=min|sum|last][,engine=vllm|hf|auto]
                 [,steps=auto|marker|blank|newline][,dtype=float32][,template=chat|raw][,part=answer|reasoning]
    orm:PATH[,dtype=...]
    prm:PATH[,tag=ки,good=+,bad=-,steps=...,part=answer|reasoning]

part: which part of a thinking model's output the PRM splits into steps (base.py)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.errors import HarnessError

KINDS = ("implicit-prm", "orm", "prm")
AGGREGATIONS = ("min", "sum", "last", "qmin")
ENGINES = ("auto", "vllm", "hf")

_ALLOWED = {
    "implicit-prm": {"policy", "ref", "beta", "agg", "engine", "steps", "dtype", "template",
                     "batch_tokens", "max_model_len", "name", "part"},
    "orm": {"path", "dtype", "template", "batch_tokens", "name"},
    "prm": {"path", "tag", "good", "bad", "steps", "agg", "dtype", "batch_tokens", "name", "part"},
}
_EXAMPLE = "implicit-prm:policy=PATH,ref=PATH,beta=0.001 | orm:PATH | prm:PATH"


@dataclass(frozen=True)
class RerankSpec:
    kind: str
    params: dict[str, str] = field(default_factory=dict)
    text: str = ""

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.params.get(key, default)

    @property
    def name(self) -> str:
        """A short label for tables, plots and file names."""
        if "name" in self.params:
            return self.params["name"]
        if self.kind == "implicit-prm":
            base = _basename(self.params["policy"])
            return f"implicit-prm-{base}-beta{self.params.get('beta', '0.001')}-{self.agg}"
        return f"{self.kind}-{_basename(self.params['path'])}"

    @property
    def agg(self) -> str:
        return self.params.get("agg", "min" if self.kind != "orm" else "last")


def _basename(path: str) -> str:
    return path.rstrip("/").split("/")[-1] or path


def parse_spec(text: str) -> RerankSpec:
    """Parse one --rerank value; a malformed one raises HarnessError naming the problem."""
    kind, sep, rest = text.strip().partition(":")
    kind = kind.strip()
    if kind not in KINDS:
        raise HarnessError(f"unknown reranker '{kind}' in --rerank {text!r}", f"use {_EXAMPLE}")
    if not sep or not rest.strip():
        raise HarnessError(f"--rerank {text!r} names no model", f"use {_EXAMPLE}")
    params: dict[str, str] = {}
    for i, part in enumerate(p for p in rest.split(",") if p.strip()):
        key, eq, value = part.partition("=")
        if not eq:
            if i == 0 and kind in ("orm", "prm"):
                params["path"] = part.strip()
                continue
            raise HarnessError(f"--rerank {text!r}: '{part}' is not KEY=VALUE", f"use {_EXAMPLE}")
        key = key.strip()
        if key not in _ALLOWED[kind]:
            raise HarnessError(f"--rerank {text!r}: unknown option '{key}' for {kind}",
                               f"{kind} takes {', '.join(sorted(_ALLOWED[kind]))}")
        params[key] = value.strip()
    need = ("policy", "ref") if kind == "implicit-prm" else ("path",)
    for key in need:
        if not params.get(key):
            raise HarnessError(f"--rerank {text!r} lacks {key}=", f"use {_EXAMPLE}")
    if "agg" in params and params["agg"] not in AGGREGATIONS:
        raise HarnessError(f"--rerank {text!r}: agg must be one of {', '.join(AGGREGATIONS)}")
    if "engine" in params and params["engine"] not in ENGINES:
        raise HarnessError(f"--rerank {text!r}: engine must be one of {', '.join(ENGINES)}")
    for key in ("beta",):
        if key in params:
            try:
                float(params[key])
            except ValueError:
                raise HarnessError(f"--rerank {text!r}: {key}={params[key]} is not a number") from None
    return RerankSpec(kind=kind, params=params, text=text.strip())
