"""Publish a run to a leaderboard git repository: clone, add the run under runs/, rebuild the site,
commit, push. The repository holds the result files (the source of truth) and the built site."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from harness.errors import HarnessError
from harness.results import RESULTS_FILE, SAMPLES_DIR, load_results
from leaderboard.collect import CONFIG_FILE, slugify
from leaderboard.site import BuildReport, build_site

RUNS_DIR = "runs"
SITE_DIR = "site"
COMMITTER = {"GIT_AUTHOR_NAME": "harness leaderboard", "GIT_AUTHOR_EMAIL": "leaderboard@harness.invalid"}


@dataclass
class PublishReport:
    run_id: str
    commit: str | None  # None when the run was already there, unchanged
    build: BuildReport
    branch: str


def _git(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)
    except FileNotFoundError:
        raise HarnessError("git is not installed", "install it (apt-get install git)") from None
    if proc.returncode != 0:
        msg = (proc.stderr or proc.stdout).strip().splitlines()
        raise HarnessError(f"git {args[0]} failed: {msg[-1] if msg else 'exit ' + str(proc.returncode)}",
                           "check that the repository exists and that you may push to it")
    return proc.stdout.strip()


def _commit_env(repo: Path) -> dict[str, str]:
    """The user's git identity where set, a neutral one otherwise (a CI machine has none)."""
    env = dict(os.environ)
    for var, key in (("GIT_AUTHOR_NAME", "user.name"), ("GIT_AUTHOR_EMAIL", "user.email")):
        have = subprocess.run(["git", "config", key], cwd=repo, capture_output=True, text=True).stdout.strip()
        if not have and var not in env:
            env[var] = COMMITTER[var]
            env[var.replace("AUTHOR", "COMMITTER")] = COMMITTER[var]
    return env


def _copy_run(run_dir: Path, dest: Path) -> None:
    """results.json and the sample records; nothing else of the run directory (no caches)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copy2(run_dir / RESULTS_FILE, dest / RESULTS_FILE)
    samples = run_dir / SAMPLES_DIR
    if samples.is_dir():
        shutil.copytree(samples, dest / SAMPLES_DIR, ignore=shutil.ignore_patterns("*.tmp"))


def publish(run_dir: Path, to: str, message: str | None = None, push: bool = True) -> PublishReport:
    run_dir = Path(run_dir)
    result = load_results(run_dir)  # refuse a broken run before touching the repository
    if run_dir.is_file():
        run_dir = run_dir.parent
    target = str(Path(to).resolve()) if Path(to).exists() else to
    with tempfile.TemporaryDirectory(prefix="leaderboard-publish-") as tmp:
        clone = Path(tmp) / "repo"
        _git(["clone", "--quiet", target, str(clone)])
        branch = _git(["symbolic-ref", "--short", "HEAD"], cwd=clone) or "main"
        dest = clone / RUNS_DIR / slugify(result.run_id)
        _copy_run(run_dir, dest)
        # the repository's own leaderboard.json (known task versions, views) governs its site
        config = clone / CONFIG_FILE
        build = build_site(clone / RUNS_DIR, clone / SITE_DIR, config if config.exists() else None)
        _git(["add", "--all", RUNS_DIR, SITE_DIR], cwd=clone)
        if not _git(["status", "--porcelain"], cwd=clone):
            return PublishReport(result.run_id, None, build, branch)
        msg = message or f"Add run {result.run_id} ({result.model.name}: {', '.join(sorted(result.tasks))})"
        _git(["commit", "--quiet", "-m", msg], cwd=clone, env=_commit_env(clone))
        commit = _git(["rev-parse", "HEAD"], cwd=clone)
        if push:
            _git(["push", "--quiet", "origin", f"HEAD:refs/heads/{branch}"], cwd=clone)
        return PublishReport(result.run_id, commit, build, branch)
