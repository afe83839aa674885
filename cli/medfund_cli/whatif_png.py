"""A simulation's charts as PNG files (``medfund whatif --png DIR``): the HTML report's bar charts, drawn with
matplotlib's Agg canvas (no display, no pyplot global state).

The yuan texts are turned into floats only to place the bars; the figures printed on them are the exact texts.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from medfund_cli.whatif_report import DIMENSIONS

ACTUAL, CANDIDATE = "#9e9e9e", "#1565c0"
"""The HTML report's colours: grey as recorded, blue under the candidate."""


def _bars(title: str, labels: list[str], actual: list[str], candidate: list[str], notes: list[str],
          path: Path) -> None:
    figure = Figure(figsize=(9, 1.2 + 0.55 * len(labels)), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    rows = range(len(labels))
    axes.barh([r - 0.2 for r in rows], [float(Decimal(v)) for v in actual], height=0.4, color=ACTUAL,
              label="as recorded")
    axes.barh([r + 0.2 for r in rows], [float(Decimal(v)) for v in candidate], height=0.4, color=CANDIDATE,
              label="candidate")
    axes.set_yticks(list(rows), labels)
    axes.invert_yaxis()
    axes.set_title(title)
    figure.legend(loc="upper right", fontsize="small")
    for row, note in zip(rows, notes, strict=True):
        axes.annotate(note, (1.01, row), xycoords=("axes fraction", "data"), va="center", fontsize="small")
    figure.subplots_adjust(left=0.2, right=0.62)
    figure.savefig(path, format="png")


def write_pngs(result: dict, directory: Path) -> list[Path]:
    """One PNG per chart of the report: ``<dimension>.png`` for each dimension with rows (fund, month,
    institution_level, area, person_category, age_band) and ``deciles.png``; the paths written, in that order."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for key, title in DIMENSIONS:
        rows = result[key]
        if not rows:
            continue
        path = directory / f"{key}.png"
        _bars(title, [str(r["key"]) for r in rows], [r["actual"] for r in rows], [r["candidate"] for r in rows],
              [f"{r['actual']} → {r['candidate']} ({r['difference']})" for r in rows], path)
        written.append(path)
    deciles = result["out_of_pocket"]["deciles"]
    if deciles:
        path = directory / "deciles.png"
        _bars("Out-of-pocket share per person, deciles", [str(d["decile"]) for d in deciles],
              [d["actual"] for d in deciles], [d["candidate"] for d in deciles],
              [f"{d['actual']} → {d['candidate']}" for d in deciles], path)
        written.append(path)
    return written
