"""rankmc report: one self-contained HTML page of figures for a result file.

    python3 -m rankmc.report RESULT.h5 -o report.html [--applicant ID]... [--top N]

(``rankmc report`` runs this module.) The page holds whatever the file
holds: the run figures (focal applicants' chances and list positions,
P(match) by type, programs' fill and depth of list, the meeting's factor
moves), the sensitivity tornado charts, the Sobol indices, the forecast
(chances with both uncertainty parts, what-ifs, list-length curve), the
applications (application curve with baselines and the point of diminishing
returns, recommended order, what-ifs), and the provenance. Figures are PNGs embedded as data: URIs; the page needs no
network and no JavaScript. Colours are the Okabe-Ito palette and every
series that colour separates is also separated by marker, hatching or
lightness, so the figures read in grayscale. docs/python.md describes
each figure.

Exit status: 0 written; 1 runtime failure; 2 bad input (a file that is not
a rankmc result, an unknown --applicant, an output that exists without
--force).
"""

import argparse
import base64
import html
import io
import math
import os
import sys
import tempfile

import numpy as np

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError as e:  # pragma: no cover - checked by rankmc report first
    sys.stderr.write(f"rankmc report: matplotlib is missing ({e}); Debian: apt-get install python3-matplotlib\n")
    sys.exit(1)

from ._read import Z95, read, wilson_interval

# Okabe-Ito colour-blind-safe palette; BLUE and ORANGE also differ in
# lightness (about 45% vs 70% gray), so they stay apart in grayscale.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILION = "#D55E00"
SKY = "#56B4E9"
PURPLE = "#CC79A7"
BLACK = "#000000"
GRAY = "#999999"
SERIES = [(BLUE, ""), (ORANGE, "//"), (GREEN, ".."), (VERMILION, "xx"), (SKY, "\\\\"), (PURPLE, "++"), (GRAY, "--")]

# Most small multiples one applicant gets (their programs by P(here)).
MAX_PANELS = 24
# Programs drawn one by one when the market has at most this many.
MAX_PROGRAMS_EACH = 60

plt.rcParams.update(
    {
        "font.size": 9,
        "axes.titlesize": 9,
        "axes.labelsize": 9,
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "hatch.linewidth": 0.6,
    }
)


class BadInput(Exception):
    """Input the user can fix (exit 2)."""


def esc(s):
    return html.escape(str(s), quote=True)


def pct(p, digits=1):
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "-"
    return f"{100.0 * p:.{digits}f}%"


class Page:
    """The HTML being built: sections of headings, text, tables, figures."""

    def __init__(self, title):
        self.title = title
        self.parts = []
        self.figures = []  # (id, alt text) of every figure, in order: the contents

    def h(self, level, text, anchor=None):
        a = f' id="{esc(anchor)}"' if anchor else ""
        self.parts.append(f"<h{level}{a}>{esc(text)}</h{level}>")

    def p(self, text, cls=None):
        c = f' class="{cls}"' if cls else ""
        self.parts.append(f"<p{c}>{esc(text)}</p>")

    def table(self, header, rows, caption=None, num_from=1):
        out = ["<table>"]
        if caption:
            out.append(f"<caption>{esc(caption)}</caption>")
        out.append("<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr></thead><tbody>")
        for r in rows:
            cells = []
            for k, v in enumerate(r):
                cls = ' class="num"' if k >= num_from else ""
                cells.append(f"<td{cls}>{esc(v)}</td>")
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
        self.parts.append("".join(out))

    def figure(self, fig, fig_id, alt, caption):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight", facecolor="white")
        plt.close(fig)
        data = base64.b64encode(buf.getvalue()).decode("ascii")
        self.figures.append((fig_id, alt))
        self.parts.append(
            f'<figure id="{esc(fig_id)}" data-figure="{esc(fig_id)}">'
            f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>"
        )

    def html(self):
        css = (
            "body{font-family:sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;color:#111;"
            "background:#fff;line-height:1.4}"
            "h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #999;margin-top:2em}"
            "h3{font-size:1.05em;margin-top:1.5em}"
            "figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #ddd}"
            "figcaption{font-size:.9em;color:#333;margin-top:.3em}"
            "table{border-collapse:collapse;font-size:.9em;margin:.5em 0}"
            "th,td{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}"
            "td.num{text-align:right;font-variant-numeric:tabular-nums}"
            "caption{text-align:left;font-weight:bold;padding:.2em 0}"
            "p.note{font-size:.9em;color:#333}nav ul{columns:2}"
        )
        toc = "".join(f'<li><a href="#{esc(i)}">{esc(t)}</a></li>' for i, t in self.figures)
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(self.title)}</title><style>{css}</style></head><body>\n"
            f"<h1>{esc(self.title)}</h1>\n<nav><p>Figures:</p><ul>{toc}</ul></nav>\n"
            + "\n".join(self.parts)
            + "\n</body></html>\n"
        )


# ----------------------------------------------------------------- run file


def _err_x(p, lo, hi):
    """Error-bar extents (2, n) in percent for points p with interval lo..hi."""
    p, lo, hi = (np.asarray(v, dtype=float) * 100 for v in (p, lo, hi))
    return np.vstack([np.maximum(p - lo, 0), np.maximum(hi - p, 0)])


def fig_chances(r, app_row, ivs):
    """P(match) with its interval, then P(matched here) per program."""
    n = r.replicates
    labels = ["matched anywhere"] + [f"{pid}" for pid in ivs["program_id"]]
    p = np.concatenate([[app_row["p_match"]], ivs["p_match"].to_numpy()])
    lo = np.concatenate([[app_row["ci_low"]], ivs["ci_low"].to_numpy()])
    hi = np.concatenate([[app_row["ci_high"]], ivs["ci_high"].to_numpy()])
    k = len(labels)
    fig, ax = plt.subplots(figsize=(8.5, 0.32 * k + 1.3))
    y = np.arange(k)[::-1]
    ax.errorbar(p[1:] * 100, y[1:], xerr=_err_x(p[1:], lo[1:], hi[1:]), fmt="o", color=BLUE, ecolor=BLACK,
                elinewidth=1, capsize=3, markersize=5, label="P(matched at this program)")
    ax.errorbar(p[:1] * 100, y[:1], xerr=_err_x(p[:1], lo[:1], hi[:1]), fmt="D", color=BLACK, ecolor=BLACK,
                elinewidth=1.5, capsize=4, markersize=7, label="P(matched anywhere)")
    for yy, pp, l, h in zip(y, p, lo, hi):
        ax.text(103, yy, f"{100 * pp:.1f}%  ({100 * l:.1f}–{100 * h:.1f})", va="center", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.set_xlim(-2, 100)
    ax.set_xlabel(f"probability (%), with 95% Wilson interval over {n} replicates")
    ax.axhline(y[0] - 0.5, color=GRAY, lw=0.8)
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    ax.legend(loc="lower right", fontsize=8, frameon=True)
    ax.set_title(f"{app_row['id']} ({app_row['type']}): where they match")
    return fig


def fig_positions(r, ivs, hist):
    """Small multiples: the applicant's list position at each program."""
    n = max(r.replicates, 1)
    k = len(ivs)
    cols = 4 if k > 6 else max(1, min(k, 3))
    rows = int(math.ceil(k / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(2.6 * cols + 0.6, 2.0 * rows + 0.8), squeeze=False)
    nb = hist.shape[1] - 1
    edges = r.bins["bin_edges"][: nb + 1].astype(float) - 0.5
    progs = r.programs
    for e, ((_, iv), h) in enumerate(zip(ivs.iterrows(), hist)):
        ax = axes[e // cols][e % cols]
        share = h[:nb] / n * 100
        nonzero = np.nonzero(h[:nb])[0]
        interviewed = int(progs["interviewed"].iat[int(iv["program"])])
        positions = int(progs["positions"].iat[int(iv["program"])])
        ax.stairs(share, edges, fill=True, color=BLUE, linewidth=0)
        xmax = interviewed if interviewed > 0 else r.bins["max_list_length"]
        ax.set_xlim(0.5, xmax + 0.5)
        ax.axvline(positions + 0.5, color=BLACK, ls="--", lw=0.9)
        not_ranked = h[nb] / n
        med = ""
        if len(nonzero):
            cum = np.cumsum(h)
            mc = int(np.argmax(2 * cum >= cum[-1]))
            med = "median not ranked" if mc >= nb else f"median {int(r.bins['bin_edges'][mc])}"
        ax.set_title(f"{iv['program_id']}: P(here) {100 * iv['p_match']:.1f}%\n{med}; not ranked {100 * not_ranked:.1f}%",
                     fontsize=8)
        ax.tick_params(labelsize=7)
    for e in range(k, rows * cols):
        axes[e // cols][e % cols].axis("off")
    fig.supxlabel("position on the program's final list (1 = top; dashed line: the program's positions)", fontsize=9)
    fig.supylabel("% of replicates", fontsize=9)
    fig.tight_layout()
    return fig


def fig_applicant_moves(r, ivs):
    """Mean meeting move by factor for one applicant (mean over programs,
    whiskers: the smallest and largest program)."""
    names = r.factors
    vals = np.array([ivs["move_" + f].to_numpy() for f in names])  # F x k
    mean = vals.mean(axis=1)
    lo, hi = vals.min(axis=1), vals.max(axis=1)
    fig, ax = plt.subplots(figsize=(8.5, 0.32 * len(names) + 1.3))
    y = np.arange(len(names))[::-1]
    colours = [BLUE if m >= 0 else ORANGE for m in mean]
    hatches = ["" if m >= 0 else "//" for m in mean]
    bars = ax.barh(y, mean, color=colours, edgecolor=BLACK, linewidth=0.5)
    for b, hch in zip(bars, hatches):
        b.set_hatch(hch)
    ax.errorbar(mean, y, xerr=np.vstack([mean - lo, hi - mean]), fmt="none", ecolor=BLACK, capsize=3, lw=0.8)
    span = max(np.abs(lo).max(), np.abs(hi).max(), 1.0)  # at least one spot each way
    for yy, m, h in zip(y, mean, hi):
        ax.text(span * 1.08, yy, f"{m:+.1f}", va="center", fontsize=8)
    ax.set_xlim(-span * 1.1, span * 1.3)
    ax.axvline(0, color=BLACK, lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.set_xlabel("mean move on the program's list (spots; + = up), mean over their programs; whiskers: min–max program")
    ax.set_title("What the rank meetings did to this name, by factor")
    return fig


def section_applicants(page, r, ids):
    page.h(2, "Applicants", anchor="applicants")
    if not ids:
        page.p("This file has no focal applicants (ids starting 'focal'); give --applicant ID to draw one.", "note")
        return
    apps = r.applicants
    for aid in ids:
        row = apps.index[apps["id"] == aid]
        if len(row) == 0:
            raise BadInput(f"no applicant '{aid}' in the file")
        a = apps.loc[row[0]]
        ivs = r.applicant_interviews(aid).sort_values(["p_match", "program"], ascending=[False, True], kind="stable")
        page.h(3, f"{aid} ({a['type']})", anchor=f"app-{aid}")
        page.p(
            f"P(match) {pct(a['p_match'])} ± {pct(a['p_match_se'])} (Monte Carlo SE), 95% Wilson interval "
            f"{pct(a['ci_low'])}–{pct(a['ci_high'])}, over {r.replicates} replicates; {len(ivs)} interviews."
        )
        if len(ivs) == 0:
            page.p("No interviews: this applicant cannot match.", "note")
            continue
        page.figure(
            fig_chances(r, a, ivs),
            f"fig-chances-{aid}",
            f"P(match) and P(matched here) per program for {aid}",
            f"Chances of {aid}. Top row: P(matched anywhere); below, P(matched at each program), most likely "
            "first; bars are 95% Wilson intervals, numbers at the right are the estimate and interval.",
        )
        shown = ivs.head(MAX_PANELS)
        pos = r.positions(shown.index.to_numpy())
        hist = r.rank_hist(shown.index.to_numpy())
        page.figure(
            fig_positions(r, shown, hist),
            f"fig-positions-{aid}",
            f"Distribution of {aid}'s position on each program's final list",
            f"List positions of {aid}: at each program, the share of replicates in which the final rank list had "
            "them at each position"
            + (f" (bins of {r.bins['bin_width']} positions)" if r.bins["bin_width"] > 1 else "")
            + "; the dashed line is the program's number of positions."
            + (f" The {MAX_PANELS} most likely programs of {len(ivs)}." if len(ivs) > MAX_PANELS else ""),
        )
        rows = []
        for (_, iv), (_, ps) in zip(shown.iterrows(), pos.iterrows()):
            med = "not ranked" if math.isnan(ps["median_position"]) else (
                f"{int(ps['median_position'])}" if ps["median_position"] == ps["median_position_last"]
                else f"{int(ps['median_position'])}-{int(ps['median_position_last'])}")
            rows.append([iv["program_id"], f"{iv['p_match']:.3f}", f"{iv['ci_low']:.3f}–{iv['ci_high']:.3f}",
                         f"{ps['p_ranked']:.3f}", med, f"{iv['move_total']:+.1f}"])
        page.table(["program", "P(here)", "95% interval", "P(ranked)", "median position", "net move (spots)"], rows,
                   caption=f"{aid} program by program")
        if r.factors:
            page.figure(
                fig_applicant_moves(r, ivs),
                f"fig-moves-{aid}",
                f"Mean meeting move by factor for {aid}",
                f"Meeting moves of {aid}: for each factor, the mean move (spots up or down the list) over their "
                "programs; whiskers from the program with the smallest to the largest mean move. "
                "Solid bars move up, hatched bars move down.",
            )


def _mean_se(p, n):
    """Monte Carlo SE of the mean of estimated P(match)s over n replicates,
    treating the applicants' estimates as independent (matches compete, so
    this is a guide, not exact): sqrt(sum p(1-p) / n) / count."""
    p = np.asarray(p, dtype=float)
    return math.sqrt(float(np.sum(p * (1 - p))) / n) / len(p)


def fig_by_type(r, df, col, title):
    """Per-applicant P(match) by group: box plot, the mean and its count."""
    groups = [g for g in df[col].drop_duplicates().tolist()]
    data = [df.loc[df[col] == g, "p_match"].to_numpy() * 100 for g in groups]
    fig, ax = plt.subplots(figsize=(8.5, 0.5 * len(groups) + 1.4))
    y = np.arange(len(groups))[::-1]
    ax.boxplot(data, positions=y, vert=False, widths=0.5, patch_artist=True, showfliers=True,
               flierprops={"marker": "o", "markersize": 2.5, "markerfacecolor": "none", "markeredgecolor": GRAY},
               boxprops={"facecolor": SKY, "edgecolor": BLACK}, medianprops={"color": BLACK, "lw": 1.5},
               whiskerprops={"color": BLACK}, capprops={"color": BLACK})
    n = max(r.replicates, 1)
    for yy, g, d in zip(y, groups, data):
        sub = df.loc[df[col] == g]
        m = d.mean()
        # SE of the group mean, treating applicants' outcomes as independent.
        se = _mean_se(sub["p_match"], n) * 100
        ax.plot([m], [yy], marker="D", color=BLACK, markersize=6, zorder=3)
        ax.text(102, yy, f"mean {m:.1f}% ± {se:.2f} pp (MC SE), n={len(sub)}", va="center", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels(groups)
    ax.set_xlim(-2, 100)
    ax.set_xlabel("P(match) of each applicant (%); box: quartiles, whiskers: 1.5 IQR, circles beyond; diamond: mean")
    ax.set_title(title)
    return fig


def section_types(page, r):
    page.h(2, "P(match) by applicant type", anchor="types")
    apps = r.applicants
    page.figure(
        fig_by_type(r, apps, "type", "P(match) by applicant type"),
        "fig-types",
        "P(match) by applicant type",
        "P(match) by applicant type: the spread of applicants' P(match) within each type, and the mean with its "
        "Monte Carlo SE (± after the mean: treating applicants as independent, so only a guide). ",
    )
    rows = []
    n = max(r.replicates, 1)
    for t in apps["type"].drop_duplicates():
        s = apps.loc[apps["type"] == t, "p_match"]
        se = _mean_se(s, n)
        rows.append([t, len(s), f"{s.mean():.3f}", f"{se:.3f}", f"{s.min():.3f}", f"{s.max():.3f}", f"{s.sum():.1f}"])
    page.table(["type", "applicants", "mean P(match)", "SE", "min", "max", "expected matched"], rows,
               caption="By applicant type")
    groups = _model_groups(r)
    for col, df in groups:
        page.figure(
            fig_by_type(r, df, col, f"P(match) by {col} (model's applicants.csv)"),
            f"fig-group-{col}",
            f"P(match) by {col}",
            f"P(match) by the model's column {col} (read from {r.attrs.get('model_dir', '')}/applicants.csv).",
        )


def _model_groups(r):
    """(column, DataFrame) for each x_ column of the model's applicants.csv
    with few distinct values, when the model folder is still there with the
    same applicants."""
    import pandas as pd

    path = os.path.join(str(r.attrs.get("model_dir", "")), "applicants.csv")
    if not os.path.isfile(path):
        return []
    try:
        m = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception:  # a model changed since the run: leave the figure out
        return []
    if "id" not in m or len(m) != len(r.applicants) or not (m["id"].to_numpy() == r.applicants["id"].to_numpy()).all():
        return []
    out = []
    for c in m.columns:
        if c.startswith("x_") and 1 < m[c].nunique() <= 12:
            df = r.applicants[["id", "p_match"]].copy()
            df[c] = m[c].to_numpy()
            out.append((c, df))
    return out


def _hist_quantiles(h, qs):
    """Columns at quantiles qs of a histogram row (first cols-1 columns)."""
    body = h[:-1].astype(np.int64)
    tot = body.sum()
    if tot == 0:
        return None
    cum = np.cumsum(body)
    return [int(np.argmax(cum >= q * tot)) for q in qs]


def fig_fill(r, progs):
    """Fill: per program when few, else distributions across programs."""
    n = max(r.replicates, 1)
    if len(progs) <= MAX_PROGRAMS_EACH:
        fig, ax = plt.subplots(figsize=(8.5, 0.26 * len(progs) + 1.4))
        y = np.arange(len(progs))[::-1]
        frac = progs["mean_fill"].to_numpy() / progs["positions"].to_numpy() * 100
        ax.barh(y, frac, color=SKY, edgecolor=BLACK, linewidth=0.4, label="mean seats filled (% of positions)")
        pf = progs["p_full"].to_numpy()
        lo, hi = wilson_interval(pf, n)
        ax.errorbar(pf * 100, y, xerr=_err_x(pf, lo, hi), fmt="o", color=BLACK, markersize=4, capsize=2, lw=0.8,
                    label="P(full), 95% interval")
        for yy, f, p_, (_, pr) in zip(y, frac, pf, progs.iterrows()):
            ax.text(102, yy, f"{pr['mean_fill']:.2f}/{pr['positions']}  P(full) {100 * p_:.1f}%", va="center", fontsize=7)
        ax.set_yticks(y)
        ax.set_yticklabels(progs["id"], fontsize=7)
        ax.set_xlim(0, 100)
        ax.set_xlabel("% (bars: mean seats filled as % of positions; dots: P(all positions filled))")
        ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
        ax.set_title("Programs: fill")
        return fig
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    frac = progs["mean_fill"].to_numpy() / progs["positions"].to_numpy() * 100
    axes[0].hist(frac, bins=np.linspace(0, 100, 21), color=SKY, edgecolor=BLACK, lw=0.4)
    axes[0].set_xlabel("mean seats filled (% of positions)")
    axes[0].set_ylabel("programs")
    axes[0].set_title(f"mean fill; median {np.median(frac):.1f}%")
    axes[1].hist(progs["p_full"].to_numpy() * 100, bins=np.linspace(0, 100, 21), color=ORANGE, edgecolor=BLACK,
                 lw=0.4, hatch="//")
    axes[1].set_xlabel("P(all positions filled) (%)")
    axes[1].set_ylabel("programs")
    axes[1].set_title(f"P(full); {100 * np.mean(progs['p_full'] >= 0.5):.1f}% of programs full more often than not")
    fig.suptitle(f"Fill across {len(progs)} programs")
    fig.tight_layout()
    return fig


def fig_depth(r, progs, depth, title):
    """Depth of list: per program a box plot of the list position of the
    lowest-ranked applicant who matched, from depth_hist."""
    stats = []
    labels = []
    n = max(r.replicates, 1)
    edges = r.bins["bin_edges"]
    w = r.bins["bin_width"]

    def pos(c):
        return float(edges[c] + (w - 1) / 2.0)

    for (_, pr), h in zip(progs.iterrows(), depth):
        q = _hist_quantiles(h, [0.05, 0.25, 0.5, 0.75, 0.95])
        if q is None:
            continue
        stats.append({"med": pos(q[2]), "q1": pos(q[1]), "q3": pos(q[3]), "whislo": pos(q[0]), "whishi": pos(q[4]),
                      "label": pr["id"], "positions": pr["positions"], "nobody": h[-1] / n,
                      "interviewed": pr["interviewed"]})
        labels.append(pr["id"])
    fig, ax = plt.subplots(figsize=(8.5, 0.3 * max(len(stats), 1) + 1.5))
    if not stats:
        ax.text(0.5, 0.5, "no program matched anyone", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    y = np.arange(len(stats))[::-1]
    ax.bxp(stats, positions=y, vert=False, widths=0.55, showfliers=False, patch_artist=True,
           boxprops={"facecolor": SKY, "edgecolor": BLACK}, medianprops={"color": BLACK, "lw": 1.5})
    ax.scatter([s["positions"] for s in stats], y, marker="|", s=120, color=VERMILION, zorder=3,
               label="positions (seats)")
    right = max(s["whishi"] for s in stats)
    for yy, s in zip(y, stats):
        ax.text(right * 1.04 + 1, yy, f"median {s['med']:.0f} of {s['interviewed']} interviewed", va="center",
                fontsize=7)
    ax.set_xlim(0, right * 1.35 + 2)
    ax.set_yticks(y)
    ax.set_yticklabels([s["label"] for s in stats], fontsize=7)
    ax.set_xlabel("list position of the lowest-ranked applicant who matched (1 = top); box: quartiles, "
                  "whiskers: 5–95%")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(title)
    return fig


def section_programs(page, r, top):
    page.h(2, "Programs", anchor="programs")
    progs = r.programs
    n = max(r.replicates, 1)
    page.figure(
        fig_fill(r, progs),
        "fig-fill",
        "Programs' fill",
        "Fill: seats filled as a share of positions, and P(every position filled) with its 95% Wilson interval "
        f"over {r.replicates} replicates." if len(progs) <= MAX_PROGRAMS_EACH else
        f"Fill across all {len(progs)} programs: how many programs reach each mean fill and each P(full).",
    )
    med = progs["median_depth"].to_numpy()
    order = np.lexsort((np.arange(len(progs)), -np.nan_to_num(med, nan=-1e9)))
    if len(progs) <= MAX_PROGRAMS_EACH:
        sel = order
        title = "How deep each program's list went"
    else:
        sel = order[: (top or 30)]
        title = f"How deep the list went: the {len(sel)} deepest of {len(progs)} programs"
    sub = progs.iloc[sel]
    page.figure(
        fig_depth(r, sub, r.depth_hist[sel], title),
        "fig-depth",
        "Depth-of-list distributions",
        "Depth of list: in each replicate, the list position of the lowest-ranked applicant who matched at the "
        "program (\"how far down our list will we go?\"); deepest median first. The red tick marks the number of "
        "positions: a depth far beyond it means the program matched far down its list.",
    )
    if len(progs) > MAX_PROGRAMS_EACH:
        ratio = med / progs["positions"].to_numpy()
        fig, ax = plt.subplots(figsize=(8.5, 3))
        ok = ~np.isnan(ratio)
        ax.hist(ratio[ok], bins=40, color=SKY, edgecolor=BLACK, lw=0.4)
        ax.set_xlabel("median depth of list ÷ positions (list positions per seat)")
        ax.set_ylabel("programs")
        ax.set_title(f"Depth of list relative to size, {int(ok.sum())} programs that matched anyone")
        page.figure(fig, "fig-depth-ratio", "Median depth of list per seat, across programs",
                    "How many list positions per seat each program's list went down (median over replicates).")
    rows = []
    for _, pr in sub.head(top or len(sub)).iterrows():
        pf = pr["p_full"]
        lo, hi = wilson_interval([pf], n)
        rows.append([pr["id"], pr["positions"], f"{pr['mean_fill']:.2f}", f"{pf:.3f} ({lo[0]:.3f}–{hi[0]:.3f})",
                     "-" if math.isnan(pr["median_depth"]) else f"{pr['median_depth']:.0f}",
                     "-" if math.isnan(pr["depth_90"]) else f"{pr['depth_90']:.0f}", pr["interviewed"]])
    page.table(["program", "positions", "mean fill", "P(full) (95% interval)", "median depth", "90% depth",
                "interviewed"], rows, caption="Programs, deepest lists first")


def fig_factor_moves(r):
    """Mean move by factor over all interviews, by applicant type."""
    iv = r.interviews
    types = r.applicants["type"].to_numpy()[iv["applicant"].to_numpy()]
    tlist = list(dict.fromkeys(r.applicants["type"]))
    names = r.factors
    fig, ax = plt.subplots(figsize=(8.5, 0.55 * len(names) + 1.5))
    h = 0.8 / max(len(tlist), 1)
    y0 = np.arange(len(names))[::-1]
    allvals = []
    for k, t in enumerate(tlist):
        mask = types == t
        vals = np.array([iv["move_" + f].to_numpy()[mask].mean() if mask.any() else 0.0 for f in names])
        allvals.append(vals)
        c, hatch = SERIES[k % len(SERIES)]
        yy = y0 + 0.4 - h * (k + 0.5)
        ax.barh(yy, vals, height=h, color=c, edgecolor=BLACK, linewidth=0.4, hatch=hatch, label=f"{t}")
        for v, y_ in zip(vals, yy):
            ax.text(v + (0.05 if v >= 0 else -0.05), y_, f"{v:+.1f}", va="center", ha="left" if v >= 0 else "right",
                    fontsize=6.5)
    span = max(np.abs(np.array(allvals)).max(), 1.0)  # at least one spot each way
    ax.set_xlim(-span * 1.3, span * 1.3)
    ax.axvline(0, color=BLACK, lw=0.8)
    ax.set_yticks(y0)
    ax.set_yticklabels(names)
    ax.set_xlabel("mean move on a program's list (spots; + = up), mean over interviews of each applicant type")
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title("Factor moves: what the rank meetings moved, by factor and applicant type")
    return fig


def section_moves(page, r):
    if not r.factors:
        return
    page.h(2, "Factor moves", anchor="moves")
    page.figure(
        fig_factor_moves(r),
        "fig-factor-moves",
        "Mean meeting move by factor and applicant type",
        "Factor moves: the mean number of spots each factor moved a name on a program's list (up positive), "
        "averaged over every interview of each applicant type. Series differ by colour and hatching.",
    )


# ---------------------------------------------------------- sensitivity


def fig_tornado(sub):
    """One applicant's tornado: ΔP(match) for the favourable and
    unfavourable level of each factor, paired 95% intervals."""
    facs = list(dict.fromkeys(sub["factor"]))
    fav = sub[sub["level"] == "favourable"].set_index("factor").loc[facs]
    unf = sub[sub["level"] == "unfavourable"].set_index("factor").loc[facs]
    swing = (fav["p_match"] - unf["p_match"]).abs().to_numpy()
    rswing = (fav["mean_rank"] - unf["mean_rank"]).abs().to_numpy()
    order = np.lexsort((-rswing, -swing))
    facs = [facs[i] for i in order]
    fav, unf = fav.loc[facs], unf.loc[facs]
    k = len(facs)
    fig, ax = plt.subplots(figsize=(8.5, 0.55 * k + 1.6))
    y = np.arange(k)[::-1]
    h = 0.38
    for df, off, c, hatch, lab in ((fav, h / 2, BLUE, "", "favourable (+)"),
                                   (unf, -h / 2, ORANGE, "//", "unfavourable (−)")):
        d = df["delta_p_match"].to_numpy() * 100
        se = df["delta_p_match_se"].to_numpy() * 100
        ax.barh(y + off, d, height=h, color=c, edgecolor=BLACK, linewidth=0.5, hatch=hatch, label=lab)
        ax.errorbar(d, y + off, xerr=Z95 * se, fmt="none", ecolor=BLACK, capsize=2.5, lw=0.8)
        for yy, v, s, ch in zip(y + off, d, se, df["changed"].to_numpy()):
            txt = "no change" if not ch else f"{v:+.1f} ± {Z95 * s:.1f}"
            ax.text(0, yy, "  " + txt + "  ", va="center", ha="left" if v < 0 else "right", fontsize=7)
    lim = max(np.abs(fav["delta_p_match"]).max(), np.abs(unf["delta_p_match"]).max(), 0.01) * 100
    lim = lim + Z95 * max(fav["delta_p_match_se"].max(), unf["delta_p_match_se"].max()) * 100
    ax.set_xlim(-lim * 1.15, lim * 1.15)
    ax.axvline(0, color=BLACK, lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels(facs)
    ax.set_xlabel("change in P(match) (percentage points); whiskers: ±1.96 paired SE (common random numbers)")
    ax.legend(loc="lower right", fontsize=8)
    base = sub.iloc[0]
    ax.set_title(f"{base['applicant']}: base P(match) {100 * base['base_p_match']:.1f}% "
                 f"± {100 * base['base_p_match_se']:.1f}; factors by swing")
    return fig


def section_sensitivity(page, r):
    s = r.sensitivity
    page.h(2, "Sensitivity: one-at-a-time what-ifs", anchor="sensitivity")
    page.p(f"{r.replicates} replicates per engine run, seed {r.attrs.get('seed')}. ΔP is the what-if's P(match) "
           "minus the base's; the SE is paired (per-replicate differences under common random numbers). "
           "docs/sensitivity.md says what each level changes.", "note")
    for aid in dict.fromkeys(s["applicant"]):
        sub = s[s["applicant"] == aid]
        page.h(3, str(aid), anchor=f"sens-{aid}")
        page.figure(
            fig_tornado(sub),
            f"fig-tornado-{aid}",
            f"Tornado chart of what-ifs for {aid}",
            f"What would move {aid}'s chances: for each factor the change in P(match) at the favourable (solid) and "
            "unfavourable (hatched) level, with 95% intervals from the paired SE; widest swing first.",
        )
        rows = []
        for _, w in sub.iterrows():
            rows.append([w["factor"], "+" if w["level"] == "favourable" else "−", w["whatif"],
                         f"{w['delta_p_match']:+.4f}", f"{w['delta_p_match_se']:.4f}",
                         f"{w['delta_p_match_se_unpaired']:.4f}", f"{w['n_gain']}/{w['n_loss']}",
                         f"{w['delta_mean_rank']:+.3f}", f"{w['delta_mean_rank_se']:.3f}"])
        page.table(["factor", "level", "what-if", "ΔP", "SE", "SE unpaired", "gain/loss", "Δ mean rank", "SE"], rows,
                   caption=f"{aid}: every what-if", num_from=3)


# ---------------------------------------------------------------- sobol


def fig_sobol(sub, output):
    sub = sub.sort_values(["st", "factor"], ascending=[False, True], kind="stable")
    k = len(sub)
    fig, ax = plt.subplots(figsize=(8.5, 0.5 * k + 1.6))
    y = np.arange(k)[::-1]
    h = 0.38
    for col, off, c, hatch, lab in (("s1", h / 2, BLUE, "", "first order S1"),
                                    ("st", -h / 2, ORANGE, "//", "total ST")):
        v = sub[col].to_numpy()
        lo = sub[col + "_lo"].to_numpy()
        hi = sub[col + "_hi"].to_numpy()
        vv = np.nan_to_num(v)
        ax.barh(y + off, vv, height=h, color=c, edgecolor=BLACK, linewidth=0.5, hatch=hatch, label=lab)
        ok = ~(np.isnan(lo) | np.isnan(hi))
        if ok.any():
            ax.errorbar(vv[ok], (y + off)[ok], xerr=np.vstack([np.maximum(vv - lo, 0)[ok], np.maximum(hi - vv, 0)[ok]]),
                        fmt="none", ecolor=BLACK, capsize=2.5, lw=0.8)
        for yy, a, l_, h_ in zip(y + off, v, lo, hi):
            t = "n/a" if math.isnan(a) else (f"{a:.2f} [{l_:.2f}, {h_:.2f}]" if not math.isnan(l_) else f"{a:.2f}")
            ax.text(1.32, yy, t, va="center", fontsize=7)
    ax.set_xlim(min(-0.05, float(np.nanmin(sub[["s1_lo", "st_lo"]].to_numpy(), initial=0))), 1.3)
    ax.axvline(0, color=BLACK, lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(sub["factor"])
    ax.set_xlabel("Sobol index (share of the output's variance; 1 = all of it); whiskers: bootstrap 95% interval")
    ax.legend(loc="lower right", fontsize=8)
    first = sub.iloc[0]
    ax.set_title(f"{output}: mean {first['mean']:.3f}, variance {first['variance']:.2e}, "
                 f"Monte Carlo noise {first['noise_variance']:.2e}")
    return fig


def section_sobol(page, r):
    s = r.sobol
    page.h(2, "Sobol indices over the meeting's weights", anchor="sobol")
    at = r.sobol_attrs
    page.p(f"{at.get('sobol_samples', '?')} base samples, {r.replicates} replicates per design point, "
           f"relative range {at.get('sobol_relative_range', '?')}, {at.get('sobol_n_boot', '?')} bootstrap "
           "resamples. When the Monte Carlo noise is not small against the variance, the indices are unreliable "
           "(docs/sensitivity.md).", "note")
    for k, out in enumerate(dict.fromkeys(s["output"])):
        sub = s[s["output"] == out]
        page.h(3, str(out), anchor=f"sobol-{k}")
        page.figure(
            fig_sobol(sub, out),
            f"fig-sobol-{k}",
            f"Sobol first-order and total indices for {out}",
            f"Sobol indices of {out}: the share of its variance due to each weight alone (S1, solid) and with "
            "its interactions (ST, hatched), with bootstrap 95% intervals; largest ST first.",
        )
        rows = [[w["factor"], f"{w['base']:g}", f"{w['lo']:g} .. {w['hi']:g}", f"{w['s1']:.3f}",
                 f"{w['s1_lo']:.3f} .. {w['s1_hi']:.3f}", f"{w['st']:.3f}", f"{w['st_lo']:.3f} .. {w['st_hi']:.3f}"]
                for _, w in sub.sort_values("st", ascending=False, kind="stable").iterrows()]
        page.table(["factor", "model value", "range", "S1", "95%", "ST", "95%"], rows, caption=f"{out}")


# -------------------------------------------------------------- forecast


def _two_part_bars(ax, x, y, se_mc, lo, hi, colour, marker, label):
    """A point with its two uncertainty parts: a thick short bar ±1.96 Monte
    Carlo SE and a thin long bar for the 95% interval in a market like these."""
    x, y = np.asarray(x, dtype=float) * 100, np.asarray(y, dtype=float)
    lo, hi, se = (np.asarray(v, dtype=float) * 100 for v in (lo, hi, se_mc))
    ok = np.isfinite(x)
    ax.errorbar(x[ok], y[ok], xerr=np.vstack([np.maximum(x - lo, 0)[ok], np.maximum(hi - x, 0)[ok]]), fmt="none",
                ecolor=GRAY, elinewidth=1, capsize=3)
    ax.errorbar(x[ok], y[ok], xerr=(Z95 * se)[ok], fmt=marker, color=colour, ecolor=BLACK, elinewidth=3,
                capsize=0, markersize=6, label=label)


def fig_forecast_chances(fc):
    progs = fc.programs
    methods = [m for m in fc.methods if fc.ran(m)]
    labels = ["P(match)"] + [f"{r}. {p}" for r, p in zip(progs["rank"], progs["program"])]
    k = len(labels)
    fig, ax = plt.subplots(figsize=(8.5, 0.42 * k + 1.6))
    y = np.arange(k)[::-1].astype(float)
    styles = {"fast": (BLUE, "o"), "exact": (ORANGE, "s")}
    off = {m: (0.15 - 0.3 * i if len(methods) > 1 else 0.0) for i, m in enumerate(methods)}
    for m in methods:
        c, mk = styles.get(m, (GREEN, "^"))
        pm = fc.p_match.loc[m]
        xs = np.concatenate([[pm["p"]], progs[f"p_here_{m}_p"].to_numpy()])
        se = np.concatenate([[pm["se_mc"]], progs[f"p_here_{m}_se_mc"].to_numpy()])
        lo = np.concatenate([[pm["lo"]], progs[f"p_here_{m}_lo"].to_numpy()])
        hi = np.concatenate([[pm["hi"]], progs[f"p_here_{m}_hi"].to_numpy()])
        _two_part_bars(ax, xs, y + off[m], se, lo, hi, c, mk, f"{m} method")
        if m == methods[0]:
            for yy, p_, s_, l_, h_ in zip(y, xs, se, lo, hi):
                ax.text(103, yy, f"{100 * p_:.1f}% ±{100 * Z95 * s_:.1f} MC; {100 * l_:.0f}–{100 * h_:.0f}",
                        va="center", fontsize=7.5)
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.axhline(y[0] - 0.5, color=GRAY, lw=0.8)
    ax.set_xlim(-2, 100)
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    ax.set_xlabel("probability (%): thick bar ±1.96 Monte Carlo SE; thin bar 95% interval for a market like these")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("Forecast: P(match), then P(matched at each program) in your list's order")
    return fig


def fig_forecast_whatifs(fc):
    w = fc.whatifs
    k = len(w)
    fig, ax = plt.subplots(figsize=(8.5, 0.34 * k + 1.5))
    y = np.arange(k)[::-1]
    d = w["delta"].to_numpy() * 100
    se = w["delta_se"].to_numpy() * 100
    colours = [BLUE if v >= 0 else ORANGE for v in d]
    bars = ax.barh(y, d, color=colours, edgecolor=BLACK, linewidth=0.5)
    for b, v in zip(bars, d):
        b.set_hatch("" if v >= 0 else "//")
    ax.errorbar(d, y, xerr=Z95 * se, fmt="none", ecolor=BLACK, capsize=2.5, lw=0.8)
    lim = max(float(np.max(np.abs(d) + Z95 * se)) if k else 1.0, 1.0)
    for yy, v, s_, sp in zip(y, d, se, w["delta_spread"].to_numpy() * 100):
        ax.text(lim * 1.08, yy, f"{v:+.1f} ± {Z95 * s_:.1f}  (spread {sp:.1f})", va="center", fontsize=7.5)
    ax.set_xlim(-lim * 1.05, lim * 1.05)
    ax.axvline(0, color=BLACK, lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(w["whatif"], fontsize=8)
    ax.set_xlabel("change in P(match) (percentage points); whiskers ±1.96 paired SE; spread: between markets")
    ax.set_title("What-ifs: what would change your chances (solid: up, hatched: down)")
    return fig


def fig_forecast_curve(fc):
    cv = fc.curve
    progs = fc.programs
    fig, ax = plt.subplots(figsize=(8.5, 3.6))
    k = cv["k"].to_numpy()
    p = cv["p"].to_numpy() * 100
    ax.fill_between(k, cv["lo"].to_numpy() * 100, cv["hi"].to_numpy() * 100, color="#dddddd", hatch="..",
                    edgecolor=GRAY, lw=0, label="95% interval, a market like these")
    ax.errorbar(k, p, yerr=Z95 * cv["se_mc"].to_numpy() * 100, fmt="-o", color=BLUE, ecolor=BLACK, capsize=3,
                markersize=5, label="P(match), ±1.96 Monte Carlo SE")
    for kk, pp in zip(k, p):
        ax.annotate(f"{pp:.1f}%", (kk, pp), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7.5)
    ax.set_xticks(k)
    ax.set_xticklabels([f"{kk}\n{str(n)[:14]}" for kk, n in zip(k, progs["program"])], fontsize=7)
    ax.set_ylim(0, 108)
    ax.set_xlabel("programs ranked: your top k (the program added at each k)")
    ax.set_ylabel("P(match) (%)")
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title("List-length curve: P(match) ranking only your top k programs (fast method)")
    return fig


_JOINT_LABELS = {"both": "both matched", "same_city": "both in one city", "same_region": "both in one region",
                 "one": "exactly one matched", "neither": "neither matched"}


def section_couple(page, fc, methods):
    """A couple's joint chances and the partner's own (tables)."""
    cp = fc.couple
    page.h(3, "The couple", anchor="forecast-couple")
    page.p(f"A couple: the joint list has {len(cp.joint_list)} entries (pairs in one city, then in one region, then "
           "\"one partner unmatched\" options; docs/forecast.md). Fast method: the first pair whose programs' cutoffs "
           "admit both partners; exact: the couple inserted and the couples procedure re-run"
           + (f" ({cp.unconverged} replicates did not converge)." if "exact" in methods else "."), "note")
    rows = []
    for m in methods:
        for o in cp.outcomes:
            s = cp.joint.loc[(m, o)]
            rows.append([m, _JOINT_LABELS.get(o, o), f"{s['p']:.3f}", f"{s['se_mc']:.3f}", f"{s['spread']:.3f}",
                         f"{s['lo']:.2f}–{s['hi']:.2f}"])
        pm = cp.partner_p_match.loc[m]
        rows.append([m, "the partner matched", f"{pm['p']:.3f}", f"{pm['se_mc']:.3f}", f"{pm['spread']:.3f}",
                     f"{pm['lo']:.2f}–{pm['hi']:.2f}"])
    page.table(["method", "outcome", "P", "MC SE", "spread", "95% interval"], rows,
               caption="The couple's joint chances and the partner's P(match)", num_from=2)
    m0 = methods[0] if methods else "fast"
    rows = []
    for _, pr in cp.partner_programs.iterrows():
        pos = "-" if not np.isfinite(pr["position_median"]) else (
            f"{pr['position_median']:.0f} ({pr['position_p10']:.0f}–{pr['position_p90']:.0f})")
        rows.append([pr["rank"], pr["program"], pr["replaced"], f"{pr[f'p_here_{m0}_p']:.3f}",
                     f"{pr[f'p_here_{m0}_se_mc']:.3f}", f"{pr[f'p_here_{m0}_spread']:.3f}",
                     f"{pr[f'p_here_{m0}_lo']:.2f}–{pr[f'p_here_{m0}_hi']:.2f}", f"{pr['p_ranked_p']:.3f}", pos])
    page.table(["#", "partner's program", "stands in for", "P(here)", "MC SE", "spread", "95% interval",
                "P(ranked)", "position 10–90%"], rows, caption=f"The partner's programs ({m0} method)")


def section_forecast(page, r):
    fc = r.forecast
    at = fc.attrs
    page.h(2, "Forecast", anchor="forecast")
    methods = [m for m in fc.methods if fc.ran(m)]
    who = "A couple" if fc.couple is not None else "One applicant"
    page.p(f"{who} placed into {at.get('forecast_markets', '?')} synthetic markets "
           f"({at.get('forecast_market', '?')}), {r.replicates} replicates each; method "
           f"{' and '.join(methods) or 'none'}. Two uncertainty parts: the Monte Carlo SE (noise of these "
           "replicates) and the between-market spread (how much P moves between equally plausible markets); the "
           "95% interval is for one more market like these and does not cover the model's own assumptions "
           "(docs/forecast.md).", "note")
    for m in methods:
        pm = fc.p_match.loc[m]
        by = ", ".join(f"{100 * v:.1f}%" for v in fc.markets["p_match_" + m])
        page.p(f"{m}: P(match) {pct(pm['p'])}, Monte Carlo SE {pct(pm['se_mc'])}, between-market spread "
               f"{pct(pm['spread'])}, 95% interval {pct(pm['lo'])}–{pct(pm['hi'])}; by market: {by}.")
    page.figure(fig_forecast_chances(fc), "fig-forecast-chances", "Forecast P(match) and P(matched here) per program",
                "Forecast chances: P(match) and P(matched at each program of the profile), each with its Monte Carlo "
                "uncertainty (thick bar) and its 95% interval for a market like these (thin bar).")
    if len(fc.whatifs):
        page.figure(fig_forecast_whatifs(fc), "fig-forecast-whatifs", "Forecast what-ifs",
                    "What-ifs: the change in P(match) with each change to the profile (common random numbers, "
                    "paired SE), largest first; the between-market spread of the change is printed.")
    if np.isfinite(fc.curve["p"]).any():
        page.figure(fig_forecast_curve(fc), "fig-forecast-curve", "List-length curve",
                    "List-length curve: P(match) when only the top k programs of the list are ranked.")
    if fc.couple is not None:
        section_couple(page, fc, methods)
    rows = []
    m0 = methods[0] if methods else "fast"
    for _, pr in fc.programs.iterrows():
        pos = "-" if not np.isfinite(pr["position_median"]) else (
            f"{pr['position_median']:.0f} ({pr['position_p10']:.0f}–{pr['position_p90']:.0f})")
        rows.append([pr["rank"], pr["program"], pr["replaced"], f"{pr[f'p_here_{m0}_p']:.3f}",
                     f"{pr[f'p_here_{m0}_se_mc']:.3f}", f"{pr[f'p_here_{m0}_spread']:.3f}",
                     f"{pr[f'p_here_{m0}_lo']:.2f}–{pr[f'p_here_{m0}_hi']:.2f}", f"{pr['p_ranked_p']:.3f}", pos,
                     pr["list_length"], f"{pr['top_factor'] or '-'} {pr['top_factor_move']:+.1f}"])
    page.table(["#", "program", "stands in for", "P(here)", "MC SE", "spread", "95% interval", "P(ranked)",
                "position (10–90%)", "list", "largest meeting factor (spots)"], rows,
               caption=f"Programs in the profile's order ({m0} method)", num_from=3)


# ------------------------------------------------------------------ apply

# Baselines on the application curve: colour, line style and marker, so
# they stay apart in grayscale.
# they stay apart in grayscale (hatching for the bars).
BASELINE_STYLES = {"random": (ORANGE, "--", "s", "//"), "most_desirable": (VERMILION, ":", "^", ".."),
                   "visa_sponsoring": (GREEN, "-.", "D", "xx")}


def _baseline_style(name, i):
    c, hatch = SERIES[(i + 1) % len(SERIES)]
    return BASELINE_STYLES.get(name, (c, "--", "v", hatch))


def _k_ticks(ax, ap):
    rec = ap.recommended
    ax.set_xticks(rec["k"])
    ax.set_xticklabels([f"{k}\n{str(i)[:10]}" for k, i in zip(rec["k"], rec["id"])], fontsize=7)


def fig_apply_curve(ap):
    """Cumulative P(match) with the first k applications of the recommended
    order, both uncertainty parts as bands, the baselines on the same axes
    and the point of diminishing returns."""
    cv = ap.curve
    k = cv["k"].to_numpy()
    p = cv["p"].to_numpy() * 100
    se = cv["se_mc"].to_numpy() * 100
    fig, ax = plt.subplots(figsize=(8.5, 4.4))
    ax.fill_between(k, cv["lo"].to_numpy() * 100, cv["hi"].to_numpy() * 100, color="#e8e8e8", hatch="..",
                    edgecolor=GRAY, lw=0, label="95% interval, one more market like these")
    ax.fill_between(k, np.clip(p - Z95 * se, 0, 100), np.clip(p + Z95 * se, 0, 100), color=SKY, alpha=0.6, lw=0,
                    label="±1.96 Monte Carlo SE")
    ax.plot(k, p, "-o", color=BLUE, markersize=5, lw=2, label="recommended order", zorder=4)
    for i, name in enumerate(ap.baseline_names):
        b = ap.baseline(name)
        c, ls, mk, _ = _baseline_style(name, i)
        ax.plot(b["k"], b["p"] * 100, ls=ls, marker=mk, color=c, markersize=4.5, lw=1.3,
                markerfacecolor="white", label=f"baseline: {name.replace('_', ' ')}", zorder=3)
    for kk, pp in zip(k, p):
        ax.annotate(f"{pp:.0f}", (kk, pp), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=7.5,
                    color=BLUE)
    dk = ap.diminishing_k
    if 1 <= dk <= len(k):
        ax.axvline(dk, color=BLACK, ls="--", lw=1)
        ax.plot([dk], [p[dk - 1]], marker="*", color=BLACK, markersize=14, ls="none", zorder=5,
                label=f"point of diminishing returns (k = {dk})")
        ax.annotate(f"diminishing returns: k = {dk}, {p[dk - 1]:.1f}%", (dk, 4), xytext=(4, 0),
                    textcoords="offset points", fontsize=8, ha="left")
    _k_ticks(ax, ap)
    ax.set_xlim(0.5, len(k) + 0.5)
    ax.set_ylim(-3, 108)  # a baseline at 0 stays visible above the axis
    ax.grid(axis="y", color="#dddddd", lw=0.6)
    ax.set_xlabel("number of applications k (the program added at k)")
    ax.set_ylabel("P(match) with k applications (%)")
    ax.legend(loc="upper left", fontsize=7.5, bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title("Application curve: P(match) with the first k applications of the recommended order")
    return fig


def fig_apply_baselines(ap):
    """Recommended − baseline at each k with ±1.96 paired SE."""
    nb = len(ap.baseline_names)
    m = len(ap.curve)
    fig, ax = plt.subplots(figsize=(8.5, 3.8))
    w = 0.8 / max(nb, 1)
    for i, name in enumerate(ap.baseline_names):
        b = ap.baseline(name)
        c, _, _, hatch = _baseline_style(name, i)
        x = b["k"].to_numpy() + (i - (nb - 1) / 2) * w
        d = b["diff"].to_numpy() * 100
        se = b["diff_se"].to_numpy() * 100
        ax.bar(x, d, width=w, color=c, edgecolor=BLACK, linewidth=0.5, hatch=hatch,
               label=f"vs {name.replace('_', ' ')}")
        ax.errorbar(x, d, yerr=Z95 * se, fmt="none", ecolor=BLACK, capsize=2, lw=0.8)
        if m <= 12:
            for xx, dd, ss in zip(x, d, se):
                ax.text(xx, dd + Z95 * ss + 1 if dd >= 0 else dd - Z95 * ss - 1, f"{dd:+.0f}", ha="center",
                        va="bottom" if dd >= 0 else "top", fontsize=6.5, rotation=90)
    ax.axhline(0, color=BLACK, lw=0.8)
    _k_ticks(ax, ap)
    ax.set_xlim(0.5, m + 0.5)
    lo, hi = ax.get_ylim()
    ax.set_ylim(min(lo, -5), hi + 10)
    ax.set_xlabel("number of applications k")
    ax.set_ylabel("recommended − baseline\n(percentage points)")
    ax.legend(loc="upper left", fontsize=7.5, bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.set_title("Gain over each baseline with the same k (paired on the same replicates); whiskers ±1.96 paired SE")
    return fig


def fig_apply_whatifs(ap):
    """What-ifs at k = M: the change in P(match) with the same list and with
    M chosen anew, paired SEs, and the overlap."""
    w = ap.whatifs
    n = len(w)
    m = len(ap.curve)
    fig, ax = plt.subplots(figsize=(8.5, 0.55 * n + 1.6))
    y = np.arange(n)[::-1].astype(float)
    h = 0.38
    lim = 1.0
    for col, off, c, hatch, lab in (("list", h / 2, BLUE, "", "same list, with the change"),
                                    ("reopt", -h / 2, ORANGE, "//", f"{m} chosen anew with the change")):
        d = w[col + "_delta"].to_numpy() * 100
        se = w[col + "_delta_se"].to_numpy() * 100
        ax.barh(y + off, d, height=h, color=c, edgecolor=BLACK, linewidth=0.5, hatch=hatch, label=lab)
        ax.errorbar(d, y + off, xerr=Z95 * se, fmt="none", ecolor=BLACK, capsize=2.5, lw=0.8)
        if n:
            lim = max(lim, float(np.max(np.abs(d) + Z95 * se)))
    for yy, (_, r_) in zip(y, w.iterrows()):
        ax.text(lim * 1.1, yy + h / 2, f"{100 * r_['list_delta']:+.1f} ± {100 * Z95 * r_['list_delta_se']:.1f}",
                va="center", fontsize=7.5)
        ax.text(lim * 1.1, yy - h / 2, f"{100 * r_['reopt_delta']:+.1f} ± {100 * Z95 * r_['reopt_delta_se']:.1f}; "
                f"P {100 * r_['reopt_p_match']:.0f}%, overlap {int(r_['overlap'])}/{m}", va="center", fontsize=7.5)
    ax.set_xlim(-lim * 1.05, lim * 1.05)
    ax.axvline(0, color=BLACK, lw=0.8)
    ax.set_yticks(y)
    ax.set_yticklabels(w["whatif"], fontsize=8)
    ax.set_xlabel(f"change in P(match) with {m} applications (percentage points); whiskers ±1.96 paired SE")
    ax.legend(loc="lower left", fontsize=7.5, bbox_to_anchor=(0.0, 1.0), ncol=2, frameon=False)
    ax.set_title("What-ifs: what would change the advice", pad=22)
    return fig


def section_apply(page, r):
    ap = r.apply
    at = ap.attrs
    cv = ap.curve
    rec = ap.recommended
    m = len(rec)
    page.h(2, "Applications", anchor="apply")
    page.p(f"One applicant applying to programs of {at.get('apply_market', '?')}: {len(ap.candidates)} candidate "
           f"programs, {at.get('apply_markets', '?')} synthetic markets, {r.replicates} evaluation replicates each "
           f"(as many again chose the order); offers and interview cap as synth group {at.get('apply_group', '?')}. "
           "The order was chosen on the selection replicates and every figure comes from the independent evaluation "
           "replicates. Two uncertainty parts: the Monte Carlo SE (noise of these replicates) and the between-market "
           "spread; the 95% interval is for one more market like these. Gains and comparisons are paired (common "
           "random numbers). Not covered: the model's assumptions (offer model, meeting weights, Step 2 CK mapping, "
           "synthetic programs standing in for real ones; docs/apply.md).", "note")
    last = cv.iloc[-1]
    dk = ap.diminishing_k
    page.p(f"With all {m} applications: P(match) {pct(last['p'])}, Monte Carlo SE {pct(last['se_mc'])}, "
           f"between-market spread {pct(last['spread'])}, 95% interval {pct(last['lo'])}–{pct(last['hi'])}; "
           f"expected interviews attended {last['interviews']:.2f}. "
           + (f"Point of diminishing returns: k = {dk} (P(match) {pct(cv['p'].iat[dk - 1])}), the smallest k whose "
              "next five applications together add less than one percentage point."
              if dk > 0 else f"Point of diminishing returns: not reached within {m} applications (five more still "
              "add at least one percentage point, or fewer than six applications were evaluated)."))
    page.figure(fig_apply_curve(ap), "fig-apply-curve", "Application curve with baselines",
                "Application curve: P(match) with the first k applications of the recommended order (solid line; "
                "the number is the percentage), the ±1.96 Monte Carlo SE band and the 95% interval for a market "
                "like these (dotted band); the baselines with the same number of applications on the same "
                "replicates (open markers); the star marks the point of diminishing returns when reached.")
    page.figure(fig_apply_baselines(ap), "fig-apply-baselines", "Recommended minus baselines, paired",
                "Recommended order minus each baseline at every k (percentage points), paired replicate by "
                "replicate, whiskers ±1.96 paired SE.")
    cost = float(at.get("apply_cost_per_application", 0.0))
    rows = []
    for (_, x), (_, c) in zip(rec.iterrows(), cv.iterrows()):
        star = " *" if x["k"] == dk else ""
        row = [f"{x['k']}{star}", f"{x['id']} {x['name']}", x["sponsors"], f"{x['desirability']:+.2f}",
               f"{x['p_interview']:.3f}", f"{x['gain']:+.3f} ± {x['gain_se']:.3f}", f"{c['p']:.3f}",
               f"{c['se_mc']:.3f}", f"{c['spread']:.3f}", f"{c['lo']:.2f}–{c['hi']:.2f}", f"{x['interviews']:.2f}"]
        if cost > 0:
            row.append(f"{x['cost']:.0f}")
        rows.append(row)
    head = ["k", "program", "visa", "desirability", "P(interview)", "marginal gain ± paired SE", "P(match)",
            "MC SE", "spread", "95% interval", "E[interviews]"] + (["cost"] if cost > 0 else [])
    page.table(head, rows, caption="Recommended order (* point of diminishing returns); P(interview) is "
               "P(interview offer | applied)", num_from=3)
    brow = []
    for name in ap.baseline_names:
        b = ap.baseline(name)
        for kk in sorted({1, min(5, m), m}):
            x = b.iloc[kk - 1]
            brow.append([name, kk, f"{x['p']:.3f}", f"{cv['p'].iat[kk - 1]:.3f}",
                         f"{x['diff']:+.3f} ± {x['diff_se']:.3f}"])
    page.table(["baseline", "k", "baseline P(match)", "recommended", "difference ± paired SE"], brow,
               caption="Baselines with the same number of applications", num_from=1)
    if len(ap.whatifs):
        page.figure(fig_apply_whatifs(ap), "fig-apply-whatifs", "Application what-ifs",
                    f"What-ifs with {m} applications: the change in P(match) against the recommendation with the "
                    "same list (solid) and with the list chosen anew (hatched), paired SE; overlap is how many "
                    "programs the new list shares with the recommendation. Largest change chosen anew first.")
        wrows = [[w["whatif"], f"{w['list_p_match']:.3f}", f"{w['list_delta']:+.3f} ± {w['list_delta_se']:.3f}",
                  f"{w['reopt_p_match']:.3f}", f"{w['reopt_delta']:+.3f} ± {w['reopt_delta_se']:.3f}",
                  f"{int(w['overlap'])}/{m}"] for _, w in ap.whatifs.iterrows()]
        page.table(["what-if", "same list: P(match)", "change ± paired SE", f"{m} chosen anew: P(match)",
                    "change ± paired SE", "overlap"], wrows, caption=f"What-ifs with {m} applications")


# ------------------------------------------------------------ generic groups


def section_group(page, r, name, df):
    page.h(2, f"/{name}", anchor=f"group-{name}")
    page.p(f"This file has a /{name} group, which this version of the report does not draw; its first rows "
           "as a table.", "note")
    if len(df.columns):
        head = df.head(20)
        page.table([str(c) for c in head.columns], [[str(v) for v in row] for row in head.itertuples(index=False)],
                   caption=f"/{name}: {len(df)} rows", num_from=len(head.columns))


def section_provenance(page, r):
    page.h(2, "Provenance", anchor="provenance")
    keys = ["rankmc_version", "command_line", "model_dir", "model_sha256", "seed", "replicates",
            "replicates_requested", "threads", "created_utc", "wall_seconds", "rng", "proposing", "interrupted",
            "until_se", "se_reached", "check_stability", "unconverged_replicates", "unstable_replicates"]
    def show(v):
        if isinstance(v, list) and len(v) > 8:
            return f"{v[:8]} ... ({len(v)} values)"
        return v

    rows = [[k, show(r.attrs[k])] for k in keys if k in r.attrs]
    rows += [[k, show(v)] for k, v in sorted(r.attrs.items()) if k not in keys]
    page.table(["attribute", "value"], rows, caption=f"Root attributes of {os.path.basename(r.path)}",
               num_from=99)


def build(path, applicants=None, top=10):
    try:
        r = read(path)
    except (OSError, ValueError, KeyError) as e:
        raise BadInput(f"{path}: cannot read as a rankmc result ({e})") from e
    page = Page(f"rankmc report: {os.path.basename(path)}")
    page.p(f"{path}: {', '.join(r.kinds) or 'no result groups'}; rankmc {r.attrs.get('rankmc_version', '?')}, "
           f"{r.replicates} replicates, seed {r.attrs.get('seed', '?')}. Every probability is a Monte Carlo "
           "estimate over these replicates, shown with its 95% interval or standard error; see the Provenance "
           "table at the end for how the file was made.")
    if r.attrs.get("interrupted"):
        page.p(f"Note: this run was interrupted after {r.replicates} of {r.attrs.get('replicates_requested')} "
               "replicates.", "note")
    if applicants and r.applicants is None:
        raise BadInput("--applicant needs a run result (this file has no /applicants)")
    if r.applicants is not None:
        ids = list(applicants) if applicants else r.focal_ids()
        section_applicants(page, r, ids)
        section_types(page, r)
        section_programs(page, r, top)
        section_moves(page, r)
    if r.sensitivity is not None:
        section_sensitivity(page, r)
    if r.sobol is not None:
        section_sobol(page, r)
    if r.forecast is not None:
        section_forecast(page, r)
    if r.apply is not None:
        section_apply(page, r)
    for name, df in sorted(r.groups.items()):
        section_group(page, r, name, df)
    section_provenance(page, r)
    return page


def main(argv=None):
    ap = argparse.ArgumentParser(prog="rankmc report", description="HTML figures of a rankmc result file")
    ap.add_argument("result")
    ap.add_argument("-o", "--output", default=None)
    ap.add_argument("-a", "--applicant", action="append", default=[])
    ap.add_argument("-N", "--top", type=int, default=10)
    ap.add_argument("-f", "--force", action="store_true")
    args = ap.parse_args(argv)
    out = args.output or (os.path.splitext(args.result)[0] + ".html")
    try:
        if os.path.exists(out) and not args.force:
            raise BadInput(f"{out} exists (use --force to replace it)")
        page = build(args.result, args.applicant, args.top)
        d = os.path.dirname(os.path.abspath(out))
        fd, tmp = tempfile.mkstemp(prefix=os.path.basename(out) + ".", suffix=".tmp", dir=d)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(page.html())
            os.chmod(tmp, 0o644)
            os.replace(tmp, out)
        except BaseException:
            os.unlink(tmp)
            raise
    except BadInput as e:
        sys.stderr.write(f"rankmc report: {e}\n")
        return 2
    except OSError as e:
        sys.stderr.write(f"rankmc report: {e}\n")
        return 1
    print(f"rankmc report: wrote {out} ({len(page.figures)} figures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
