"""Plots as SVG files (matplotlib, no display): best-of-N curves and heatmaps."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

# the same input gives the same bytes, so a rebuilt site only changes where the data did
plt.rcParams["svg.hashsalt"] = "harness-leaderboard"
plt.rcParams["svg.fonttype"] = "none"
plt.rcParams["font.size"] = 9


def _save(fig, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return path


def curves_svg(curves: dict[str, dict[str, dict[int, float]]], path: Path, title: str) -> Path:
    """Accuracy against N: curves[model][method] = {N: value}, N on a log2 axis."""
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    styles = ["-", "--", ":", "-."]
    methods_all = sorted({m for ms in curves.values() for m in ms})
    # a colour per model, a line style per method
    for mi, (model, methods) in enumerate(curves.items()):
        for method, pts in methods.items():
            ks = sorted(pts)
            ax.plot(ks, [pts[k] for k in ks], marker="o", color=colors[mi % len(colors)],
                    linestyle=styles[methods_all.index(method) % len(styles)], label=f"{model}: {method}")
    ax.set_xscale("log", base=2)
    all_ks = sorted({k for m in curves.values() for p in m.values() for k in p})
    ax.set_xticks(all_ks, [str(k) for k in all_ks])
    ax.set_xlabel("N (samples per problem)")
    ax.set_ylabel("accuracy")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _save(fig, path)


def heatmap_svg(table: pd.DataFrame, path: Path, title: str, vmin: float | None = 0.0, vmax: float | None = 1.0,
                cmap: str = "viridis", fmt: str = "{:.2f}") -> Path:
    """A labelled heatmap of a small table (NaN cells left blank)."""
    data = table.to_numpy(dtype=float)
    h = max(2.0, 0.35 * len(table.index) + 1.2)
    w = max(3.5, 0.7 * len(table.columns) + 2.5)
    fig, ax = plt.subplots(figsize=(w, h))
    masked = np.ma.masked_invalid(data)
    im = ax.imshow(masked, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(len(table.columns)), [str(c) for c in table.columns], rotation=45, ha="right")
    ax.set_yticks(range(len(table.index)), [str(i) for i in table.index])
    for (r, c), v in np.ndenumerate(data):
        if np.isfinite(v):
            red, green, blue, _ = im.cmap(im.norm(v))
            light = 0.299 * red + 0.587 * green + 0.114 * blue > 0.55  # dark text on light cells
            ax.text(c, r, fmt.format(v), ha="center", va="center", fontsize=7, color="black" if light else "white")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, fraction=0.04)
    return _save(fig, path)
