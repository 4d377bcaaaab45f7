#!/usr/bin/env python3
"""The chart of a bench/run.sh run: every ratio against its reference in one picture.

Each bar is one figure of pgcache divided by the figure it is measured against in the same run
(pgbench on the same statement, redis-benchmark, the same scenario without purge or on the
small table, the same GETs or PUTs with the near cache or its notifications off); the label next to it gives both figures. A dashed line marks 1 (as fast as the
reference); a red mark on a bar is the target the issue set for that ratio, where there is one.

  bench/chart.py BENCHMARKS_MD MODE PNG   draws the chart from the table of the MODE section
                                          (full or smoke) of BENCHMARKS_MD, e.g. to redraw
                                          docs/benchmarks-full.png after changing this file:
                                          bench/chart.py docs/benchmarks.md full docs/benchmarks-full.png
bench/bench.py calls plot() with the rows it has just measured, the same rows it writes into the
table. Needs gnuplot (bench/run.sh installs it). Standard library only.
"""
import os
import re
import subprocess
import sys
import tempfile

# (label, numerator, reference, figure, target): names are the scenario names of the table
RATIOS = [
    ("GET hit / pgbench GET, 1 key per statement", "pgcache: GET hit", "pgbench: GET statement", "rps", 0.5),
    ("PUT / pgbench upsert, 1 row per statement", "pgcache: PUT (upsert)", "pgbench: upsert statement", "rps", 0.6),
    ("GET hit / pgbench GET, 8 keys per statement", "pgcache: GET hit",
     "pgbench: GET statement for 8 keys, 2 clients (keys/s)", "rps", None),
    ("PUT / pgbench upsert, 8 rows per statement", "pgcache: PUT (upsert)",
     "pgbench: batch upsert of 8 keys, 2 clients (rows/s)", "rps", None),
    ("GET hit / redis-benchmark GET", "pgcache: GET hit", "redis-benchmark: GET", "rps", None),
    ("PUT / redis-benchmark SET", "pgcache: PUT (upsert)", "redis-benchmark: SET", "rps", None),
    ("GET hit while purging 20% / without purge", "pgcache: GET hit, purging 20%", "pgcache: GET hit, no purge", "rps", None),
    ("GET p99 while purging 20% / without (lower is better)", "pgcache: GET hit, purging 20%", "pgcache: GET hit, no purge",
     "p99", 2.0),
    # the near cache (issue 15): its own runs alternate with a replica whose near cache is off
    ("near cache on, GET of a hot set / pgbench GET of the same rows", "pgcache: GET hit, near cache on, hot set",
     "pgbench: GET statement, hot set", "rps", 2.0),
    ("near cache on, GET of a hot set / redis-benchmark GET", "pgcache: GET hit, near cache on, hot set",
     "redis-benchmark: GET", "rps", 0.5),
    ("GET of a hot set, near cache on / off", "pgcache: GET hit, near cache on, hot set",
     "pgcache: GET hit, near cache off, hot set", "rps", None),
    ("GET of all keys, near cache on / off", "pgcache: GET hit, near cache on, all keys",
     "pgcache: GET hit, near cache off, all keys", "rps", None),
    ("PUT with change notifications / without", "pgcache: PUT, notifications on", "pgcache: PUT, notifications off", "rps", 0.9),
    # the two table sizes of the scale phase: filled in from the names found ("pgcache: GET hit, 100,000 rows")
    ("GET hit, {large} rows / {small} rows", "scale:large", "scale:small", "rps", 0.8),
]


def ratios(rows):
    """(label, ratio, target, note) for every ratio whose two figures are among rows ({name, rps, p99})."""
    by_name = {r["name"]: r for r in rows}
    scale = sorted(((int(m.group(1).replace(",", "")), r) for r in rows
                    for m in [re.fullmatch(r"pgcache: GET hit, ([\d,]+) rows", r["name"])] if m), key=lambda x: x[0])
    if len(scale) == 2:
        by_name["scale:small"], by_name["scale:large"] = scale[0][1], scale[1][1]
    out = []
    for label, num, ref, figure, target in RATIOS:
        if num not in by_name or ref not in by_name or not by_name[ref][figure]:
            continue
        a, b = by_name[num][figure], by_name[ref][figure]
        if figure == "rps":
            note = f"{a:,.0f} / {b:,.0f} req/s"
        else:
            note = f"{a:.2f} / {b:.2f} ms"
        if num == "scale:large":
            label = label.format(small=f"{scale[0][0]:,}", large=f"{scale[1][0]:,}")
        out.append((label, a / b, target, note))
    return out


def plot(rows, png, title="pgcache against its references, measured in the same run"):
    found = ratios(rows)
    if not found:
        print("no chart: none of the ratios' figures were measured")
        return
    n = len(found)
    width, char_px = 1500, 8.0  # sans 11 in pngcairo: 7.5 to 8 px per character
    longest = max(len(label) for label, *_ in found)
    plot_px = width - (longest + 3 + 3) * char_px
    data = tempfile.NamedTemporaryFile("w", suffix=".dat", delete=False)
    xmax = 1.5
    for i, (label, ratio, target, note) in enumerate(found):
        y = n - i  # first ratio on top
        target_text = "" if target is None else (f", target <= {target:g}" if "lower is better" in label else f", target >= {target:g}")
        text = f"{ratio:.2f}x  ({note}{target_text})"
        # the figures start right of the bar and of its target mark, so they never cross it,
        # and the x axis is long enough for them to end inside the picture
        at = max(ratio, target or 0) + 0.03
        xmax = max(xmax, at / max(0.2, 1 - (len(text) + 2) * char_px / plot_px))
        data.write(f'{y} "{label}" {ratio:.4f} {target if target is not None else "NaN"} "{text}" {at:.4f}\n')
    data.close()
    # at most 16 tics, so a large ratio (the near cache on / off) keeps the axis readable
    tic = next((t for t in (0.25, 0.5, 1, 2, 5, 10, 20, 50) if xmax / t <= 16), 100)
    script = f"""
set terminal pngcairo size {width},{150 + 46 * n} noenhanced font 'sans,11'
set output '{png}'
set title '{title}'
set lmargin {longest + 3}
set rmargin 3
set xrange [0:{xmax:.2f}]
set yrange [0.4:{n + 0.6}]
set xlabel 'ratio to the reference (1 = as fast as the reference)'
set xtics {tic:g} nomirror
set ytics nomirror scale 0
set grid xtics lc rgb '#dddddd'
set key below horizontal
set arrow from 1, graph 0 to 1, graph 1 nohead dt 2 lc rgb '#555555'
set style fill solid 0.75 noborder
plot '{data.name}' using (0):1:(0):3:($1-0.32):($1+0.32):ytic(2) with boxxyerror lc rgb '#4477aa' title 'ratio', \\
     '' using 4:($1-0.4):(0):(0.8) with vectors nohead lw 3 lc rgb '#cc3311' title 'target', \\
     '' using 6:1:5 with labels left notitle
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("no chart:", e, getattr(e, "stderr", ""))
    finally:
        os.unlink(data.name)


def rows_of_section(path, mode):
    """The table rows of the MODE section of a benchmarks.md written by bench.py."""
    text = open(path).read()
    begin, end = f"<!-- bench/run.sh {mode}: begin -->", f"<!-- bench/run.sh {mode}: end -->"
    section = text[text.index(begin):text.index(end)]
    rows = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 4 and re.fullmatch(r"[\d.]+", cells[1]):
            rows.append({"name": cells[0], "rps": float(cells[1]), "p50": float(cells[2]), "p99": float(cells[3])})
    stamp = re.search(r"Run of ([^,]+),", section)
    return rows, stamp.group(1) if stamp else None


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    rows, stamp = rows_of_section(sys.argv[1], sys.argv[2])
    plot(rows, sys.argv[3], "pgcache against its references, measured in the same run" + (f" ({stamp})" if stamp else ""))


if __name__ == "__main__":
    main()
