"""`harness leaderboard build|serve|publish|export` and `harness view`: wired into harness/cli.py
by register_cli."""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
from pathlib import Path

from harness.cli import run_command
from harness.errors import HarnessError


def register_cli(subparsers) -> argparse.ArgumentParser:
    lb = subparsers.add_parser("leaderboard", help="build, preview, publish and export the leaderboard site")
    sub = lb.add_subparsers(dest="leaderboard_command", metavar="COMMAND")
    sub.required = True

    b = sub.add_parser("build", help="build the static site from a directory of run results")
    b.add_argument("results", type=Path, help="a directory holding run directories (each with results.json)")
    b.add_argument("--out", type=Path, required=True, help="where to write the site (replaced)")
    b.add_argument("--config", type=Path, help="leaderboard.json: known task versions, view overrides "
                                               "(default: RESULTS/leaderboard.json when present)")
    b.add_argument("--strict", action="store_true", help="exit 1 when any result file was left out")
    b.set_defaults(func=cmd_build)

    s = sub.add_parser("serve", help="preview a built site on http://127.0.0.1:PORT/")
    s.add_argument("site", type=Path)
    s.add_argument("--port", type=int, default=8000)
    s.set_defaults(func=cmd_serve)

    p = sub.add_parser("publish", help="add a run to a leaderboard git repository, rebuild its site, commit and push")
    p.add_argument("run", type=Path, help="a run directory (with results.json and samples/)")
    p.add_argument("--to", required=True, help="the repository: a local path or a URL git can clone and push to")
    p.add_argument("--message", help="commit message")
    p.add_argument("--no-push", action="store_true", help="commit in a temporary clone without pushing (a dry run)")
    p.set_defaults(func=cmd_publish)

    e = sub.add_parser("export", help="write every score with its provenance as CSV, JSON or Markdown")
    e.add_argument("results", type=Path)
    e.add_argument("--format", choices=("csv", "json", "markdown"), default="csv")
    e.add_argument("--out", type=Path, help="output file (default: standard output)")
    e.add_argument("--config", type=Path)
    e.set_defaults(func=cmd_export)

    v = subparsers.add_parser("view", help="browse a run's samples in the browser (no build step)")
    v.add_argument("run", type=Path, help="a run directory (with results.json), or a directory of runs")
    v.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    v.add_argument("--no-open", action="store_true", help="print the address without opening a browser")
    v.set_defaults(func=cmd_view)
    return lb


def _report_left_out(left_out) -> None:
    for lo in left_out:
        print(lo.line(), file=sys.stderr)


def cmd_build(args) -> int:
    from leaderboard.site import build_site

    report = build_site(args.results, args.out, args.config)
    _report_left_out(report.left_out)
    print(f"built {len(report.pages)} pages for {report.n_entries} model setup(s) from {report.n_runs} run(s) "
          f"into {report.site}/index.html" + (f"; {len(report.left_out)} left out" if report.left_out else ""))
    return 1 if (args.strict and report.left_out) else 0


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):  # one line per request, no noise
        sys.stderr.write(f"{self.address_string()} {fmt % args}\n")


def make_server(site: Path, port: int) -> http.server.ThreadingHTTPServer:
    site = Path(site)
    if not (site / "index.html").exists():
        raise HarnessError(f"no site at {site} (index.html missing)", "build it with `harness leaderboard build RESULTS --out SITE`")
    handler = functools.partial(_QuietHandler, directory=str(site))
    try:
        return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as e:
        raise HarnessError(f"cannot listen on 127.0.0.1:{port} ({e.strerror})", "pick another --port") from None


def serve(site: Path, port: int, what: Path, page: str = "", open_browser: bool = False) -> int:
    """Serve a built site until Ctrl-C, saying where (and opening a browser there if asked)."""
    server = make_server(site, port)
    host, port = server.server_address[:2]
    url = f"http://{host}:{port}/{page}"
    print(f"serving {what} on {url} (Ctrl-C to stop)", flush=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def cmd_serve(args) -> int:
    return serve(args.site, args.port, args.site)


def build_view(run: Path, where: Path) -> tuple[Path, str]:
    """Build the site of one run (or a directory of runs) into `where`; return the site and the
    page to open: the run's own page when it is one run."""
    from harness.results import RESULTS_FILE, load_results
    from leaderboard.browser import run_rel
    from leaderboard.collect import Run, find_result_files
    from leaderboard.site import build_site

    run = Path(run)
    if not run.exists():
        raise HarnessError(f"no run at {run}", "pass the --output directory of `harness run`")
    if not find_result_files(run):
        raise HarnessError(f"no {RESULTS_FILE} under {run}", "pass the --output directory of `harness run`")
    report = build_site(run, where / "site")
    _report_left_out(report.left_out)
    page = "index.html"
    one = run / RESULTS_FILE if run.is_dir() else run
    if one.is_file():
        rel = f"{run_rel(Run(one.parent, load_results(one)))}/index.html"
        if (report.site / rel).exists():
            page = rel
    return report.site, page


def cmd_view(args) -> int:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="harness-view-") as tmp:
        site, page = build_view(args.run, Path(tmp))
        return serve(site, args.port, args.run, page, open_browser=not args.no_open)


def cmd_publish(args) -> int:
    from leaderboard.publish import publish

    report = publish(args.run, args.to, message=args.message, push=not args.no_push)
    _report_left_out(report.build.left_out)
    if report.commit is None:
        print(f"run {report.run_id} is already published in {args.to}, unchanged: nothing to commit")
    else:
        pushed = "committed (not pushed)" if args.no_push else f"pushed to {args.to} ({report.branch})"
        print(f"run {report.run_id} {pushed} as {report.commit[:12]}; site rebuilt with {len(report.build.pages)} pages")
    return 0


def cmd_export(args) -> int:
    from leaderboard.collect import collect
    from leaderboard.tables import export_frame, to_markdown

    board = collect(args.results, args.config)
    _report_left_out(board.left_out)
    frame = export_frame(board)
    if args.format == "csv":
        text = frame.to_csv(index=False)
    elif args.format == "json":
        text = frame.to_json(orient="records", indent=1)
    else:
        text = to_markdown(frame) + "\n"
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
        print(f"wrote {len(frame)} rows to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry (python -m leaderboard.cli ...); `harness leaderboard` is the same."""
    parser = argparse.ArgumentParser(prog="harness")
    register_cli(parser.add_subparsers(dest="command", required=True))
    return run_command(parser, argv)


if __name__ == "__main__":
    sys.exit(main())
