"""Loading CRUXEval-X: problems per language, the few-shot examples, the gold answers, the
501-id common set, and the data defects that can be found from the data alone.

The local mirror (`<data>/cruxeval-x/datasets/...`, the layout of the CRUXEVAL-X/cruxeval-x
repository) is read first; without it the problems come from the hub copy `xhwl/cruxeval-x`.
The three few-shot examples per language ship with this package (fewshot/*.json), so the prompt
does not depend on where the problems came from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from harness.errors import DataMissing
from harness.paths import data_root
from tasks.cruxeval_x.languages import LANGUAGE_CODES, LANGUAGES, CruxLanguage, split_at_test

HUB_ID = "xhwl/cruxeval-x"
HUB_SPLITS = {"java": "Java", "cpp": "Cpp", "go": "Go", "cs": "CS", "d": "D", "jl": "Julia",
              "js": "JavaScript", "php": "PHP", "pl": "Perl", "py": "Python", "r": "R", "lua": "Lua",
              "rb": "Ruby", "rkt": "Racket", "rs": "Rust", "scala": "Scala", "sh": "Shell",
              "swift": "Swift", "ts": "TypeScript"}
FEWSHOT_DIR = Path(__file__).parent / "fewshot"
MARKER = "????"


@dataclass(frozen=True)
class Problem:
    lang: str
    id: int
    code: str  # the full reference program (function + test)
    input_template: str  # the test part with the call replaced by `candidate(????)` etc.
    output_template: str  # the test part with the expected value replaced by ????

    @property
    def language(self) -> CruxLanguage:
        return LANGUAGES[self.lang]

    @property
    def head(self) -> str:
        """The part of `code` before its test: function definitions (and imports)."""
        left = split_at_test(self.code, self.language)
        return self.code if left is None else left

    def tail(self) -> str:
        return self.code[len(self.head):]

    def gold(self, mode: str) -> tuple[str, bool]:
        """The answer `code` itself contains, and whether the template matches `code` exactly.

        Input answers are full calls (`candidate(...)`), as in the few-shot examples. Where a
        template differs from the test in `code` (a few D and Julia items) the answer is the
        differing middle part, a best effort, and `exact` is False.
        """
        template = self.output_template if mode == "output" else self.input_template
        slot = MARKER if mode == "output" else self.language.call
        pre, _, post = template.partition(slot)
        tail = self.tail()
        if mode == "input":
            head = self.language.call_head
            pre, post = pre + head, self.language.call[len(head) + len(MARKER):] + post
        exact = tail.startswith(pre) and tail.endswith(post) and len(tail) >= len(pre) + len(post)
        i = _common_prefix(tail, pre)
        j = _common_suffix(tail[i:], post)
        middle = tail[i:len(tail) - j]
        if mode == "input":
            call = self.language.call
            middle = call.replace(MARKER, middle)
        return middle, exact


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _common_suffix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[-1 - i] == b[-1 - i]:
        i += 1
    return i


def dataset_dir(data_dir: Path | str | None) -> Path | None:
    """The CRUXEval-X mirror under a data root (or the mirror itself), None when absent."""
    root = data_root(data_dir)
    if root is None:
        return None
    for cand in (root / "cruxeval-x" / "datasets", root / "datasets", root):
        if (cand / "cruxeval_preprocessed").is_dir():
            return cand
    return None


def problem_files(data_dir: Path | str | None, lang: str) -> list[Path]:
    d = dataset_dir(data_dir)
    return [] if d is None else [d / "cruxeval_preprocessed" / f"{lang}.jsonl"]


@lru_cache(maxsize=64)
def _load_local(path: Path, lang: str) -> tuple[Problem, ...]:
    out = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                out.append(Problem(lang, int(row["id"]), row["code"], row["input_reasoning"],
                                   row["output_reasoning"]))
            except (ValueError, KeyError) as e:
                raise DataMissing(f"{path}:{n} is not a CRUXEval-X row ({e})",
                                  "restore the file from the CRUXEVAL-X/cruxeval-x repository") from None
    return tuple(out)


def _load_hub(lang: str) -> tuple[Problem, ...]:
    try:
        import datasets
        ds = datasets.load_dataset(HUB_ID, split=HUB_SPLITS[lang])
    except Exception as e:  # no network, no cache: one clear line
        raise DataMissing(f"CRUXEval-X data for '{lang}' is neither local nor loadable from the hub ({e})",
                          "put the CRUXEVAL-X/cruxeval-x datasets under <data>/cruxeval-x/ or pass --data-dir") from None
    return tuple(Problem(lang, int(r["id"]), r["code"], r["input_reasoning"], r["output_reasoning"]) for r in ds)


def load_problems(data_dir: Path | str | None, lang: str) -> list[Problem]:
    if lang not in LANGUAGES:
        raise DataMissing(f"unknown CRUXEval-X language '{lang}'", f"one of {', '.join(LANGUAGE_CODES)}")
    files = problem_files(data_dir, lang)
    if files and files[0].exists():
        return list(_load_local(files[0], lang))
    return list(_load_hub(lang))


@lru_cache(maxsize=8)
def _common_ids(key: str) -> frozenset[int]:
    ids: set[int] | None = None
    for lang in LANGUAGE_CODES:
        mine = {p.id for p in load_problems(key or None, lang)}
        ids = mine if ids is None else ids & mine
    return frozenset(ids or ())


def common_ids(data_dir: Path | str | None) -> frozenset[int]:
    """The ids present in all 19 languages (501 in the released data): the paper's protocol."""
    d = dataset_dir(data_dir)
    return _common_ids(str(d) if d else "")


@dataclass(frozen=True)
class Example:
    id: int
    code: str  # the example's program, test replaced by the template of the mode
    answer: str


def load_examples(lang: str, mode: str) -> list[Example]:
    """The three few-shot examples of a language, built as the reference builds them."""
    path = FEWSHOT_DIR / f"{lang}.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for r in rows:
        head = split_at_test(r["code"], LANGUAGES[lang])
        head = r["code"] if head is None else head
        template = r["input_reasoning"] if mode == "input" else r["output_reasoning"]
        out.append(Example(r["id"], head + template, r["inputs"] if mode == "input" else r["outputs"]))
    return out


def known_defects(problem: Problem) -> list[str]:
    """Defects visible in the data itself (see the README for what each means)."""
    out = []
    if problem.lang == "php" and not problem.code.lstrip().startswith("<?php"):
        out.append("php_no_open_tag")  # the interpreter echoes the text: passes for any answer
    if problem.lang == "go" and not problem.code.lstrip().startswith("package"):
        out.append("go_no_package")  # the translator's prose or a bare func: `go test` cannot build it
    if "```" in problem.code:
        out.append("stray_fence")  # leftover prose or fences from the translation step
    for mode in ("input", "output"):
        if not problem.gold(mode)[1]:
            out.append(f"{mode}_template_mismatch")
    return out
