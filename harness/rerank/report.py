"""Best-of-N report: a Markdown table and a plot (accuracy against N) per reranker."""

from __future__ import annotations

from pathlib import Path

from harness.results import MetricValue
from harness.rerank.selection import LABELS, METRICS

COLUMNS = ("bon_first", "bon_random", "weighted_vote", "maj", "pass")


def _fmt(mv: MetricValue | dict | None) -> str:
    if mv is None:
        return "–"
    v = mv.value if isinstance(mv, MetricValue) else mv.get("value")
    se = mv.stderr if isinstance(mv, MetricValue) else mv.get("stderr")
    if v is None:
        return "–"
    return f"{100 * v:.1f}" + (f" ± {100 * se:.1f}" if se else "")


def markdown_table(title: str, metrics: dict[str, dict[int, MetricValue]], ks: list[int], n_docs: int) -> str:
    cols = [c for c in COLUMNS if c in metrics]
    lines = [f"### {title}", "", f"Accuracy (%) over {n_docs} problems, ± standard error.", "",
             "| N | " + " | ".join(LABELS[c] for c in cols) + " |",
             "|---:|" + "---:|" * len(cols)]
    for k in ks:
        lines.append(f"| {k} | " + " | ".join(_fmt(metrics[c].get(k)) for c in cols) + " |")
    return "\n".join(lines) + "\n"


def plot(title: str, metrics: dict[str, dict[int, MetricValue]], ks: list[int], out_base: Path) -> list[Path]:
    """Accuracy against N on a log2 axis; written as SVG and PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = {"bon_first": ("o", "-"), "bon_random": ("s", "--"), "weighted_vote": ("^", "-"),
              "maj": ("v", "-."), "pass": ("", ":")}
    fig, ax = plt.subplots(figsize=(6.4, 5.0), dpi=110)
    for name in METRICS:
        if name not in metrics:
            continue
        xs = [k for k in ks if metrics[name].get(k) is not None and metrics[name][k].value is not None]
        ys = [100 * metrics[name][k].value for k in xs]
        marker, line = styles[name]
        ax.plot(xs, ys, marker=marker or None, linestyle=line, label=LABELS[name])
    ax.set_xscale("log", base=2)
    ax.set_xticks(ks)
    ax.set_xticklabels([str(k) for k in ks])
    ax.set_xlabel("N (candidates per problem)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(title, fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    fig.tight_layout()
    out_base.parent.mkdir(parents=True, exist_ok=True)
    paths = [out_base.with_suffix(".svg"), out_base.with_suffix(".png")]
    for p in paths:
        fig.savefig(p)
    plt.close(fig)
    return paths
