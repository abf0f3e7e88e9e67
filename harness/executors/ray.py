"""The Ray executor: data-parallel model replicas on a Ray cluster.

Each replica is an actor that owns one engine, built from the same model spec and options as a
local run (`make_backend`), so it is the same engine: vLLM with `tensor_parallel` GPUs
(`num_gpus=tensor_parallel`), or on a CPU-only cluster an equal share of the cluster's CPUs (and,
for replicas that share a node, a disjoint slice of its cores). Roles whose backend is not a
local engine (openai, replay, system) answer from this process, as with the local executor.

A round's requests are sorted by prompt length and dealt into chunks like cards (a snake: the
longest to chunk 0, 1, ... n-1, then back from n-1), so every chunk holds the same mix of long and
short prompts; idle replicas pull the next chunk, so replicas finish together. Each replica streams
every finished request back (a Ray streaming generator) and the driver hands it to the runner,
which writes it to the run's one sample store at once. A replica that dies (a lost node, an OOM,
`ray.kill`) loses only its requests in flight: the survivors take the chunks nobody started,
everything finished is stored, and the round ends with a one-line BackendError saying how many
were lost; the next run of the same command reads the rest from the store and redoes only those.
A killed driver takes its actors with it (they are owned by the driver) and loses the same.

Ray is imported only here, and only when `--executor ray` is asked for.
"""

from __future__ import annotations

import math
import os
import queue
import socket
import threading
import time
import uuid
from collections import deque
from typing import Any, Callable

from harness.backends.base import OnError, OnResult
from harness.backends.models import make_backend, parse_spec
from harness.errors import BackendError, HarnessError
from harness.executors.base import Executor
from harness.ray_cluster import NAMESPACE, error_line, connect, forwarded_env, import_ray
from harness.requests import Request
from harness.results import ModelInfo

#: backends that run an engine in-process and are replicated; the others answer from the driver
REPLICATED_KINDS = ("vllm", "hf")
#: seconds to wait for replicas to be placed before saying the cluster is too small
PLACEMENT_TIMEOUT_S = float(os.environ.get("HARNESS_RAY_PLACEMENT_TIMEOUT", "600"))


def _why(e: BaseException) -> str:
    """One line: the exception's type and first line (the actor's own exception for a task error)."""
    cause = getattr(e, "cause", None)
    return error_line(e) if isinstance(cause, BaseException) and cause is not e else f"{type(e).__name__}: {error_line(e)}"


# -- the actor -------------------------------------------------------------------------------

class EngineReplica:
    """One engine, in its own Ray worker process. Wrapped with ray.remote by the pool."""

    def __init__(self, index: int):
        self.index = index
        self.backend = None

    def where(self) -> dict[str, Any]:
        import ray

        return {"node": ray.get_runtime_context().get_node_id(), "host": socket.gethostname(),
                "pid": os.getpid(), "cpus": sorted(os.sched_getaffinity(0)),
                "gpus": [str(g) for g in ray.get_gpu_ids()]}

    def load(self, spec: str, backend: str | None, options: dict[str, Any],
             cpus: list[int] | None) -> ModelInfo:
        if cpus:
            # The engine's processes inherit this: vLLM's CPU build binds its OpenMP threads
            # within the process's allowed cores, so replicas sharing a node do not collide.
            os.sched_setaffinity(0, cpus)
        self.backend = make_backend(spec, backend, options)
        self.backend.start()  # a replica loads its engine when placed, not on its first chunk
        return self.backend.info()

    def generate(self, items: list[tuple[int, Request]]):
        """Yield (index, "ok", generations) or (index, "error", message) as each request ends."""
        results: queue.Queue = queue.Queue()
        end = object()

        def on_result(i: int, gens: list) -> None:
            for g in gens:  # which replica answered: kept in the store, not in the records
                g.meta = {**(g.meta or {}), "replica": self.index}
            results.put((items[i][0], "ok", gens))

        def run() -> None:
            try:
                self.backend.generate([r for _, r in items], on_result,
                                      lambda i, msg: results.put((items[i][0], "error", msg)))
            except BaseException as e:  # noqa: BLE001 - re-raised in the generator below
                results.put(e)
            finally:
                results.put(end)

        thread = threading.Thread(target=run, name="engine", daemon=True)
        thread.start()
        while True:
            item = results.get()
            if item is end:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
        thread.join()

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()
            self.backend = None


# -- the driver side -------------------------------------------------------------------------

class _Replica:
    def __init__(self, index: int, actor: Any):
        self.index = index
        self.actor = actor
        self.alive = True
        self.where: dict[str, Any] = {}
        self.cpus: list[int] | None = None
        self.chunks = 0  # chunks dispatched to this replica, this round


class _Stream:
    def __init__(self, replica: _Replica, chunk: list[int]):
        self.replica = replica
        self.chunk = chunk
        self.delivered: set[int] = set()


class ReplicaPool:
    """N replicas of one role's engine."""

    def __init__(self, executor: "RayExecutor", role: str, spec: str, backend: str | None,
                 options: dict[str, Any]):
        ray = import_ray()
        self.executor, self.role = executor, role
        self.spec, self.backend, self.options = spec, backend, dict(options)
        self.kind = parse_spec(spec, backend).kind
        n, tp = executor.replicas, executor.tensor_parallel
        resources = ray.cluster_resources()
        gpus, cpus = resources.get("GPU", 0), resources.get("CPU", 0)
        self.on_gpu = gpus > 0
        if self.on_gpu:
            if n * tp > gpus:
                raise HarnessError(f"{n} replicas x {tp} tensor-parallel GPUs need {n * tp} GPUs; "
                                   f"the Ray cluster has {gpus:g}", "lower --replicas or --tensor-parallel")
            self.resources = {"num_gpus": tp, "num_cpus": 1}
        else:
            if cpus <= 0:
                raise HarnessError("the Ray cluster has no CPUs to place replicas on")
            share = int(cpus // n) if cpus >= n else round(cpus / n, 4)
            self.resources = {"num_cpus": share}
        if tp > 1:
            self.options.setdefault("tensor_parallel_size", tp)
        self.env = {**forwarded_env(executor.address), **executor.env}
        self.actor_class = ray.remote(EngineReplica)
        self.tag = uuid.uuid4().hex[:8]
        self.replicas = [self._new_actor(i) for i in range(n)]
        self.info: ModelInfo | None = None
        t0 = time.perf_counter()
        self._load(self.replicas)
        self.load_s = round(time.perf_counter() - t0, 1)

    def _new_actor(self, index: int) -> _Replica:
        actor = self.actor_class.options(
            name=f"harness-{self.role}-{index}-{self.tag}", namespace=NAMESPACE,
            max_restarts=0, runtime_env={"env_vars": self.env}, **self.resources,
        ).remote(index)
        return _Replica(index, actor)

    def _load(self, replicas: list[_Replica]) -> None:
        ray = import_ray()
        refs = {r.actor.where.remote(): r for r in replicas}
        ready, pending = ray.wait(list(refs), num_returns=len(refs), timeout=PLACEMENT_TIMEOUT_S)
        if pending:
            self._kill(replicas)
            raise HarnessError(
                f"{len(pending)} of {len(refs)} {self.role} replicas could not be placed within "
                f"{PLACEMENT_TIMEOUT_S:.0f} s (each asks {self._ask()}; the cluster has "
                f"{_resources_line(ray.cluster_resources())})", "lower --replicas, or add nodes")
        for ref in ready:
            try:
                refs[ref].where = ray.get(ref)
            except Exception as e:
                self._kill(replicas)
                raise BackendError(f"a {self.role} replica could not start: {_why(e)}",
                                   "check that harness is installed on every node") from None
        self._pin(replicas)
        loads = {r.actor.load.remote(self.spec, self.backend, self.options, r.cpus): r for r in replicas}
        infos = []
        for ref, r in loads.items():
            try:
                infos.append(ray.get(ref))
            except Exception as e:
                self._kill(self.replicas)
                raise BackendError(f"{self.role} replica {r.index} could not load '{self.spec}': {_why(e)}",
                                   "check the model path on every node and that it fits there") from None
        fingerprints = {i.fingerprint for i in infos}
        if self.info is not None:
            fingerprints.add(self.info.fingerprint)
        if len(fingerprints) > 1:
            self._kill(self.replicas)
            raise BackendError(f"the {self.role} replicas loaded different model files "
                               f"(fingerprints {', '.join(sorted(fingerprints))})",
                               "every node must see the same checkpoint")
        self.info = self.info or infos[0]

    def _pin(self, replicas: list[_Replica]) -> None:
        """On CPU, replicas sharing a node get disjoint, equal slices of its cores (unless the
        user binds vLLM's threads himself)."""
        if self.on_gpu or "VLLM_CPU_OMP_THREADS_BIND" in self.env:
            return
        by_node: dict[str, list[_Replica]] = {}
        for r in self.replicas:
            if r.alive and r.where:
                by_node.setdefault(r.where["node"], []).append(r)
        for group in by_node.values():
            group.sort(key=lambda r: r.index)
            cores = sorted(set.intersection(*(set(r.where["cpus"]) for r in group)))
            per = len(cores) // len(group)
            for k, r in enumerate(group):
                if r in replicas:
                    r.cpus = cores[k * per:(k + 1) * per] if len(group) > 1 and per > 0 else None

    def _ask(self) -> str:
        return ", ".join(f"{k.removeprefix('num_')}={v:g}" for k, v in self.resources.items())

    def ensure_alive(self) -> None:
        """Replace replicas lost in an earlier round (a re-run in the same process)."""
        dead = [r for r in self.replicas if not r.alive]
        if not dead:
            return
        if not self.executor.replace_lost:
            if len(dead) < len(self.replicas):
                return
            raise BackendError(f"every {self.role} replica is lost", "run the same command again")
        ray = import_ray()
        fresh = {old.index: self._new_actor(old.index) for old in dead}
        try:
            wheres = ray.get([r.actor.where.remote() for r in fresh.values()], timeout=PLACEMENT_TIMEOUT_S)
            for old, new, where in zip(dead, fresh.values(), wheres):
                new.where = where
                # a successor on the dead replica's node takes its slice of cores
                new.cpus = old.cpus if where["node"] == old.where.get("node") else None
            infos = ray.get([r.actor.load.remote(self.spec, self.backend, self.options, r.cpus)
                             for r in fresh.values()])
        except Exception as e:
            self._kill(list(fresh.values()))
            raise BackendError(f"lost {self.role} replicas could not be replaced: {_why(e)}",
                               "run the same command again in a fresh process") from None
        if any(i.fingerprint != self.info.fingerprint for i in infos):
            self._kill(list(fresh.values()))
            raise BackendError(f"a replacement {self.role} replica loaded different model files")
        for index, new in fresh.items():
            self.replicas[index] = new

    def generate(self, requests: list[Request], on_result: OnResult, on_error: OnError) -> None:
        ray = import_ray()
        self.ensure_alive()
        live = [r for r in self.replicas if r.alive]
        pending = deque(plan_chunks([len(r.content()) for r in requests], len(live),
                                    self.executor.chunk_size, self.executor.chunks_per_replica))
        idle = deque(live)
        for r in live:
            r.chunks = 0
        streams: dict[Any, _Stream] = {}
        lost, finished, died = 0, 0, []
        while True:
            while pending and idle:
                replica, chunk = idle.popleft(), pending.popleft()
                replica.chunks += 1
                if self.executor.on_dispatch is not None:  # test hook, just before the chunk is sent
                    self.executor.on_dispatch(self.executor, self.role, replica.index, replica.chunks)
                items = [(i, requests[i]) for i in chunk]
                gen = replica.actor.generate.options(num_returns="streaming").remote(items)
                streams[gen] = _Stream(replica, chunk)
            if not streams:
                break
            ready, _ = ray.wait(list(streams), num_returns=1)
            for gen in ready:
                st = streams[gen]
                try:
                    i, status, payload = ray.get(next(gen))
                except StopIteration:
                    del streams[gen]
                    idle.append(st.replica)
                    continue
                except Exception as e:  # the actor died, or its engine failed: in-flight work is lost
                    del streams[gen]
                    st.replica.alive = False
                    lost += len(st.chunk) - len(st.delivered)
                    died.append((st.replica.index, _why(e)))
                    self._kill([st.replica])
                    continue
                st.delivered.add(i)
                finished += 1
                if status == "ok":
                    on_result(i, payload)
                else:
                    on_error(i, payload)
        unstarted = sum(len(c) for c in pending)
        if lost or unstarted:
            first = died[0] if died else (None, "no replica left")
            raise BackendError(
                f"{len(died)} of {len(self.replicas)} {self.role} replicas died (replica {first[0]}: "
                f"{first[1]}): {lost + unstarted} of {len(requests)} request(s) lost"
                + (f" ({unstarted} never started)" if unstarted else "")
                + f", {finished} finished and stored",
                "run the same command again: finished generations are read from the store, only "
                "the lost ones are redone")
        if died:
            then = "replaced before the next round" if self.executor.replace_lost else "not replaced"
            from harness import terminal  # the terminal, not the run's log

            terminal.echo(f"warning: {len(died)} {self.role} replica(s) died with nothing in flight; {then}", err=True)

    def _kill(self, replicas: list[_Replica]) -> None:
        ray = import_ray()
        for r in replicas:
            r.alive = False
            try:
                ray.kill(r.actor, no_restart=True)
            except Exception:
                pass

    def placement(self) -> list[dict[str, Any]]:
        return [{"replica": r.index, "host": r.where.get("host"), "node": r.where.get("node"),
                 **({"cpus": r.cpus} if r.cpus else {}), **({"gpus": r.where["gpus"]} if r.where.get("gpus") else {})}
                for r in self.replicas]

    def close(self) -> None:
        ray = import_ray()
        live = [r for r in self.replicas if r.alive]
        refs = [r.actor.close.remote() for r in live]
        if refs:
            ray.wait(refs, num_returns=len(refs), timeout=60)  # let engines shut down cleanly
        self._kill(live)


def plan_chunks(lengths: list[int], replicas: int, chunk_size: int | None = None,
                chunks_per_replica: int = 4, min_chunk: int = 16) -> list[list[int]]:
    """Request indices in chunks of equal work: sorted by prompt length (longest first) and dealt
    out like cards in a snake (0, 1, ..., n-1, n-1, ..., 1, 0, 0, 1, ...), so every chunk gets the
    same mix of long and short prompts. Enough chunks for every replica (and a few per replica,
    pulled by whichever replica is idle), none smaller than min_chunk unless needed."""
    n = len(lengths)
    if n == 0:
        return []
    order = sorted(range(n), key=lambda i: (-lengths[i], i))
    if chunk_size:
        count = math.ceil(n / chunk_size)
    else:
        count = max(min(replicas, n), min(replicas * chunks_per_replica, math.ceil(n / min_chunk)))
    chunks: list[list[int]] = [[] for _ in range(count)]
    for j, i in enumerate(order):
        turn, pos = divmod(j, count)
        chunks[pos if turn % 2 == 0 else count - 1 - pos].append(i)
    return [c for c in chunks if c]


def _resources_line(res: dict[str, float]) -> str:
    keys = [k for k in ("CPU", "GPU", "memory") if k in res]
    return ", ".join(f"{k}={res[k] / 2**30:.0f}GiB" if k == "memory" else f"{k}={res[k]:g}" for k in keys)


class RayExecutor(Executor):
    name = "ray"

    def __init__(self, replicas: int = 1, tensor_parallel: int = 1, address: str | None = None,
                 chunk_size: int | None = None, chunks_per_replica: int = 4,
                 env: dict[str, str] | None = None, replace_lost: bool = True):
        """chunk_size: requests per chunk (default: about chunks_per_replica chunks per replica,
        at least 16 requests each); env: environment for the replicas, over the forwarded one;
        replace_lost: a later round (a re-run in this process) starts new replicas for the dead
        ones; False: the survivors carry on alone."""
        super().__init__()
        if replicas < 1 or tensor_parallel < 1:
            raise HarnessError("--replicas and --tensor-parallel must be at least 1")
        self.replicas, self.tensor_parallel, self.address = replicas, tensor_parallel, address
        self.env = dict(env or {})
        self.replace_lost = replace_lost
        self.chunk_size, self.chunks_per_replica = chunk_size, chunks_per_replica
        import_ray()  # fail fast when ray is missing; connect only when there is work for the cluster
        self._connected = False
        self._pools: dict[str, ReplicaPool] = {}
        #: test hook: on_dispatch(executor, role, replica_index, chunks_so_far), before each chunk is sent
        self.on_dispatch: Callable[["RayExecutor", str, int, int], None] | None = None

    def load(self, role: str, spec: str, backend: str | None = None,
             options: dict[str, Any] | None = None, replicate: bool | None = None) -> None:
        """replicate: None = replicas for local engines (vllm, hf) only; True = for any backend."""
        if not (replicate if replicate is not None else parse_spec(spec, backend).kind in REPLICATED_KINDS):
            super().load(role, spec, backend, options)  # a server or a file: answered from here
            return
        self._connected = connect(self.address) or self._connected
        self._pools[role] = ReplicaPool(self, role, spec, backend, options or {})

    @property
    def roles(self) -> list[str]:
        return [*self._pools, *self._backends]

    def info(self, role: str) -> ModelInfo:
        return self._pools[role].info if role in self._pools else super().info(role)

    def kind(self, role: str) -> str:
        return f"{self._pools[role].kind} x{self.replicas}" if role in self._pools else super().kind(role)

    def replica_actors(self, role: str = "model") -> list[Any]:
        return [r.actor for r in self._pools[role].replicas]

    def generate(self, role: str, requests: list[Request], on_result: OnResult, on_error: OnError) -> None:
        if role in self._pools:
            self._pools[role].generate(requests, on_result, on_error)
        else:
            self._backend(role).generate(requests, on_result, on_error)

    def sandbox(self, kind: str | None = None, **options: Any):
        """The scorers' sandbox: a pool on every node of the cluster (sandboxes/ray_pool.py)."""
        from sandboxes.ray_pool import RaySandbox

        return RaySandbox(kind, address=self.address, **options)

    def describe(self) -> dict[str, Any]:
        import ray

        out: dict[str, Any] = {"name": self.name, "replicas": self.replicas,
                               "tensor_parallel": self.tensor_parallel, "ray": ray.__version__,
                               "address": self.address or "local"}
        if ray.is_initialized():
            out["nodes"] = len([n for n in ray.nodes() if n.get("Alive")])
        for role, pool in self._pools.items():
            out.setdefault("roles", {})[role] = {"resources_per_replica": pool.resources,
                                                 "load_s": pool.load_s,
                                                 "placement": pool.placement()}
        return out

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
        super().close()
        if self._connected:
            import ray

            ray.shutdown()
            self._connected = False
