"""How complete a run is, in words: documents scored of those asked, failed generations, and the
replay file that did not answer everything."""

from __future__ import annotations

from pathlib import Path

from harness.errors import HarnessError
from harness.results import ModelInfo, RunResult, TaskResult


def scored_of(tr: TaskResult) -> tuple[int, int]:
    """(documents fully scored, documents in the run) of one task."""
    if tr.docs_total is None:  # results written before docs_total was recorded
        return tr.n_docs, tr.n_docs + tr.failed_docs
    return tr.docs_total - tr.failed_docs, tr.docs_total


def scored_line(run: RunResult) -> str:
    """`20 of 20 documents scored`, with the tasks that miss some named."""
    pairs = {name: scored_of(tr) for name, tr in run.tasks.items()}
    done, total = sum(p[0] for p in pairs.values()), sum(p[1] for p in pairs.values())
    short = [f"{name} {d}/{t}" for name, (d, t) in pairs.items() if d < t]
    return f"{done} of {total} documents scored" + (f" (incomplete: {', '.join(short)})" if short else "")


def failure_note(failed: int, roles_failed: set[str], infos: dict[str, ModelInfo], examples: list[str]) -> str:
    """The warning after a run whose generations partly failed; a replay file is not retried by
    running again, so it gets no such advice."""
    details = f" ({'; '.join(examples)})" if examples else ""
    replayed = {r for r, info in infos.items() if info.backend == "replay"}
    if roles_failed and roles_failed <= replayed:
        return f"warning: {failed} request(s) have no answer in the replay file and were left unscored{details}"
    return f"warning: {failed} generation(s) failed and were left unscored; run again to retry them{details}"


def check_replay_complete(run: RunResult, allow_missing: bool) -> None:
    """A replay run that misses documents is an error (exit 2) unless --allow-missing: its score
    would be over the replayed documents only, and running again cannot help."""
    replay = [m for m in (run.model, run.judge) if m is not None and m.backend == "replay"]
    if not replay or allow_missing:
        return
    incomplete = {name: scored_of(tr) for name, tr in run.tasks.items() if scored_of(tr)[0] < scored_of(tr)[1]}
    if not incomplete:
        return
    missing = sum(t - d for d, t in incomplete.values())
    files = ", ".join(Path(m.path or m.spec).name for m in replay)
    raise HarnessError(f"{missing} document(s) of {', '.join(incomplete)} have no answer in {files}; "
                       "the scores above cover only the documents it answers",
                       "add the missing lines, or pass --allow-missing to accept a partial score")
