"""Result files written through the pydantic schema, for views no stored real run covers yet.

Per-sample values go in; metrics and breakdowns come out of harness.metrics.aggregate_means,
the same aggregation a run uses, so the numbers in a file agree with its samples.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from harness.metrics import aggregate_means
from harness.results import ModelInfo, Provenance, RunResult, SampleRecord, TaskResult, write_samples
from harness.task import SampleScore


def model_info(name: str, backend: str = "vllm", **settings) -> ModelInfo:
    return ModelInfo(spec=f"{backend}:{name}", backend=backend, name=name, fingerprint=f"fp-{name}-{backend}",
                     revision="0123456789abcdef", backend_version="0.9.1", settings=settings)


def task_result(task: str, scores: list[SampleScore], version: str = "1", sampling: dict | None = None,
                extra: dict | None = None, breakdown_override: dict | None = None) -> TaskResult:
    metrics, breakdown = aggregate_means(scores, seed=0)
    return TaskResult(task=task, version=version, prompt_hash="abcd1234abcd1234", n_docs=len(scores),
                      sampling=sampling or {"temperature": 0.0, "top_p": 1.0, "max_tokens": 512, "n": 1},
                      metrics=metrics, breakdown=breakdown_override or breakdown, extra=extra or {})


def write_run(root: Path, run_id: str, model: ModelInfo, tasks: dict[str, tuple[TaskResult, list[SampleScore]]],
              created_at: str = "2026-11-20T10:00:00+00:00", sandbox: dict | None = None,
              sandbox_tasks: str | None = None) -> Path:
    """sandbox: the run's; sandbox_tasks: a prefix of the tasks that ran programs in it (each task
    then records its own, as `harness run` does); None leaves the tasks silent, as older files."""
    run_dir = root / run_id
    if sandbox_tasks is not None:
        for name, (tr, _) in tasks.items():
            tr.sandbox = (sandbox or {}) if name.startswith(sandbox_tasks) else {}
    result = RunResult(run_id=run_id, model=model, tasks={k: v[0] for k, v in tasks.items()},
                       provenance=Provenance(harness_version="0.1.0", git_commit="cbf526b0", created_at=created_at,
                                             sandbox=sandbox or {}))
    result.write(run_dir)
    for name, (_, scores) in tasks.items():
        write_samples(run_dir, name, [SampleRecord(task=name, doc_id=s.doc_id, prompt=f"Question {s.doc_id}?",
                                                   outputs=[f"answer of {model.name} to {s.doc_id}"], values=s.values,
                                                   groups=s.groups, record=s.record) for s in scores])
    return run_dir


def crux_scores(skill: float, seed: int, languages=("python", "cpp", "java", "rust"), per=12) -> list[SampleScore]:
    """0/1 verdicts per language and mode, a model of given skill, each language a bit harder."""
    rng = np.random.default_rng(seed)
    out = []
    for li, lang in enumerate(languages):
        for mode in ("input", "output"):
            for i in range(per):
                p = max(0.02, min(0.98, skill - 0.08 * li - (0.1 if mode == "input" else 0.0)))
                out.append(SampleScore(doc_id=f"{lang}-{mode}-{i}", values={"pass@1": float(rng.random() < p)},
                                       groups={"language": lang, "mode": mode}))
    return out


def crux_x_tasks(skill: float, seed: int) -> dict[str, tuple[TaskResult, list[SampleScore]]]:
    """CRUXEval-X as the harness registers it: one task per mode and language."""
    tasks = {}
    for s in crux_scores(skill, seed, languages=("py", "cpp", "java", "rs")):
        name = f"cruxeval-x-{s.groups['mode']}-{s.groups['language']}"
        tasks.setdefault(name, []).append(SampleScore(doc_id=s.doc_id.split("-")[-1], values=s.values, groups=s.groups))
    return {name: (task_result(name, scores), scores) for name, scores in tasks.items()}


def math_scores(skill: float, seed: int, n: int = 40) -> list[SampleScore]:
    rng = np.random.default_rng(seed)
    subjects = ["Algebra", "Geometry", "Number Theory", "Prealgebra"]
    out = []
    for i in range(n):
        level = 1 + i % 5
        p = max(0.02, skill - 0.1 * (level - 1))
        out.append(SampleScore(doc_id=f"test/{subjects[i % 4].lower()}/{i}.json",
                               values={"accuracy": float(rng.random() < p)},
                               groups={"subject": subjects[i % 4], "level": f"Level {level}"},
                               record={"extracted": str(i), "gold": str(i if rng.random() < p else i + 1)}))
    return out


def grouped_metric_scores(seed: int, names: list[str], groups: dict[str, list[str]], n: int = 12) -> list[SampleScore]:
    """Continuous per-document values (READoc's similarities, T-Eval's ability scores)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        g = {k: v[i % len(v)] for k, v in groups.items()}
        out.append(SampleScore(doc_id=f"doc-{i}", values={m: float(rng.uniform(0.2, 0.9)) for m in names}, groups=g))
    return out


READOC_COLUMNS = ["text_concat", "text_vocab", "heading_concat", "heading_tree", "formula_embed",
                  "formula_isolate", "table_concat", "table_tree", "order_block", "order_token"]
READOC_GITHUB_COLUMNS = ["text_concat", "text_vocab", "heading_concat", "heading_tree", "order_block", "order_token"]


def readoc_task(subset: str, seed: int) -> tuple[TaskResult, list[SampleScore]]:
    """A READoc subset task: its columns per document, and their average as the headline."""
    from harness.results import MetricValue

    cols = READOC_COLUMNS if subset == "arxiv" else READOC_GITHUB_COLUMNS
    scores = grouped_metric_scores(seed, cols, {}, n=10)
    tr = task_result(f"readoc-{subset}", scores)
    tr.metrics["average"] = MetricValue(value=float(np.mean([tr.metrics[c].value for c in cols])), n=len(scores))
    return tr, scores


TEVAL_ABILITIES = ["instruct", "plan", "reason", "retrieve", "understand", "review"]
PROACTIVE_RATES = ["recall", "precision", "accuracy", "false_alarm", "f1"]


def proactive_task(seed: int, n_traces: int = 12) -> tuple[TaskResult, list[SampleScore]]:
    """ProactiveBench-shaped: per-trace confusion counts, five pooled rates per split."""
    from harness.results import MetricValue

    rng = np.random.default_rng(seed)
    scores = []
    for i in range(n_traces):
        domain = "code" if i % 2 == 0 else "writing"
        counts = {k: float(rng.integers(0, 6)) for k in ("tp", "fp", "tn", "fn")}
        scores.append(SampleScore(doc_id=f"{domain}_{i}", values=counts, groups={"domain": domain},
                                  record={"splits": ["real_average", f"real_{'coding' if domain == 'code' else 'writing'}"]}))

    def rates(ss: list[SampleScore]) -> dict[str, MetricValue]:
        c = {k: sum(s.values[k] for s in ss) for k in ("tp", "fp", "tn", "fn")}
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        vals = {"recall": r, "precision": p, "accuracy": (c["tp"] + c["tn"]) / sum(c.values()),
                "false_alarm": c["fp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0,
                "f1": 2 * p * r / (p + r) if p + r else 0.0}
        n = int(sum(c.values()))
        out = {k: MetricValue(value=v, n=n) for k, v in vals.items()}
        out.update({k: MetricValue(value=v, n=n) for k, v in c.items()})
        return out

    splits: dict[str, list[SampleScore]] = {}
    for s in scores:
        for name in s.record["splits"]:
            splits.setdefault(name, []).append(s)
    breakdown = {"split": {name: rates(ss) for name, ss in sorted(splits.items())}}
    tr = TaskResult(task="proactivebench", version="1", prompt_hash="feedbeeffeedbeef", n_docs=len(scores),
                    sampling={"temperature": 0.0, "top_p": 1.0, "max_tokens": 512, "n": 1},
                    metrics=breakdown["split"]["real_average"], breakdown=breakdown)
    return tr, scores


def write_family_runs(root: Path, small: bool = False) -> None:
    """Three models on MATH (with best-of-N), READoc, ProactiveBench, CRUXEval-X and T-Eval, the
    last three named as the harness registers them (one task per subset / mode and language / ability)."""
    for i, (name, skill) in enumerate([("alpha-7b", 0.8), ("beta-3b", 0.6), ("gamma-1b", 0.35)]):
        model = model_info(name)
        math = math_scores(skill, 10 + i)
        bon = {"maj": {1: skill * 0.8, 4: skill * 0.9, 8: skill * 0.95}, "rm": {1: skill * 0.8, 4: skill, 8: skill * 1.05}}
        tasks = {
            "math500": (task_result("math500", math, extra={"best_of_n": bon}), math),
            "readoc-arxiv": readoc_task("arxiv", 20 + i),
            "readoc-github": readoc_task("github", 25 + i),
            "proactivebench": proactive_task(40 + i),
            **crux_x_tasks(skill, i),
        }
        if small:  # two benchmarks are enough where only publishing or exporting is tested
            tasks = {k: tasks[k] for k in ("math500", "proactivebench")}
        for j, ability in enumerate([] if small else ["instruct", "plan-json", "plan-str", "review"]):
            scores = grouped_metric_scores(30 + 7 * i + j, ["score"], {}, n=10)
            tasks[f"teval-{ability}"] = (task_result(f"teval-{ability}", scores), scores)
        write_run(root, f"family-{name}", model, tasks,
                  sandbox={"images": {"cruxeval-x": f"sha256:{'ab' * 8}{i}"}}, sandbox_tasks="cruxeval")


def zero_one_scores(pattern: list[int], first: int = 0) -> list[SampleScore]:
    return [SampleScore(doc_id=f"d{first + i}", values={"accuracy": float(v)}) for i, v in enumerate(pattern)]


def tie_inversion_runs(root: Path) -> None:
    """A case where "1 + the number of rows significantly better" inverts scores: `lead` beats
    `second` significantly on 200 shared documents; `short` answered only 20 of them, scores a
    little below `second`, and no test separates it from either (the old rule ranked it first). `solo` is alone on toy-solo."""
    lead = [1] * 160 + [0] * 40  # 0.80
    second = [1] * 130 + [0] * 30 + [1] * 10 + [0] * 30  # 0.70: 30 docs only lead got, 10 only second
    short = [1] * 10 + [1] * 3 + [0] * 7  # 0.65 on d150..d169: 0 vs 3 discordant with lead, 10 vs 7 with second
    for name, pattern, first in (("lead", lead, 0), ("second", second, 0), ("short", short, 150)):
        scores = zero_one_scores(pattern, first)
        write_run(root, f"tie-{name}", model_info(f"tie-{name}"), {"toy-rank": (task_result("toy-rank", scores), scores)})
    solo = zero_one_scores([1, 0, 1, 1])
    write_run(root, "tie-solo", model_info("tie-solo"), {"toy-solo": (task_result("toy-solo", solo), solo)})


def teval_chat_run(root: Path) -> Path:
    """A T-Eval-shaped run whose prompts are multi-turn chats (system, user, assistant, function)
    and whose outputs carry a reasoning split (SampleRecord.reasoning, reasoning_info)."""
    name = "teval-reason-str"
    scores, records = [], []
    for i in range(6):
        s = SampleScore(doc_id=f"query_{i}", values={"thought": 0.5 + 0.05 * i, "parse_rate": 1.0, "score": 0.5 + 0.05 * i},
                        groups={"format": "str"}, record={"scored_output": f"Thought: look up item {i}",
                                                          "parsed": {"thought": f"look up item {i}", "name": "search"}})
        scores.append(s)
        chat = [{"role": "system", "content": "You are an assistant that can use tools.\nTools: search(query), lookup(id)"},
                {"role": "user", "content": f"Find the price of item {i}."},
                {"role": "assistant", "content": f"Thought: search first\nAction: search\nAction Input: item {i}"},
                {"role": "function", "content": f"{{\"results\": [\"item {i}\", \"item {i + 1}\"]}}"}]
        records.append(SampleRecord(task=name, doc_id=s.doc_id, prompt=chat, outputs=[f"Thought: look up item {i}"],
                                    values=s.values, groups=s.groups, record=s.record,
                                    reasoning=[f"The user wants item {i}; the search found it, so look it up."],
                                    reasoning_info=[{"verdict": "complete", "reasoning_tokens": 14, "answer_tokens": 6}]))
    run_dir = write_run(root, "teval-chat", model_info("chat-7b"), {name: (task_result(name, scores), scores)})
    write_samples(run_dir, name, records)
    return run_dir
