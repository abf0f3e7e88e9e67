"""The `harness` command."""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import re
import sys
from pathlib import Path

from harness import __version__
from harness.errors import HarnessError

# Sub-commands that live beside the core (sandboxes, leaderboard, rerank...): each module offers
# register_cli(subparsers). A module that is absent or broken costs only its own commands.
PLUGIN_CLIS = ("sandboxes.cli", "leaderboard.cli", "harness.rerank.cli", "harness.embeddings")


def main(argv: list[str] | None = None) -> int:
    return run_command(build_parser(), argv)


def run_command(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> int:
    """Parse argv and run its command; a HarnessError is one line on stderr and exit status 2."""
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except HarnessError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: finished generations are in the store; run the same command again to resume",
              file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="harness", description="Evaluate LLMs on MATH, CRUXEval-X, READoc, "
                                "T-Eval and ProactiveBench.")
    p.add_argument("--version", action="version", version=f"harness {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    _add_run(sub)
    _add_score(sub)
    _add_tasks(sub)
    _add_results(sub)
    _add_parity(sub)
    for mod in PLUGIN_CLIS:
        try:
            importlib.import_module(mod).register_cli(sub)
        except ImportError:
            pass
    from harness import registry

    for add_commands in registry.cli_plugins():  # task packages' own commands
        add_commands(sub)
    return p


def _add_generation_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--tasks", required=True, help="comma-separated task names, groups, or task YAML files")
    p.add_argument("--samples", type=int, help="samples per prompt (n)")
    p.add_argument("--temperature", type=float)
    p.add_argument("--top-p", type=float)
    p.add_argument("--max-tokens", type=int)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--limit", type=int, help="only the first N documents of each task")
    p.add_argument("--data-dir", help="local mirror of the benchmark data (default: $HARNESS_DATA_DIR or ../shared/data)")
    p.add_argument("--tensor-parallel", type=int, dest="tensor_parallel_size",
                   help="GPUs per engine (vLLM); with --executor ray, GPUs per replica")
    p.add_argument("--dtype")
    p.add_argument("--max-model-len", type=int)
    p.add_argument("--gpu-memory-utilization", type=float)
    p.add_argument("--batch-size", type=int, help="hf backend batch size")
    p.add_argument("--concurrency", type=int, help="openai backend: requests in flight")
    _add_executor_args(p)
    p.add_argument("--score-option", action="append", default=[], metavar="KEY=VALUE",
                   help="a scorer option, recorded in the results (sandbox=bwrap, splice_guard=false, "
                        "readoc_fixes=[\"html-tables\"])")
    p.add_argument("--no-progress", action="store_true")


def _add_executor_args(p: argparse.ArgumentParser, default: str | None = "local") -> None:
    p.add_argument("--executor", choices=("local", "ray"), default=default,
                   help="where engines and sandboxes run: local (this process, the default) or ray "
                        "(data-parallel replicas, sandbox pools on every node)")
    p.add_argument("--replicas", type=int, help="--executor ray: engine replicas (default 1)")
    p.add_argument("--ray-address", help="--executor ray: an existing cluster (ray://HEAD:10001, HEAD:6379); "
                                         "default: start a local Ray instance")


def _add_run(sub) -> None:
    p = sub.add_parser("run", help="evaluate a model on tasks (resumable: run it again to continue)")
    p.add_argument("--model", help="smollm2-135m-instruct | vllm:PATH | hf:PATH | openai:URL#MODEL | replay:FILE")
    p.add_argument("--system", help="a document converter instead of a model (readoc): pymupdf4llm, pdftotext, ...")
    p.add_argument("--backend", choices=("vllm", "hf"), help="backend for a bare model path")
    p.add_argument("--judge", help="a judge model spec, for tasks that use one")
    p.add_argument("--output", help="run directory (default: runs/<model>-<tasks>-<settings hash>)")
    _add_generation_args(p)
    try:
        from harness.rerank.cli import add_run_arguments

        add_run_arguments(p)  # --rerank SPEC: best-of-N reranking right after generation
    except ImportError:
        pass
    p.set_defaults(func=cmd_run)


def run_config_from_args(args):
    from harness.evaluate import RunConfig

    if bool(args.model) == bool(getattr(args, "system", None)):
        raise HarnessError("give exactly one of --model or --system")
    model = args.model or f"system:{args.system}"
    opts = {k: getattr(args, k) for k in ("tensor_parallel_size", "dtype", "max_model_len", "gpu_memory_utilization",
                                          "batch_size", "concurrency") if getattr(args, k, None) is not None}
    return RunConfig(model=model, backend=getattr(args, "backend", None), judge=getattr(args, "judge", None),
                     tasks=args.tasks, samples=args.samples, temperature=args.temperature, top_p=args.top_p,
                     max_tokens=args.max_tokens, seed=args.seed, limit=args.limit, data_dir=args.data_dir,
                     backend_options=opts, scoring_options=parse_options(args.score_option),
                     executor=getattr(args, "executor", None) or "local", replicas=getattr(args, "replicas", None) or 1,
                     ray_address=getattr(args, "ray_address", None))


def parse_options(pairs: list[str]) -> dict:
    """KEY=VALUE pairs; a VALUE that reads as JSON (false, 3, ["a"]) is taken as such."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise HarnessError(f"--score-option {pair!r} is not KEY=VALUE")
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def default_run_dir(cfg) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{Path(cfg.model.split('#')[0]).name}-{cfg.tasks}")[:80]
    # where it runs is not what it is: --executor ray finds the run --executor local started
    digest = hashlib.sha256(cfg.model_dump_json(exclude={"executor", "replicas", "ray_address"}).encode()).hexdigest()[:8]
    return Path("runs") / f"{slug}-{digest}"


def cmd_run(args) -> int:
    from harness.evaluate import evaluate
    from harness.report import print_summary

    cfg = run_config_from_args(args)
    run_dir = Path(args.output) if args.output else default_run_dir(cfg)
    run = evaluate(cfg, run_dir, progress=False if args.no_progress else None)
    print_summary(run)
    if getattr(args, "rerank", None):
        from harness.rerank.cli import after_run

        after_run(args, run_dir)
    print(f"results: {run_dir / 'results.json'}")
    return 0


def _add_score(sub) -> None:
    p = sub.add_parser("score", help="re-score a run's stored outputs without running the model again")
    p.add_argument("run_dir")
    p.add_argument("--judge", help="re-judge with another judge model (agent outputs are reused)")
    _add_executor_args(p, default=None)  # default: as the run was made
    p.set_defaults(func=cmd_score)


def cmd_score(args) -> int:
    from harness.evaluate import RunConfig, StoreOnlyBackend, evaluate, load_backend_infos
    from harness.backends.models import make_backend
    from harness.report import print_summary

    run_dir = Path(args.run_dir)
    cfg = RunConfig.load(run_dir)
    if args.executor:  # sandboxes (and a new judge) run here or on the cluster, as asked
        cfg.executor, cfg.ray_address = args.executor, args.ray_address
        cfg.replicas = args.replicas or 1
    infos = load_backend_infos(run_dir)
    backends = {role: StoreOnlyBackend(info) for role, info in infos.items()}
    if args.judge:
        cfg.judge = args.judge
        backends["judge"] = make_backend(args.judge, None, cfg.backend_options)
    try:
        run = evaluate(cfg, run_dir, backends=backends, progress=False)
    finally:
        for b in backends.values():
            b.close()
    print_summary(run)
    return 0


def _add_tasks(sub) -> None:
    p = sub.add_parser("tasks", help="list tasks, or show one with a rendered prompt")
    tsub = p.add_subparsers(dest="tasks_command", metavar="list|show")
    pl = tsub.add_parser("list")
    pl.set_defaults(func=cmd_tasks_list)
    ps = tsub.add_parser("show")
    ps.add_argument("name")
    ps.add_argument("--prompt", type=int, default=0, metavar="I", help="render the prompt of document I")
    ps.add_argument("--data-dir")
    ps.set_defaults(func=cmd_tasks_show)
    p.set_defaults(func=cmd_tasks_list)


def cmd_tasks_list(args) -> int:
    from harness import registry

    for name in registry.task_names():
        task = registry.resolve(name)[0]
        print(f"{name:32s} v{task.version}  {task.description}")
    for group, members in registry.group_names().items():
        print(f"{group:32s} group of {len(members)}: {', '.join(members[:6])}{' ...' if len(members) > 6 else ''}")
    return 0


def cmd_tasks_show(args) -> int:
    from harness import registry
    from harness.task import RunSettings

    task = registry.resolve(args.name)[0]
    settings = RunSettings(data_dir=Path(args.data_dir) if args.data_dir else None)
    docs = task.load_docs(settings.data_dir)
    if not 0 <= args.prompt < len(docs):
        raise HarnessError(f"--prompt {args.prompt} is out of range", f"{task.name} has {len(docs)} documents")
    req = task.example_request(docs[args.prompt], settings)
    print(f"task: {task.name}  version: {task.version}  prompt hash: {task.prompt_hash()}  documents: {len(docs)}")
    print(f"document: {docs[args.prompt].id}")
    print(f"sampling: {req.sampling.model_dump_json()}")
    if req.messages:
        for m in req.messages:
            print(f"--- {m['role']} ---\n{m['content']}")
    else:
        print(f"--- prompt ---\n{req.prompt}")
    return 0


def _add_results(sub) -> None:
    p = sub.add_parser("results", help="show or compare result files")
    rsub = p.add_subparsers(dest="results_command", metavar="show|compare")
    ps = rsub.add_parser("show")
    ps.add_argument("run_dir")
    ps.add_argument("--by", help="a breakdown group (subject, level, language)")
    ps.add_argument("--json", action="store_true")
    ps.set_defaults(func=cmd_results_show)
    pc = rsub.add_parser("compare")
    pc.add_argument("run_a")
    pc.add_argument("run_b")
    pc.set_defaults(func=cmd_results_compare)


def cmd_results_show(args) -> int:
    from harness.report import breakdown_table, console, print_summary
    from harness.results import load_results

    run = load_results(Path(args.run_dir))
    if args.json:
        print(run.model_dump_json(indent=2))
        return 0
    print_summary(run)
    if args.by:
        for name, tr in run.tasks.items():
            if args.by in tr.breakdown:
                metric = next(iter(tr.metrics))
                console.print(breakdown_table(run, name, args.by, metric))
    return 0


def cmd_results_compare(args) -> int:
    from harness.report import compare_table, console
    from harness.results import load_results

    console.print(compare_table(load_results(Path(args.run_a)), load_results(Path(args.run_b))))
    return 0


def _add_parity(sub) -> None:
    p = sub.add_parser("parity", help="run the same greedy requests through two backends and compare")
    p.add_argument("--model", required=True)
    p.add_argument("--backends", default="vllm,hf")
    p.add_argument("--output", help="directory for the two runs and the report (default runs/parity-...)")
    _add_generation_args(p)
    p.set_defaults(func=cmd_parity)


def cmd_parity(args) -> int:
    from harness.parity import run_parity

    return run_parity(args)


if __name__ == "__main__":
    sys.exit(main())
