"""Draws the scaling charts of BENCHMARKS.md from the CSV files scaling.sh writes.

Usage: plot.py DIRECTORY   (reads zones.csv, separation.csv, engine.csv and load-curve.csv,
the last from load-curve.sh; writes PNGs)"""

import csv
import pathlib
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = {
    "deconflict": dict(color="#1f5fbf", marker="o", label="Deconflict, point by point"),
    "deconflict-batch": dict(color="#1f5fbf", marker="o", linestyle="--", label="Deconflict, batch in Z-order"),
    "postgis": dict(color="#2a9d3f", marker="s", label="PostGIS (geography + GiST)"),
    "sqlite-rtree": dict(color="#7a7a7a", marker="^", label="SQLite R*Tree + exact test"),
    "redis": dict(color="#d82c20", marker="D", label="Redis GEOADD + GEOSEARCH (pipe)"),
    "redis-command-time": dict(color="#d82c20", marker="D", linestyle=":", label="Redis, command time only"),
}


def read(path: pathlib.Path) -> tuple[str, list[dict[str, str]]]:
    with path.open() as file:
        lines = file.read().splitlines()
    note = lines[0].lstrip("# ") if lines and lines[0].startswith("#") else ""
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    return note, rows


def save(figure, footnote: str, output: pathlib.Path) -> None:
    """Writes a one-row chart with its footnote (machine, date, what ran) under it."""
    figure.text(0.01, 0.01, footnote, fontsize=7, color="#555555")
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    figure.savefig(output)
    plt.close(figure)


def peers_chart(path: pathlib.Path, x: str, y: str, xlabel: str, ylabel: str, title: str, output: pathlib.Path) -> None:
    note, rows = read(path)
    figure, axes = plt.subplots(figsize=(7.5, 4.8), dpi=110)
    for peer in STYLE:
        points = sorted((int(row[x]), float(row[y])) for row in rows if row["peer"] == peer)
        if points:
            style = dict(STYLE[peer])
            if peer == "deconflict" and x == "units":
                style["label"] = "Deconflict unit index (PointGrid)"
            axes.plot([p[0] for p in points], [p[1] for p in points], **style)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    save(figure, f"one core each; {note}", output)


def engine_chart(path: pathlib.Path, output: pathlib.Path) -> None:
    note, rows = read(path)
    by_units = sorted((r for r in rows if r["zones"] == "10000"), key=lambda r: int(r["units"]))
    by_zones = sorted((r for r in rows if r["units"] == "100000"), key=lambda r: int(r["zones"]))
    figure, axes = plt.subplots(2, 3, figsize=(12, 7), dpi=100)
    series = [
        ("reports_per_second", "reports per second, one core", None),
        ("p99_us", "latency per report (µs)", None),
        ("heap_bytes_per_unit", "heap bytes per unit", 300),
    ]
    for row_index, (rows_here, x, xlabel) in enumerate(
        [(by_units, "units", "units (10,000 zones)"), (by_zones, "zones", "zones (100,000 units)")]
    ):
        for column, (y, ylabel, goal) in enumerate(series):
            axis = axes[row_index][column]
            axis.plot([int(r[x]) for r in rows_here], [float(r[y]) for r in rows_here], color="#1f5fbf", marker="o")
            if y == "p99_us":
                axis.plot([int(r[x]) for r in rows_here], [float(r["p50_us"]) for r in rows_here],
                          color="#1f5fbf", marker="o", linestyle=":", label="p50")
                axis.legend(["p99", "p50"], fontsize=8)
            if goal:
                axis.axhline(goal, color="#d82c20", linestyle="--", label="goal")
                axis.legend(["measured", f"goal ({goal} B)"], fontsize=8)
            axis.set_xscale("log")
            axis.set_yscale("log")
            axis.set_xlabel(xlabel)
            axis.set_ylabel(ylabel)
            axis.grid(True, which="both", alpha=0.3)
    figure.suptitle("Engine, every detector on: throughput, latency and memory as the picture grows")
    figure.text(0.01, 0.005, note, fontsize=7, color="#555555")
    figure.tight_layout(rect=(0, 0.02, 1, 0.97))
    figure.savefig(output)
    plt.close(figure)


def load_curve_chart(path: pathlib.Path, output: pathlib.Path) -> None:
    """Accepted rate and alert latency against the offered load: each run's points, and
    the median of the runs at each fraction of the capacity joined by a line."""
    note, rows = read(path)
    fractions = sorted({float(row["fraction"]) for row in rows})
    runs = sorted({row["run"] for row in rows})

    def median(fraction: float, column: str) -> float:
        return statistics.median(float(row[column]) for row in rows if float(row["fraction"]) == fraction)

    offered = [median(f, "offered_reports_per_second") for f in fractions]
    figure, (rate, latency) = plt.subplots(1, 2, figsize=(12, 4.8), dpi=100)
    for run in runs:
        mine = [row for row in rows if row["run"] == run]
        rate.scatter([float(r["offered_reports_per_second"]) for r in mine],
                     [float(r["accepted_reports_per_second"]) for r in mine], color="#1f5fbf", alpha=0.35, s=18)
        for column, color in (("alert_p50_ms", "#2a9d3f"), ("alert_p99_ms", "#d8862c"), ("alert_p999_ms", "#d82c20")):
            latency.scatter([float(r["offered_reports_per_second"]) for r in mine], [float(r[column]) for r in mine],
                            color=color, alpha=0.35, s=18)
    top = max(offered) * 1.05
    rate.plot([0, top], [0, top], color="#999999", linestyle=":", label="accepted = offered")
    rate.plot(offered, [median(f, "accepted_reports_per_second") for f in fractions], color="#1f5fbf", marker="o",
              label="accepted (median of runs)")
    rate.set_xlabel("offered reports per second (fractions of the capacity measured in each run)")
    rate.set_ylabel("accepted reports per second")
    rate.set_title("Ingest against offered load")
    rate.set_xlim(0, top)
    rate.set_ylim(0, top)
    rate.grid(True, alpha=0.3)
    rate.legend(fontsize=8)
    for column, color, label in (("alert_p50_ms", "#2a9d3f", "alert p50"), ("alert_p99_ms", "#d8862c", "alert p99"),
                                 ("alert_p999_ms", "#d82c20", "alert p99.9")):
        latency.plot(offered, [median(f, column) for f in fractions], color=color, marker="o", label=label + " (median)")
    latency.plot(offered, [median(f, "fsync_p99_ms") for f in fractions], color="#7a7a7a", linestyle="--",
                 label="fsync floor p99 (4 KB + fdatasync)")
    latency.axhline(20, color="#000000", linestyle=":", linewidth=1, label="goal: p99 20 ms")
    latency.set_yscale("log")
    latency.set_xlabel("offered reports per second")
    latency.set_ylabel("report POST to alert.raised on the stream, ms")
    latency.set_title("Alert latency against offered load")
    latency.set_xlim(0, top)
    latency.grid(True, which="both", alpha=0.3)
    latency.legend(fontsize=8)
    runs_text = "1 run" if len(runs) == 1 else f"{len(runs)} runs"
    save(figure, f"{runs_text}, load generator and server on the same cores; {note}", output)


def main() -> None:
    directory = pathlib.Path(sys.argv[1])
    if (directory / "zones.csv").exists():
        peers_chart(directory / "zones.csv", "zones", "queries_per_second", "zones (half circles, half polygons of 8–200 edges)",
                    "point-in-zone queries per second", "Which zones contain this point? (exact, geodesic)",
                    directory / "zones.png")
    if (directory / "separation.csv").exists():
        peers_chart(directory / "separation.csv", "units", "reports_per_second", "units tracked",
                    "reports per second (move + every unit within 5 NM)", "Separation: move a unit, find its neighbours",
                    directory / "separation.png")
    if (directory / "engine.csv").exists():
        engine_chart(directory / "engine.csv", directory / "engine.png")
    if (directory / "load-curve.csv").exists():
        load_curve_chart(directory / "load-curve.csv", directory / "load-curve.png")


if __name__ == "__main__":
    main()
