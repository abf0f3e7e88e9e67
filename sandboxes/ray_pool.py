"""Sandbox execution fanned out over Ray workers: a Sandbox whose `run_many` spreads programs
over actors, each holding an ordinary sandbox pool (bwrap or docker) on its node.

    box = RaySandbox("bwrap")                 # one worker per node, a pool as wide as the node
    box = RaySandbox("bwrap", workers=2, threads=1)   # exactly 2 workers of 1 thread each
    verdicts = box.run_many(programs)         # same verdicts, same order, as one local pool

Programs are grouped by (language, limits), as a local pool does, so batched compiles still
see many programs of one language; the groups are cut into chunks that idle workers pull,
costliest first, so a slow language does not hold the others back at the end. A worker that
dies (a lost node) has its chunk run again by the others: verdicts are pure functions of the
program, nothing is lost. Each worker keeps its node's verdict cache (sandboxes/cache.py) and
toolchains; every node needs the sandbox set up (.ci/setup-sandboxes.sh). Workers reserve no
Ray CPUs (the programs run in the sandbox's own processes), so they are placed next to model
replicas that hold every CPU.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from harness.errors import HarnessError

from .base import Program, Sandbox, Verdict, run_each_once

COMPILED_WEIGHT = 4   # a compiled program costs about this many interpreted ones (for ordering only)
BATCH_CHUNK = 16      # java/scala/ts: programs per chunk, so one compiler process serves many


class SandboxWorker:
    """One sandbox pool in one Ray worker process. Wrapped with ray.remote by RaySandbox."""

    def __init__(self, kind: str | None, options: dict[str, Any]):
        from sandboxes import get_sandbox

        self.box = get_sandbox(kind, **options)

    def where(self) -> dict[str, Any]:
        import os
        import socket

        import ray

        return {"node": ray.get_runtime_context().get_node_id(), "host": socket.gethostname(),
                "pid": os.getpid(), "kind": self.box.kind, "threads": getattr(self.box, "workers", 1)}

    def start(self, languages: list[str]) -> None:
        self.box.start(languages)

    def run_many(self, programs: list[Program]) -> list[Verdict]:
        return self.box.run_many(programs)

    def describe(self) -> dict[str, Any]:
        return self.box.describe()

    def close(self) -> None:
        self.box.close()


class RaySandbox(Sandbox):
    kind = "ray"

    def __init__(self, kind: str | None = None, workers: int | None = None, threads: int | None = None,
                 address: str | None = None, chunks_per_worker: int = 8, **options: Any):
        """kind: the sandbox each worker runs (None: docker where reachable, else bwrap).
        workers: None = one per alive node, each `threads` wide (default: the node's CPUs);
        a number = that many workers spread over the cluster, `threads` each (default: the
        cluster's CPUs shared out). options go to each worker's sandbox (cache, batch, limits)."""
        from harness.ray_cluster import error_line, connect, forwarded_env, import_ray

        ray = import_ray()
        self._connected = connect(address)
        self.chunks_per_worker = chunks_per_worker
        self.actors: list[Any] = []
        nodes = [n for n in ray.nodes() if n.get("Alive") and n.get("Resources", {}).get("CPU", 0) > 0]
        if not nodes:
            self.close()
            raise HarnessError("the Ray cluster has no alive node with CPUs for sandbox workers")
        cls = ray.remote(SandboxWorker)
        env = {"env_vars": forwarded_env(address)}
        if workers is None:
            from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

            for node in nodes:
                width = threads or max(1, int(node["Resources"]["CPU"]))
                self.actors.append(cls.options(
                    num_cpus=0, runtime_env=env, max_restarts=0,
                    scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False),
                ).remote(kind, {**options, "workers": width}))
        else:
            total = sum(int(n["Resources"]["CPU"]) for n in nodes)
            width = threads or max(1, total // workers)
            self.actors = [cls.options(num_cpus=0, runtime_env=env, max_restarts=0,
                                       scheduling_strategy="SPREAD").remote(kind, {**options, "workers": width})
                           for _ in range(workers)]
        try:
            self.placement = ray.get([a.where.remote() for a in self.actors])
        except Exception as e:
            self.close()
            raise HarnessError(f"a Ray sandbox worker could not start: {error_line(e)}",
                               "set the sandbox up on every node (.ci/setup-sandboxes.sh)") from None
        self.inner_kind = self.placement[0]["kind"]
        self._languages: set[str] = set()

    @property
    def workers(self) -> int:
        return len(self.actors)

    def start(self, languages: list[str]) -> None:
        import ray

        new = sorted(set(languages) - self._languages)
        if new:
            ray.get([a.start.remote(new) for a in self.actors])
            self._languages |= set(new)

    def run(self, program: Program) -> Verdict:
        return self.run_many([program])[0]

    def run_many(self, programs: list[Program]) -> list[Verdict]:
        return run_each_once(programs, self._run_distinct)  # copies never reach two workers

    def _run_distinct(self, programs: list[Program]) -> list[Verdict]:
        import ray

        verdicts: list[Verdict | None] = [None] * len(programs)
        pending = deque(self.plan(programs))
        idle = deque(self.actors)
        running: dict[Any, tuple[Any, list[int]]] = {}
        while pending or running:
            while pending and idle:
                actor, chunk = idle.popleft(), pending.popleft()
                running[actor.run_many.remote([programs[i] for i in chunk])] = (actor, chunk)
            if not running:
                raise HarnessError(f"every Ray sandbox worker died; {sum(map(len, pending))} program(s) "
                                   "left unjudged", "check the cluster's nodes, then run `harness score`")
            ready, _ = ray.wait(list(running), num_returns=1)
            for ref in ready:
                actor, chunk = running.pop(ref)
                try:
                    results = ray.get(ref)
                except ray.exceptions.RayActorError:
                    pending.appendleft(chunk)  # judged again by a live worker: verdicts are pure
                    self.actors.remove(actor)
                    continue
                for i, v in zip(chunk, results):
                    verdicts[i] = v
                idle.append(actor)
        return verdicts  # type: ignore[return-value]

    def plan(self, programs: list[Program]) -> list[list[int]]:
        """Chunks of one (language, limits) group each, costliest first (compiled languages weigh
        more), so the slow ones do not come last; several chunks per worker so workers finish
        together, none narrower than a worker's pool, and batch-compiled languages in chunks
        big enough to batch."""
        from .batching import STRATEGIES
        from .languages import get_language

        groups: dict[tuple, list[int]] = {}
        for i, p in enumerate(programs):
            groups.setdefault((p.language, p.limits), []).append(i)
        width = max((w.get("threads", 1) for w in self.placement), default=1)
        size = max(width, math.ceil(len(programs) / (len(self.actors) * self.chunks_per_worker)))
        weighted = []
        for (language, _), idx in groups.items():
            spec = get_language(language)
            strategy = STRATEGIES.get(spec.batch)
            step = max(size, min(len(idx), BATCH_CHUNK)) if strategy and strategy.batches else size
            weight = COMPILED_WEIGHT if spec.compile else 1
            weighted += [(len(idx[j:j + step]) * weight, idx[j:j + step]) for j in range(0, len(idx), step)]
        return [chunk for _, chunk in sorted(weighted, key=lambda wc: -wc[0])]

    def describe(self) -> dict[str, Any]:
        import ray

        inner = ray.get(self.actors[0].describe.remote()) if self.actors else {}
        return {**inner, "ray": {"workers": len(self.actors),
                                 "placement": [{k: w[k] for k in ("host", "node", "threads")}
                                               for w in self.placement]}}

    def close(self) -> None:
        import ray

        refs = [a.close.remote() for a in self.actors]
        if refs:
            ray.wait(refs, num_returns=len(refs), timeout=60)
        for a in self.actors:
            try:
                ray.kill(a, no_restart=True)
            except Exception:
                pass
        self.actors = []
        if self._connected:
            ray.shutdown()
            self._connected = False
