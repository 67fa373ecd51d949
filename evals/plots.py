"""PNG plots for evaluation reports (matplotlib, Agg backend: no display needed, readable offline)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import precision_recall_curve, roc_curve  # noqa: E402

from tools.calibration import reliability_table  # noqa: E402
from evals.metrics import risk_coverage_curve  # noqa: E402

_DPI = 110


def _save(fig, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=_DPI)
    plt.close(fig)
    return path


def reliability_diagram(path: Path, curves: dict[str, tuple], *, n_bins: int = 10) -> Path:
    """Observed frequency against mean predicted probability per bin, one line per model.

    `curves` maps a model name to (y_true, y_prob). Bin counts are drawn below.
    """
    fig, (ax, ax_count) = plt.subplots(2, 1, figsize=(5.5, 6), gridspec_kw={"height_ratios": [3, 1]}, sharex=True)
    ax.plot([0, 1], [0, 1], ls="--", color="grey", lw=1, label="perfect")
    for name, (y, p) in curves.items():
        table = reliability_table(y, p, n_bins=n_bins)
        filled = table["count"] > 0
        ax.plot(table["mean_predicted"][filled], table["observed"][filled], marker="o", label=name)
        centers = (table["lower"] + table["upper"]) / 2
        ax_count.bar(centers, table["count"], width=0.9 / n_bins, alpha=0.5, label=name)
    ax.set_ylabel("observed frequency")
    ax.set_title("Reliability diagram")
    ax.legend(loc="upper left")
    ax_count.set_xlabel("predicted probability")
    ax_count.set_ylabel("count")
    ax_count.set_yscale("log")
    return _save(fig, path)


def roc_pr_curves(path: Path, curves: dict[str, tuple]) -> Path:
    """ROC and precision–recall curves side by side; `curves` maps name -> (y_true, y_score)."""
    fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(10, 4.5))
    for name, (y, p) in curves.items():
        fpr, tpr, _ = roc_curve(y, p)
        precision, recall, _ = precision_recall_curve(y, p)
        ax_roc.plot(fpr, tpr, label=name)
        ax_pr.plot(recall, precision, label=name)
    prevalence = float(np.mean(next(iter(curves.values()))[0])) if curves else 0.0
    ax_roc.plot([0, 1], [0, 1], ls="--", color="grey", lw=1)
    ax_pr.axhline(prevalence, ls="--", color="grey", lw=1, label=f"base rate {prevalence:.3f}")
    ax_roc.set(xlabel="false-positive rate", ylabel="true-positive rate", title="ROC")
    ax_pr.set(xlabel="recall", ylabel="precision", title="Precision–recall")
    ax_roc.legend(loc="lower right")
    ax_pr.legend(loc="upper right")
    return _save(fig, path)


def risk_coverage_plot(path: Path, curves: dict[str, tuple], *, target_precision: float | None = None) -> Path:
    """Error among auto-applied items against the share auto-applied; `curves`: name -> (correct, confidence)."""
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    for name, (correct, confidence) in curves.items():
        curve = risk_coverage_curve(correct, confidence)
        ax.plot(curve["coverage"], curve["risk"], label=name)
    if target_precision is not None:
        ax.axhline(1 - target_precision, ls="--", color="grey", lw=1, label=f"risk at target precision {target_precision}")
    ax.set(xlabel="coverage (share auto-applied)", ylabel="risk (error among auto-applied)", title="Risk–coverage")
    ax.set_xlim(0, 1)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left")
    return _save(fig, path)


def group_bars(
    path: Path,
    table: dict[str, dict],
    *,
    figures: list[str],
    title: str,
    reference: dict[str, float] | None = None,
) -> Path:
    """Per-group bars with 95% intervals for each figure; insufficient groups are hatched and grey."""
    groups = list(table)
    fig, axes = plt.subplots(
        len(figures), 1, figsize=(max(6.0, 0.55 * len(groups) + 2), 2.2 * len(figures) + 1.2), squeeze=False, sharex=True
    )
    x = np.arange(len(groups))
    for ax, figure in zip(axes[:, 0], figures, strict=True):
        values = np.array([_num(table[g][figure]["value"]) for g in groups])
        low = np.array([_num(table[g][figure]["ci_low"]) for g in groups])
        high = np.array([_num(table[g][figure]["ci_high"]) for g in groups])
        err = np.vstack([np.clip(values - low, 0, None), np.clip(high - values, 0, None)])
        err = np.nan_to_num(err)
        insufficient = [table[g]["insufficient"] for g in groups]
        colors = ["lightgrey" if bad else "tab:blue" for bad in insufficient]
        bars = ax.bar(x, np.nan_to_num(values), color=colors, yerr=err, capsize=3)
        for bar, bad in zip(bars, insufficient, strict=True):
            if bad:
                bar.set_hatch("//")
        if reference and figure in reference:
            ax.axhline(reference[figure], ls="--", color="tab:red", lw=1)
        ax.set_ylabel(figure)
    # Group labels once, under the last panel (drawing them per panel doubled the plotting time).
    axes[-1, 0].set_xticks(x)
    axes[-1, 0].set_xticklabels([f"{g}\n(n={table[g]['n']})" for g in groups], rotation=60, ha="right", fontsize=7)
    axes[0, 0].set_title(title + "  (grey/hatched: n below minimum, not judged)")
    return _save(fig, path)


def _num(value) -> float:
    return float("nan") if value is None else float(value)
