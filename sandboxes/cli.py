"""`harness sandbox build | run | describe | clean`.

`register_cli(subparsers)` adds the `sandbox` command and returns its sub-command action, so
other areas add their own sub-commands to it (e.g. `harness sandbox check` from tasks/cruxeval):
    sandbox_commands = sandboxes.cli.register_cli(subparsers)
    sandbox_commands.add_parser("check", ...)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness.errors import HarnessError

from . import KINDS, get_sandbox
from .base import Limits, Program
from .languages import LANGUAGES, get_language, parse_languages


def register_cli(subparsers) -> argparse._SubParsersAction:
    from harness import registry

    from .doctor import doctor_lines

    registry.register_doctor_section("sandboxes", doctor_lines)
    parser = subparsers.add_parser("sandbox", help="build and use the code-execution sandboxes")
    commands = parser.add_subparsers(dest="sandbox_command", metavar="COMMAND")
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])

    build = commands.add_parser("build", help="build the docker images (offline, from Debian)")
    build.add_argument("--languages", help="comma-separated language keys or aliases "
                                           f"(default: all Debian ones); keys: {','.join(LANGUAGES)}")
    build.set_defaults(func=_build)

    run = commands.add_parser("run", help="run one program the way scoring does; print the verdict")
    run.add_argument("--language", "-l", required=True, help="language key or alias, e.g. scala")
    run.add_argument("file", type=Path, help="the source file")
    run.add_argument("--kind", choices=KINDS, help="sandbox kind (default: docker if reachable)")
    run.add_argument("--stdin", type=Path, help="a file fed to the program's stdin")
    run.add_argument("--timeout", type=float, help="run timeout in seconds (default: language's)")
    run.add_argument("--no-cache", action="store_true", help="do not use the verdict cache")
    run.add_argument("--json", action="store_true", help="print the verdict as JSON")
    run.set_defaults(func=_run)

    describe = commands.add_parser("describe", help="toolchain versions and image digests")
    describe.add_argument("--kind", choices=KINDS)
    describe.set_defaults(func=_describe)

    clean = commands.add_parser("clean", help="remove sandbox containers left by a killed run")
    clean.set_defaults(func=_clean)
    return commands


def _build(args) -> int:
    from .build import build_images
    tags = build_images(parse_languages(args.languages) if args.languages else None)
    print("images ready: " + ", ".join(tags))
    return 0


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HarnessError(f"cannot read the {what} {path}: {exc.strerror}", "check the path")


def _run(args) -> int:
    spec = get_language(args.language)
    program = Program(spec.key, {spec.source_file: _read(args.file, "program")},
                      stdin=_read(args.stdin, "stdin file") if args.stdin else "",
                      limits=Limits(timeout_s=args.timeout))
    with get_sandbox(args.kind, cache=not args.no_cache) as sandbox:
        verdict = sandbox.run(program)
        kind = sandbox.kind
    if args.json:
        print(json.dumps({"kind": kind, **verdict.to_dict()}, indent=2))
    else:
        status = "PASS" if verdict.passed else "FAIL"
        print(f"{status} {verdict.reason.value}: {verdict.detail} "
              f"[{spec.name}, {kind}, {verdict.duration_s:.2f} s]")
        if not verdict.passed:
            for name, text in (("stdout", verdict.stdout), ("stderr", verdict.stderr)):
                if text.strip():
                    print(f"--- {name} (last 2000 chars)\n{text[-2000:]}", file=sys.stderr)
    return 0 if verdict.passed else 1


def _describe(args) -> int:
    with get_sandbox(args.kind, cache=False) as sandbox:
        print(json.dumps(sandbox.describe(), indent=2))
    return 0


def _clean(args) -> int:
    from .docker import remove_stale_containers
    print(f"removed {remove_stale_containers()} sandbox containers")
    return 0
