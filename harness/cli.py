"""The `harness` command."""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import re
import sys
from pathlib import Path

from harness import __version__, outcome, reasoning, terminal
from harness.cli_checks import OneLineParser, check_generation_args, run_dir_errors, run_directory
from harness.errors import HarnessError
from harness.reasoning import ReasoningPolicy

# Sub-commands that live beside the core (sandboxes, leaderboard, rerank...): each module offers
# register_cli(subparsers). A module that is absent or broken costs only its own commands.
PLUGIN_CLIS = ("sandboxes.cli", "leaderboard.cli", "harness.rerank.cli", "harness.embeddings", "harness.doctor")


def main(argv: list[str] | None = None) -> int:
    return run_command(build_parser(), argv)


def run_command(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> int:
    """Parse argv and run its command; a HarnessError is one line on stderr and exit status 2."""
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    from harness.backends.engine_guard import install_signal_handlers

    install_signal_handlers()  # SIGTERM/SIGHUP unwind like Ctrl-C: engines shut down, store closed
    try:
        return int(args.func(args) or 0)
    except HarnessError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as e:  # an optional dependency the command imports where it uses it
        from harness import extras

        if not extras.is_optional(e):
            raise
        print(f"error: {extras.missing(e, f'harness {args.command}')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as e:
        print("interrupted: finished generations are in the store; run the same command again to resume",
              file=sys.stderr)
        return 128 + getattr(e, "signum", 2)  # 130 for Ctrl-C, 143 for SIGTERM, as the shell has it


def build_parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="harness", description="Evaluate LLMs on MATH, CRUXEval-X, READoc, "
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
    p.add_argument("--limit", type=int, help="only the first N documents of each task (with --spread: N spread over its categories)")
    p.add_argument("--spread", action="store_true",
                   help="with --limit N: a deterministic sample of N documents that covers each task's "
                        "categories (subject, category...) instead of the first N")
    p.add_argument("--data-dir", help="local mirror of the benchmark data (default: $HARNESS_DATA_DIR or ../shared/data)")
    p.add_argument("--tensor-parallel", type=int, dest="tensor_parallel_size",
                   help="GPUs per engine (vLLM); with --executor ray, GPUs per replica")
    p.add_argument("--dtype")
    p.add_argument("--max-model-len", type=int)
    p.add_argument("--gpu-memory-utilization", type=float)
    p.add_argument("--batch-size", type=int, help="hf backend batch size")
    p.add_argument("--concurrency", type=int, help="openai backend: requests in flight")
    p.add_argument("--max-images", type=int, help="vision models (vllm, hf): images per prompt, more fail that request")
    p.add_argument("--max-pages", type=int, help="documents read as page images (readoc): only the first N pages "
                                                 "(the rest are reported in the results)")
    p.add_argument("--image-dpi", type=int, help="page images: render resolution (readoc default 216, the paper's)")
    p.add_argument("--max-pixels", type=int, help="page images: at most this many pixels (width x height) each")
    reasoning.add_arguments(p)
    _add_executor_args(p)
    p.add_argument("--score-option", action="append", default=[], metavar="KEY=VALUE",
                   help="a scorer option, recorded in the results (sandbox=bwrap, splice_guard=false, "
                        "readoc_fixes=[\"html-tables\"])")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--verbose", action="store_true",
                   help="show the libraries' logs and warnings too (always kept in RUN_DIR/harness.log)")


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
    p.add_argument("--allow-missing", action="store_true",
                   help="replay: score the documents the file answers and exit 0 (default: exit 2 when it misses some)")
    _add_generation_args(p)
    try:
        from harness.rerank.cli import add_run_arguments

        add_run_arguments(p)  # --rerank SPEC: best-of-N reranking right after generation
    except ImportError:
        pass
    p.set_defaults(func=cmd_run)


def run_config_from_args(args):
    from harness.evaluate import RunConfig

    check_generation_args(args)
    if bool(args.model) == bool(getattr(args, "system", None)):
        raise HarnessError("give exactly one of --model or --system",
                           "--model smollm2-135m-instruct, for example; `harness run --help` lists the specs")
    model = args.model or f"system:{args.system}"
    opts = {k: getattr(args, k) for k in ("tensor_parallel_size", "dtype", "max_model_len", "gpu_memory_utilization",
                                          "batch_size", "concurrency", "max_images") if getattr(args, k, None) is not None}
    return RunConfig(model=model, backend=getattr(args, "backend", None), judge=getattr(args, "judge", None),
                     tasks=args.tasks, samples=args.samples, temperature=args.temperature, top_p=args.top_p,
                     max_tokens=args.max_tokens, seed=args.seed, limit=args.limit, spread=args.spread, data_dir=args.data_dir,
                     backend_options=opts, scoring_options=parse_options(args.score_option),
                     executor=getattr(args, "executor", None) or "local", replicas=getattr(args, "replicas", None) or 1,
                     ray_address=getattr(args, "ray_address", None),
                     reasoning=ReasoningPolicy.parse(getattr(args, "reasoning", None)).spec,
                     chat_template_kwargs=reasoning.parse_template_kwargs(getattr(args, "chat_template_kwargs", None)),
                     max_pages=args.max_pages, image_dpi=args.image_dpi, max_pixels=args.max_pixels)


def parse_options(pairs: list[str]) -> dict:
    """KEY=VALUE pairs; a VALUE that reads as JSON (false, 3, ["a"]) is taken as such."""
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise HarnessError(f"--score-option {pair!r} is not KEY=VALUE", "e.g. --score-option sandbox=bwrap")
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def default_run_dir(cfg) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{Path(cfg.model.split('#')[0]).name}-{cfg.tasks}")[:80]
    # where it runs is not what it is: --executor ray finds the run --executor local started
    # (nor how stored outputs are re-split; reasoning settings left at their defaults keep earlier digests)
    exclude = {"executor", "replicas", "ray_address", "rescore_reasoning"}
    exclude |= {k for k, v in (("reasoning", "auto"), ("chat_template_kwargs", {}), ("spread", False)) if getattr(cfg, k) == v}
    digest = hashlib.sha256(cfg.model_dump_json(exclude=exclude).encode()).hexdigest()[:8]
    return Path("runs") / f"{slug}-{digest}"


def cmd_run(args) -> int:
    from harness.evaluate import evaluate
    from harness.report import print_summary

    cfg = run_config_from_args(args)
    run_dir = Path(args.output) if args.output else default_run_dir(cfg)
    with run_directory(run_dir), terminal.capture(run_dir / terminal.LOG_FILE, verbose=args.verbose), \
            run_dir_errors(run_dir):
        run = evaluate(cfg, run_dir, progress=False if args.no_progress else None)
    print_summary(run)
    if getattr(args, "rerank", None):
        from harness.rerank.cli import after_run

        after_run(args, run_dir)
    print(f"results: {run_dir / 'results.json'}")
    outcome.check_replay_complete(run, args.allow_missing)
    return 0


def _add_score(sub) -> None:
    p = sub.add_parser("score", help="re-score a run's stored outputs without running the model again")
    p.add_argument("run_dir")
    p.add_argument("--judge", help="re-judge with another judge model (agent outputs are reused)")
    reasoning.add_arguments(p, rescore=True)
    _add_executor_args(p, default=None)  # default: as the run was made
    p.add_argument("--verbose", action="store_true",
                   help="show the libraries' logs and warnings too (always kept in RUN_DIR/harness.log)")
    p.set_defaults(func=cmd_score)


def cmd_score(args) -> int:
    from harness.evaluate import RunConfig, StoreOnlyBackend, evaluate, load_backend_infos
    from harness.backends.models import make_backend
    from harness.report import print_summary

    run_dir = Path(args.run_dir)
    cfg = RunConfig.load(run_dir)
    # the stored outputs re-split as asked (no inference); without --reasoning, as the run had it
    cfg.rescore_reasoning = ReasoningPolicy.parse(args.reasoning).spec if args.reasoning else None
    if args.executor:  # sandboxes (and a new judge) run here or on the cluster, as asked
        cfg.executor, cfg.ray_address = args.executor, args.ray_address
        cfg.replicas = args.replicas or 1
    infos = load_backend_infos(run_dir)
    backends = {role: StoreOnlyBackend(info) for role, info in infos.items()}
    if args.judge:
        cfg.judge = args.judge
        backends["judge"] = make_backend(args.judge, None, cfg.backend_options)
    with terminal.capture(run_dir / terminal.LOG_FILE, verbose=args.verbose), run_dir_errors(run_dir):
        try:
            run = evaluate(cfg, run_dir, backends=backends, progress=False)
        finally:  # an engine shuts down inside the capture too
            for b in backends.values():
                b.close()
    print_summary(run)
    return 0


def _add_tasks(sub) -> None:
    from harness.task_schema import key_names

    p = sub.add_parser("tasks", help="list tasks, show one with a rendered prompt, or the YAML task format",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Tasks are built in (`harness tasks list`) or YAML files given by path to "
                                   "--tasks.\nA YAML task file has the keys: " + ", ".join(key_names()) + ".\n"
                                   "`harness tasks schema` describes every key, with an example.")
    tsub = p.add_subparsers(dest="tasks_command", metavar="list|show|schema")
    pschema = tsub.add_parser("schema", help="the YAML task format: every key, with an example")
    pschema.set_defaults(func=cmd_tasks_schema)
    pl = tsub.add_parser("list", help="every task and group (and those whose extra is not installed)")
    pl.set_defaults(func=cmd_tasks_list)
    ps = tsub.add_parser("show", help="one task, with a rendered prompt")
    ps.add_argument("name")
    ps.add_argument("--prompt", type=int, default=0, metavar="I", help="render the prompt of document I")
    ps.add_argument("--data-dir")
    ps.add_argument("--model", help="also render the prompt with this local model's chat template")
    reasoning.add_arguments(ps)
    ps.set_defaults(func=cmd_tasks_show)
    p.set_defaults(func=cmd_tasks_list)


def cmd_tasks_schema(args) -> int:
    from harness.task_schema import schema_text

    print(schema_text())
    return 0


def cmd_tasks_list(args) -> int:
    from harness import registry

    for name in registry.task_names():
        try:
            task = registry.make_task(name)
        except HarnessError as e:  # its extra is not installed
            print(f"{name:32s} unavailable: {e}")
            continue
        print(f"{name:32s} v{task.version}  {task.description}")
    for family, why in registry.unavailable().items():
        print(f"{family + '-*':32s} unavailable: {why}")
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
    req, rendered = reasoning.shown_request(task.example_request(docs[args.prompt], settings), args.model,
                                            args.reasoning, reasoning.parse_template_kwargs(args.chat_template_kwargs))
    print(f"task: {task.name}  version: {task.version}  prompt hash: {task.prompt_hash()}  documents: {len(docs)}")
    print(f"document: {docs[args.prompt].id}")
    print(f"sampling: {req.sampling.model_dump_json()}")
    if req.messages:
        for m in req.messages:
            print(f"--- {m['role']} ---\n{m['content']}")
    else:
        print(f"--- prompt ---\n{req.prompt}")
    if rendered is not None:
        print(f"--- as {args.model} reads it (chat template kwargs: {req.sampling.template_kwargs()}) ---\n{rendered}")
    return 0


def _add_results(sub) -> None:
    p = sub.add_parser("results", help="show or compare result files")
    rsub = p.add_subparsers(dest="results_command", metavar="show|compare")
    ps = rsub.add_parser("show")
    ps.add_argument("run_dir")
    ps.add_argument("--by", help="a breakdown group (subject, level, language), or `verdict`: passed / "
                                 "failed / rejected / infra error per language, for tasks that run answers")
    ps.add_argument("--json", action="store_true")
    ps.set_defaults(func=cmd_results_show)
    pc = rsub.add_parser("compare", help="two runs side by side, with paired tests (McNemar, paired bootstrap) and CIs")
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
    if args.by == "verdict":
        from harness.verdicts import verdict_table

        run_dir = Path(args.run_dir)
        table = verdict_table(run, run_dir if run_dir.is_dir() else run_dir.parent)
        console.print(table if table is not None else "no judged samples (no task of this run executes answers)")
    elif args.by:
        for name, tr in run.tasks.items():
            if args.by in tr.breakdown:
                metric = next(iter(tr.metrics))
                console.print(breakdown_table(run, name, args.by, metric))
    return 0


def cmd_results_compare(args) -> int:
    from harness.compare import compare_runs
    from harness.report import console

    table, notes = compare_runs(Path(args.run_a), Path(args.run_b))
    console.print(table)
    for line in notes:
        console.print(line, highlight=False)
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

    return run_parity(args, run_config_from_args)


if __name__ == "__main__":
    sys.exit(main())
