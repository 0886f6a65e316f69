"""rankmc.read: a result file's tables as pandas DataFrames.

The large per-interview histogram (/interviews/rank_hist: interviews x
(bins + 1) uint32, about 0.5 GB for a national run) is never loaded whole:
``Result.rank_hist(rows)`` reads selected rows and ``Result.iter_rank_hist``
reads it in blocks of rows. Everything else is read when ``read`` is called.
"""

import os

import h5py
import numpy as np
import pandas as pd

# The z of a two-sided 95% interval, as the C code writes it (rmc_wilson).
Z95 = 1.959964

# Groups whose layout this reader knows; any other group of the file is read
# generically into Result.groups.
_KNOWN = ("applicants", "programs", "interviews", "sensitivity", "sobol", "forecast", "apply")


def wilson_interval(p, n, z=Z95):
    """Wilson score interval for proportions p (array-like) over n trials.

    Returns (low, high) arrays; NaN where n == 0.
    """
    p = np.asarray(p, dtype=float)
    n = float(n)
    if n <= 0:
        nan = np.full(p.shape, np.nan)
        return nan, nan.copy()
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2.0 * n)) / denom
    half = z * np.sqrt(np.maximum(p * (1.0 - p) / n + z2 / (4.0 * n * n), 0.0)) / denom
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def _attr(v):
    """An HDF5 attribute as a plain Python value."""
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, np.ndarray):
        return v.tolist() if v.ndim > 0 else v.item()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _strings(ds):
    return np.asarray(ds.asstr()[()], dtype=object)


def _column(ds):
    """A whole (small) dataset, strings decoded."""
    if h5py.check_string_dtype(ds.dtype) is not None:
        return _strings(ds)
    return ds[()]


def _hist_cols(hist, q, skip_last=True):
    """Per row, the first column at which the cumulative share reaches q,
    over the first cols-1 columns (skip_last) or all; -1 where a row's total
    is 0. hist: 2-D integer array."""
    h = hist[:, :-1] if skip_last else hist
    total = h.sum(axis=1, dtype=np.int64)
    cum = np.cumsum(h, axis=1, dtype=np.int64)
    target = q * total.astype(float)
    if h.shape[1] == 0:
        return np.full(len(h), -1, dtype=np.int64)
    idx = np.argmax(cum >= target[:, None], axis=1)
    idx = np.where(total > 0, idx, -1)
    return idx


def _median_cols(hist):
    """The summary's median column of each row over every column (the last,
    "none", is a possible answer): the first c with 2 * cum >= total."""
    total = hist.sum(axis=1, dtype=np.int64)
    cum = np.cumsum(hist, axis=1, dtype=np.int64)
    idx = np.argmax(2 * cum >= total[:, None], axis=1)
    return np.where(total > 0, idx, hist.shape[1] - 1)


class Result:
    """One rankmc HDF5 file.

    Attributes (None where the file has no such group):
      path         the file
      attrs        root attributes (provenance: rankmc_version, seed,
                   replicates, model_sha256, command_line, ...) as a dict
      applicants   DataFrame, one row per applicant (file order)
      programs     DataFrame, one row per program
      interviews   DataFrame, one row per interview, ids joined
      factors      the meeting factor names (columns move_<factor>)
      bins         dict: bin_edges, bin_width, max_list_length of rank_hist
      sensitivity  DataFrame, one row per (applicant, factor, level)
      sobol        DataFrame, one row per (output, factor)
      sobol_design DataFrame, the design points x and outputs y
      forecast     Forecast: the /forecast tables (rankmc forecast -o)
      apply        Apply: the /apply tables (rankmc apply -o)
      groups       dict: any other group -> DataFrame
    """

    def __init__(self, path):
        self.path = os.fspath(path)
        self.applicants = None
        self.programs = None
        self.interviews = None
        self.factors = []
        self.bins = None
        self.choice_hist = None
        self.fill_hist = None
        self.depth_hist = None
        self.sensitivity = None
        self.sobol = None
        self.sobol_design = None
        self.sobol_attrs = {}
        self.forecast = None
        self.apply = None
        self.groups = {}
        with h5py.File(self.path, "r") as f:
            self.attrs = {k: _attr(v) for k, v in f.attrs.items()}
            if "applicants" in f and "programs" in f and "interviews" in f:
                self._read_run(f)
            if "sensitivity" in f:
                self._read_sensitivity(f["sensitivity"])
            if "sobol" in f:
                self._read_sobol(f["sobol"])
            if "forecast" in f:
                self.forecast = Forecast(f["forecast"], self.attrs)
            if "apply" in f:
                self.apply = Apply(f["apply"], self.attrs)
            for name, obj in f.items():
                if name not in _KNOWN and isinstance(obj, h5py.Group):
                    self.groups[name] = _generic_group(obj)

    # ------------------------------------------------------------------ run
    @property
    def replicates(self):
        return int(self.attrs.get("replicates", 0))

    @property
    def kinds(self):
        """What the file holds: a list of 'run', 'sensitivity', 'sobol',
        'forecast', 'apply' and the names of other groups."""
        k = []
        if self.applicants is not None:
            k.append("run")
        if self.sensitivity is not None:
            k.append("sensitivity")
        if self.sobol is not None:
            k.append("sobol")
        if self.forecast is not None:
            k.append("forecast")
        if self.apply is not None:
            k.append("apply")
        k.extend(sorted(self.groups))
        return k

    def _read_run(self, f):
        n = self.replicates
        a = f["applicants"]
        ci = a["p_match_ci95"][()]
        self.applicants = pd.DataFrame(
            {
                "id": _strings(a["id"]),
                "type": _strings(a["type"]),
                "p_match": a["p_match"][()],
                "p_match_se": a["p_match_se"][()],
                "ci_low": ci[:, 0],
                "ci_high": ci[:, 1],
            }
        )
        self.choice_hist = a["choice_hist"][()]
        if n > 0 and self.choice_hist.shape[1] > 1:
            self.applicants["p_first_choice"] = self.choice_hist[:, 0] / n
        p = f["programs"]
        self.fill_hist = p["fill_hist"][()]
        self.depth_hist = p["depth_hist"][()]
        positions = p["positions"][()].astype(np.int64)
        rows = np.arange(len(positions))
        full_col = np.minimum(positions, self.fill_hist.shape[1] - 1)
        p_full = np.where(positions < self.fill_hist.shape[1], self.fill_hist[rows, full_col], 0) / max(n, 1)
        rh = f["interviews/rank_hist"]
        self.bins = {
            "bin_edges": np.asarray(rh.attrs["bin_edges"], dtype=np.int64),
            "bin_width": int(_attr(rh.attrs["bin_width"])),
            "max_list_length": int(_attr(rh.attrs["max_list_length"])),
            "columns": rh.shape[1],
        }
        med = _hist_cols(self.depth_hist, 0.5)
        q90 = _hist_cols(self.depth_hist, 0.9)
        self.programs = pd.DataFrame(
            {
                "id": _strings(p["id"]),
                "name": _strings(p["name"]),
                "positions": positions,
                "mean_fill": p["mean_fill"][()],
                "p_full": p_full,
                "p_nobody": self.depth_hist[:, -1] / max(n, 1),
                "median_depth": self.col_first_position(med),
                "depth_90": self.col_first_position(q90),
            }
        )
        iv = f["interviews"]
        app = iv["applicant"][()].astype(np.int64)
        prog = iv["program"][()].astype(np.int64)
        pm = iv["p_match"][()]
        lo, hi = wilson_interval(pm, n)
        self.interviews = pd.DataFrame(
            {
                "applicant": app,
                "program": prog,
                "applicant_id": self.applicants["id"].to_numpy()[app],
                "program_id": self.programs["id"].to_numpy()[prog],
                "p_match": pm,
                "p_match_se": np.sqrt(np.maximum(pm * (1.0 - pm), 0.0) / max(n, 1)),
                "ci_low": lo,
                "ci_high": hi,
            }
        )
        self.factors = [str(s) for s in _strings(iv["factors"])]
        mv = iv["mean_move"][()]
        for k, name in enumerate(self.factors):
            self.interviews["move_" + name] = mv[:, k]
        self.interviews["move_total"] = mv.sum(axis=1)
        self.programs["interviewed"] = np.bincount(prog, minlength=len(self.programs))

    def col_first_position(self, cols):
        """1-based first list position of histogram columns (bins); NaN for
        -1 or the last ('none') column."""
        cols = np.asarray(cols, dtype=np.int64)
        edges = self.bins["bin_edges"]
        nb = self.bins["columns"] - 1
        ok = (cols >= 0) & (cols < nb)
        out = np.full(cols.shape, np.nan)
        out[ok] = edges[cols[ok]]
        return out

    def col_last_position(self, cols):
        """1-based last list position of histogram columns; NaN as above."""
        cols = np.asarray(cols, dtype=np.int64)
        edges = self.bins["bin_edges"]
        nb = self.bins["columns"] - 1
        ok = (cols >= 0) & (cols < nb)
        out = np.full(cols.shape, np.nan)
        out[ok] = edges[cols[ok] + 1] - 1
        return out

    def rank_hist(self, rows):
        """Rows of /interviews/rank_hist (interview indices, any order) as a
        uint32 array [len(rows), bins + 1], read without loading the rest.
        Column c < bins: replicates ranked in bin c; last column: not ranked."""
        rows = np.asarray(rows, dtype=np.int64).ravel()
        if self.bins is None:
            raise ValueError(f"{self.path}: not a run result (no /interviews)")
        if rows.size == 0:
            return np.zeros((0, self.bins["columns"]), dtype=np.uint32)
        order = np.argsort(rows, kind="stable")
        uniq, inverse = np.unique(rows[order], return_inverse=True)
        with h5py.File(self.path, "r") as f:
            ds = f["interviews/rank_hist"]
            if uniq[0] < 0 or uniq[-1] >= ds.shape[0]:
                raise IndexError(f"interview row out of range 0..{ds.shape[0] - 1}")
            block = ds[uniq.tolist(), :]
        out = np.empty((rows.size, block.shape[1]), dtype=block.dtype)
        out[order] = block[inverse]
        return out

    def iter_rank_hist(self, block_rows=None):
        """Yield (first_row, array) blocks of /interviews/rank_hist, whole
        chunks at a time (bounded memory)."""
        with h5py.File(self.path, "r") as f:
            ds = f["interviews/rank_hist"]
            step = block_rows or max(1, (ds.chunks or (4096,))[0] * 16)
            for s in range(0, ds.shape[0], step):
                yield s, ds[s : s + step, :]

    def positions(self, rows):
        """For selected interviews: P(ranked) and the median list position
        (first and last position of the median bin; NaN when 'not ranked' is
        the median outcome), read by rows."""
        rows = np.asarray(rows, dtype=np.int64).ravel()
        h = self.rank_hist(rows)
        n = max(self.replicates, 1)
        med = _median_cols(h)
        return pd.DataFrame(
            {
                "interview": rows,
                "p_ranked": 1.0 - h[:, -1] / n,
                "median_position": self.col_first_position(med),
                "median_position_last": self.col_last_position(med),
            }
        )

    def applicant_interviews(self, applicant_id):
        """The interviews of one applicant (rows of self.interviews)."""
        iv = self.interviews
        return iv[iv["applicant_id"] == applicant_id]

    def focal_ids(self):
        """Applicant ids starting 'focal' (the summary's focal applicants)."""
        if self.applicants is None:
            return []
        ids = self.applicants["id"]
        return [str(s) for s in ids[ids.str.startswith("focal")]]

    # ---------------------------------------------------------- sensitivity
    def _read_sensitivity(self, g):
        apps = _strings(g["applicant"])
        facs = _strings(g["factor"])
        levels = _strings(g["level"])
        A, F, L = len(apps), len(facs), len(levels)
        ai, fi, li = np.meshgrid(np.arange(A), np.arange(F), np.arange(L), indexing="ij")
        ai, fi, li = ai.ravel(), fi.ravel(), li.ravel()
        d = {
            "applicant": apps[ai],
            "applicant_index": g["applicant_index"][()][ai],
            "factor": facs[fi],
            "level": levels[li],
        }
        for name in (
            "whatif",
            "changed",
            "p_match",
            "delta_p_match",
            "delta_p_match_se",
            "delta_p_match_se_unpaired",
            "mean_rank",
            "delta_mean_rank",
            "delta_mean_rank_se",
            "delta_mean_rank_se_unpaired",
            "n_gain",
            "n_loss",
        ):
            if name in g:
                d[name] = _column(g[name]).reshape(A * F * L)
        for name in ("base_p_match", "base_p_match_se", "base_mean_rank", "base_mean_rank_se", "unmatched_rank"):
            if name in g:
                d[name] = g[name][()][ai]
        self.sensitivity = pd.DataFrame(d)

    # ---------------------------------------------------------------- sobol
    def _read_sobol(self, g):
        facs = _strings(g["factor"])
        outs = _strings(g["output"])
        k, m = len(facs), len(outs)
        oi, fi = np.meshgrid(np.arange(m), np.arange(k), indexing="ij")
        oi, fi = oi.ravel(), fi.ravel()
        d = {"output": outs[oi], "factor": facs[fi]}
        for name in ("s1", "s1_lo", "s1_hi", "st", "st_lo", "st_hi"):
            d[name] = g[name][()].reshape(m * k)
        for name in ("base", "lo", "hi"):
            d[name] = g[name][()][fi]
        for name in ("mean", "variance", "noise_variance"):
            d[name] = g[name][()][oi]
        self.sobol = pd.DataFrame(d)
        x, y = g["x"][()], g["y"][()]
        design = {str(facs[j]): x[:, j] for j in range(k)}
        design.update({str(outs[j]): y[:, j] for j in range(m)})
        self.sobol_design = pd.DataFrame(design)
        self.sobol_attrs = {k2: v for k2, v in self.attrs.items() if k2.startswith("sobol_")}


class Forecast:
    """The /forecast group of `rankmc forecast -o` (docs/forecast.md,
    docs/output.md). A "statistic" has the columns p (mean over markets),
    se_mc (Monte Carlo SE), spread (between-market SD net of that noise),
    se (combined SE of p), lo, hi (95% interval for one more market like
    these); a method that was not run is NaN.

    Attributes:
      methods    ['fast', 'exact']
      p_match    DataFrame, index method, columns the statistic
      markets    DataFrame, one row per market: market_seed, p_match_fast,
                 p_match_exact
      programs   DataFrame, one row per program of the profile, list order:
                 rank (1-based), program, replaced, p_here_<stat> for each
                 method as p_here_<method>_<stat>, p_ranked_<stat>,
                 position_median, position_p10, position_p90, list_length,
                 top_factor, top_factor_move
      curve      DataFrame: k (top k programs ranked) and the statistic
                 (fast method; NaN without what-ifs)
      whatifs    DataFrame: whatif, p_match, delta, delta_se, delta_spread,
                 n_gain, n_loss (largest change first; empty when none)
      attrs      the forecast_* root attributes
      couple     None for one applicant; for a couple (a profile with
                 [partner]) a Couple: the joint chances and the partner's
                 own results (``programs`` above are then the applicant's)
    """

    def __init__(self, g, root_attrs):
        cols = [str(c) for c in _strings(g["stat_columns"])]
        self.stat_columns = cols
        self.methods = [str(m) for m in _strings(g["method"])]
        self.attrs = {k: v for k, v in root_attrs.items() if k.startswith("forecast_")}
        pm = g["p_match"][()]
        self.p_match = pd.DataFrame(pm, index=self.methods, columns=cols)
        pmm = g["p_match_market"][()]
        self.markets = pd.DataFrame({"market_seed": _strings(g["market_seed"])})
        for k, m in enumerate(self.methods):
            self.markets["p_match_" + m] = pmm[k]
        progs = _strings(g["program"])
        L = len(progs)
        d = {"rank": np.arange(1, L + 1), "program": progs, "replaced": _strings(g["replaced"])}
        ph = g["p_here"][()]
        for k, m in enumerate(self.methods):
            for c, name in enumerate(cols):
                d[f"p_here_{m}_{name}"] = ph[k, :, c]
        pr = g["p_ranked"][()]
        for c, name in enumerate(cols):
            d[f"p_ranked_{name}"] = pr[:, c]
        pos = g["position"][()]
        d["position_median"], d["position_p10"], d["position_p90"] = pos[:, 0], pos[:, 1], pos[:, 2]
        d["list_length"] = g["list_length"][()]
        d["top_factor"] = _strings(g["top_factor"])
        d["top_factor_move"] = g["top_factor_move"][()]
        self.programs = pd.DataFrame(d)
        cv = g["curve"][()]
        self.curve = pd.DataFrame(cv, columns=cols)
        self.curve.insert(0, "k", np.arange(1, len(cv) + 1))
        w = {}
        if "whatif" in g:
            w["whatif"] = _strings(g["whatif"])
            for name, col in (("whatif_p_match", "p_match"), ("whatif_delta", "delta"),
                              ("whatif_delta_se", "delta_se"), ("whatif_delta_spread", "delta_spread"),
                              ("whatif_n_gain", "n_gain"), ("whatif_n_loss", "n_loss")):
                w[col] = g[name][()]
        self.whatifs = pd.DataFrame(w, columns=["whatif", "p_match", "delta", "delta_se", "delta_spread",
                                                "n_gain", "n_loss"])
        self.couple = Couple(g, cols, self.methods, progs) if "joint_p" in g else None
        if self.couple is not None:
            self.couple.unconverged = int(self.attrs.get("forecast_couple_unconverged", 0))

    def ran(self, method):
        """Whether the method was run (its P(match) is not NaN)."""
        return bool(np.isfinite(self.p_match.loc[method, "p"]))


class Couple:
    """A couple's part of /forecast (docs/forecast.md "A couple's forecast").

    Attributes:
      outcomes         ['both', 'same_city', 'same_region', 'one', 'neither']
      joint            DataFrame, index (method, outcome), columns the
                       statistic (NaN: method not run)
      joint_count      DataFrame: method, market (0-based), and one column
                       per outcome (replicates; -1 when not run)
      joint_list       DataFrame, one row per entry: entry (1-based),
                       program (the applicant's, None = unmatched), partner
                       (the partner's, None = unmatched)
      partner_p_match  DataFrame, index method, columns the statistic
      partner_programs DataFrame as Forecast.programs for the partner:
                       rank, program, replaced, p_here_<method>_<stat>,
                       p_ranked_<stat>, position_median, position_p10,
                       position_p90
      unconverged      exact method: replicates whose couples procedure did
                       not converge
    """

    def __init__(self, g, cols, methods, progs):
        self.outcomes = [str(o) for o in _strings(g["joint_outcome"])]
        jp = g["joint_p"][()]
        idx = pd.MultiIndex.from_product([methods, self.outcomes], names=["method", "outcome"])
        self.joint = pd.DataFrame(jp.reshape(len(methods) * len(self.outcomes), len(cols)), index=idx,
                                  columns=cols)
        jc = g["joint_count"][()]
        rows = []
        for k, m in enumerate(methods):
            for mk in range(jc.shape[1]):
                rows.append({"method": m, "market": mk, **{o: int(jc[k, mk, j]) for j, o in enumerate(self.outcomes)}})
        self.joint_count = pd.DataFrame(rows)
        partner = _strings(g["partner_program"])
        a, b = g["joint_list_a"][()], g["joint_list_b"][()]
        self.joint_list = pd.DataFrame({"entry": np.arange(1, len(a) + 1),
                                        "program": [progs[x] if x >= 0 else None for x in a],
                                        "partner": [partner[x] if x >= 0 else None for x in b]})
        self.partner_p_match = pd.DataFrame(g["partner_p_match"][()], index=methods, columns=cols)
        L = len(partner)
        d = {"rank": np.arange(1, L + 1), "program": partner, "replaced": _strings(g["partner_replaced"])}
        ph = g["partner_p_here"][()]
        for k, m in enumerate(methods):
            for c, name in enumerate(cols):
                d[f"p_here_{m}_{name}"] = ph[k, :, c]
        pr = g["partner_p_ranked"][()]
        for c, name in enumerate(cols):
            d[f"p_ranked_{name}"] = pr[:, c]
        pos = g["partner_position"][()]
        d["position_median"], d["position_p10"], d["position_p90"] = pos[:, 0], pos[:, 1], pos[:, 2]
        self.partner_programs = pd.DataFrame(d)
        self.unconverged = None


class Apply:
    """The /apply group of `rankmc apply -o` (docs/apply.md,
    docs/output.md). A "statistic" is as in Forecast: p, se_mc, spread, se,
    lo, hi; a paired difference is mean and se. k counts applications
    (1..M); candidate indices are 0-based rows of ``candidates``.

    Attributes:
      candidates     DataFrame, one row per candidate program: candidate,
                     id, name, sponsors, positions, desirability,
                     p_offer_<stat> (P(interview offer | applied)) and
                     p_alone_<stat> (P(matched there as the only application))
      recommended    DataFrame, the recommended order, one row per k: k,
                     candidate, id, name, sponsors, desirability,
                     p_interview (p_offer_p of that candidate), gain,
                     gain_se (paired), p_match (p of the curve),
                     interviews (expected interviews attended), cost
                     (k x the cost per application; 0 when none)
      curve          DataFrame: k, the statistic of P(match) with the first k
                     applications, interviews
      baselines      DataFrame, one row per (baseline, k): baseline, k, the
                     statistic of the baseline's P(match), diff (recommended
                     - baseline) and diff_se (paired)
      baseline_names ['random', 'most_desirable', 'visa_sponsoring']
      markets        DataFrame, one row per market: market_seed
      whatifs        DataFrame: whatif, list_p_match, list_delta,
                     list_delta_se (the recommended list with the change),
                     reopt_p_match, reopt_delta, reopt_delta_se (M chosen
                     anew with it), overlap; empty without --what-ifs
      diminishing_k  the point of diminishing returns (0: not reached)
      attrs          the apply_* root attributes
    """

    WHATIF_COLUMNS = ["whatif", "list_p_match", "list_delta", "list_delta_se", "reopt_p_match", "reopt_delta",
                      "reopt_delta_se", "overlap"]

    def __init__(self, g, root_attrs):
        cols = [str(c) for c in _strings(g["stat_columns"])]
        self.stat_columns = cols
        self.attrs = {k: v for k, v in root_attrs.items() if k.startswith("apply_")}
        self.diminishing_k = int(self.attrs.get("apply_diminishing_k", 0))
        cost = float(self.attrs.get("apply_cost_per_application", 0.0))
        d = {
            "candidate": np.arange(g["candidate_id"].shape[0]),
            "id": _strings(g["candidate_id"]),
            "name": _strings(g["candidate_name"]),
            "sponsors": _strings(g["candidate_sponsors"]),
            "positions": g["candidate_positions"][()],
            "desirability": g["candidate_desirability"][()],
        }
        for name in ("p_offer", "p_alone"):
            v = g[name][()]
            for c, stat in enumerate(cols):
                d[f"{name}_{stat}"] = v[:, c]
        self.candidates = pd.DataFrame(d)
        order = g["order"][()].astype(np.int64)
        m = len(order)
        k = np.arange(1, m + 1)
        pm = g["p_match"][()]
        gain = g["gain"][()]
        iv = g["interviews"][()]
        self.curve = pd.DataFrame(pm, columns=cols)
        self.curve.insert(0, "k", k)
        self.curve["interviews"] = iv
        c = self.candidates.iloc[order]
        self.recommended = pd.DataFrame(
            {
                "k": k,
                "candidate": order,
                "id": c["id"].to_numpy(),
                "name": c["name"].to_numpy(),
                "sponsors": c["sponsors"].to_numpy(),
                "desirability": c["desirability"].to_numpy(),
                "p_interview": c["p_offer_p"].to_numpy(),
                "gain": gain[:, 0],
                "gain_se": gain[:, 1],
                "p_match": pm[:, 0],
                "interviews": iv,
                "cost": k * cost,
            }
        )
        self.baseline_names = [str(b) for b in _strings(g["baseline"])]
        bp = g["baseline_p_match"][()]
        bd = g["baseline_diff"][()]
        nb = len(self.baseline_names)
        bi, ki = np.meshgrid(np.arange(nb), np.arange(m), indexing="ij")
        bi, ki = bi.ravel(), ki.ravel()
        b = {"baseline": np.asarray(self.baseline_names, dtype=object)[bi], "k": ki + 1}
        for j, stat in enumerate(cols):
            b[stat] = bp[bi, ki, j]
        b["diff"] = bd[bi, ki, 0]
        b["diff_se"] = bd[bi, ki, 1]
        self.baselines = pd.DataFrame(b)
        self.markets = pd.DataFrame({"market_seed": _strings(g["market_seed"])})
        w = {}
        if "whatif" in g:
            wl, wr = g["whatif_list"][()], g["whatif_reopt"][()]
            w["whatif"] = _strings(g["whatif"])
            for j, stat in enumerate(("p_match", "delta", "delta_se")):
                w["list_" + stat] = wl[:, j]
                w["reopt_" + stat] = wr[:, j]
            w["overlap"] = g["whatif_overlap"][()]
        self.whatifs = pd.DataFrame(w, columns=self.WHATIF_COLUMNS)

    def baseline(self, name):
        """One baseline's rows of ``baselines`` (k = 1..M)."""
        return self.baselines[self.baselines["baseline"] == name].reset_index(drop=True)


def _generic_group(g):
    """A group this reader does not know: its
    datasets with the most common leading length as DataFrame columns
    (2-D datasets as name_0, name_1, ...); other datasets go in df.attrs."""
    dsets = {k: v for k, v in g.items() if isinstance(v, h5py.Dataset)}
    lengths = [v.shape[0] for v in dsets.values() if v.ndim >= 1]
    if not lengths:
        df = pd.DataFrame()
    else:
        n = max(set(lengths), key=lengths.count)
        cols = {}
        for name, ds in dsets.items():
            if ds.ndim == 0 or ds.shape[0] != n:
                continue
            v = _column(ds)
            if v.ndim == 1:
                cols[name] = v
            else:
                v2 = v.reshape(n, -1)
                for j in range(v2.shape[1]):
                    cols[f"{name}_{j}"] = v2[:, j]
        df = pd.DataFrame(cols)
    for name, ds in dsets.items():
        if ds.ndim == 0 or (lengths and ds.shape[0] != df.shape[0]):
            df.attrs[name] = _column(ds)
    df.attrs.update({k: _attr(v) for k, v in g.attrs.items()})
    for name, sub in g.items():
        if isinstance(sub, h5py.Group):
            df.attrs[name] = _generic_group(sub)
    return df


def read(path):
    """Read a rankmc result file (run, sensitivity, sobol, or any other
    group) into a Result. Raises OSError when the file cannot be opened as
    HDF5 and ValueError when it holds nothing rankmc writes."""
    r = Result(path)
    if not r.kinds and "rankmc_version" not in r.attrs:
        raise ValueError(f"{os.fspath(path)}: not a rankmc result file (no rankmc groups or attributes)")
    return r

