"""rankmc.read: every table agrees with the file (h5py) and with the numbers
`rankmc summary`, `rankmc sensitivity`, `rankmc sobol`, `rankmc forecast`
and `rankmc apply` print."""

import os
import re
import subprocess
import sys

import h5py
import numpy as np
import pytest

import rankmc
from conftest import ROOT, run

# The summary prints 3 decimals: agreement to half a unit in the last place.
TOL3 = 0.0005 + 1e-12


def summary_sections(path, *extra):
    out = run("summary", path, "--top", 0, *extra).stdout
    sections, name = {}, None
    for line in out.splitlines():
        if line and not line.startswith(" "):
            name = line.split(" (")[0]
            sections[name] = []
        elif name and line.strip():
            sections[name].append(line)
    return sections


def test_applicants_match_summary(files):
    r = rankmc.read(files.run_default)
    rows = summary_sections(files.run_default)["Applicants least likely to match"][1:]
    assert len(rows) == len(r.applicants) == 605
    by_id = r.applicants.set_index("id")
    for line in rows:
        aid, typ, p, se, ci = line.split()
        lo, hi = map(float, ci.split("-"))
        a = by_id.loc[aid]
        assert a["type"] == typ
        assert abs(a["p_match"] - float(p)) <= TOL3
        assert abs(a["p_match_se"] - float(se)) <= TOL3
        assert abs(a["ci_low"] - lo) <= TOL3 and abs(a["ci_high"] - hi) <= TOL3


def test_types_match_summary(files):
    r = rankmc.read(files.run_default)
    rows = summary_sections(files.run_default)["By applicant type"][1:]
    assert len(rows) == r.applicants["type"].nunique()
    for line in rows:
        typ, n, mean, lo, hi, expected = line.split()
        s = r.applicants.loc[r.applicants["type"] == typ, "p_match"]
        assert len(s) == int(n)
        assert abs(s.mean() - float(mean)) <= TOL3
        assert abs(s.min() - float(lo)) <= TOL3 and abs(s.max() - float(hi)) <= TOL3
        assert abs(s.sum() - float(expected)) <= 0.05 + 1e-9


# A program row of a focal applicant's table: program, P(here), [SE, 95% CI,]
# P(ranked), median position, interviewed, moved, largest factor and its move.
ROW = re.compile(r"^    (\S+)\s+([\d.]+)(?:\s+([\d.]+)\s+([\d.]+)-([\d.]+))?\s+([\d.]+)\s+(not ranked|\S+)\s+(\d+)"
                 r"\s+([+-][\d.]+)\s+(\S+)\s+([+-]?[\d.]+)$")


def _position_text(first, last, none):
    if np.isnan(first):
        return none
    return f"{int(first)}" if first == last else f"{int(first)}-{int(last)}"


@pytest.mark.parametrize("which", ["run_default", "run_binned"])
def test_focal_interviews_match_summary(files, which):
    path = getattr(files, which)
    r = rankmc.read(path)
    lines = summary_sections(path)["Focal applicants"]
    current, checked = None, 0
    for line in lines:
        m = re.match(r"^  (\S+) \((\S+)\)  P\(match\) ([\d.]+) \+- ([\d.]+)", line)
        if m:
            current = r.applicant_interviews(m.group(1))
            pos = r.positions(current.index.to_numpy()).set_index("interview")
            a = r.applicants.set_index("id").loc[m.group(1)]
            assert abs(a["p_match"] - float(m.group(3))) <= TOL3
            continue
        m = ROW.match(line)
        if current is None or not m:
            continue
        prog, p_here, se, ci_lo, ci_hi, p_ranked, median, interviewed, moved, factor, move = m.groups()
        iv = current[current["program_id"] == prog].iloc[0]
        k = current.index[current["program_id"] == prog][0]
        assert abs(iv["p_match"] - float(p_here)) <= TOL3
        if se is not None:  # the summary prints P(here)'s SE and Wilson interval
            assert abs(iv["p_match_se"] - float(se)) <= TOL3
            assert abs(iv["ci_low"] - float(ci_lo)) <= TOL3 and abs(iv["ci_high"] - float(ci_hi)) <= TOL3
        assert abs(pos.loc[k, "p_ranked"] - float(p_ranked)) <= TOL3
        assert median == _position_text(pos.loc[k, "median_position"], pos.loc[k, "median_position_last"],
                                        "not ranked")
        assert r.programs.set_index("id").loc[prog, "interviewed"] == int(interviewed)
        assert abs(iv["move_total"] - float(moved)) <= 0.05 + 1e-9
        moves = {fn: iv["move_" + fn] for fn in r.factors}
        assert abs(moves[factor] - float(move)) <= 0.05 + 1e-9
        assert abs(moves[factor]) >= max(abs(v) for v in moves.values()) - 1e-12
        checked += 1
    assert checked == 5 * 12 or checked > 0 and which == "run_binned"
    assert checked > 0


@pytest.mark.parametrize("which", ["run_default", "run_binned"])
def test_programs_match_summary(files, which):
    path = getattr(files, which)
    r = rankmc.read(path)
    rows = summary_sections(path)["Programs, deepest lists first"][2:]
    assert len(rows) == len(r.programs) == 40
    by_id = r.programs.set_index("id")
    w = r.bins["bin_width"]
    for line in rows:
        pid, positions, fill, full, med, q90, interviewed = line.split()
        p = by_id.loc[pid]
        assert p["positions"] == int(positions)
        assert abs(p["mean_fill"] - float(fill)) <= 0.005 + 1e-9
        assert abs(p["p_full"] - float(full)) <= TOL3
        for value, text in ((p["median_depth"], med), (p["depth_90"], q90)):
            expect = "-" if np.isnan(value) else (f"{int(value)}" if w == 1 else f"{int(value)}-{int(value) + w - 1}")
            assert text == expect
        assert p["interviewed"] == int(interviewed)


def test_tables_equal_the_file(files):
    path = files.run_small
    r = rankmc.read(path)
    with h5py.File(path) as f:
        assert list(r.applicants["id"]) == list(f["applicants/id"].asstr()[:])
        np.testing.assert_array_equal(r.applicants["p_match"], f["applicants/p_match"][:])
        np.testing.assert_array_equal(r.applicants[["ci_low", "ci_high"]].to_numpy(), f["applicants/p_match_ci95"][:])
        np.testing.assert_array_equal(r.programs["positions"], f["programs/positions"][:])
        np.testing.assert_array_equal(r.programs["mean_fill"], f["programs/mean_fill"][:])
        app = f["interviews/applicant"][:]
        prog = f["interviews/program"][:]
        np.testing.assert_array_equal(r.interviews["applicant"], app)
        ids = f["applicants/id"].asstr()[:]
        pids = f["programs/id"].asstr()[:]
        assert list(r.interviews["applicant_id"]) == [ids[i] for i in app]
        assert list(r.interviews["program_id"]) == [pids[j] for j in prog]
        mv = f["interviews/mean_move"][:]
        facs = list(f["interviews/factors"].asstr()[:])
        assert r.factors == facs
        for k, name in enumerate(facs):
            np.testing.assert_array_equal(r.interviews["move_" + name], mv[:, k])
        np.testing.assert_array_equal(r.choice_hist, f["applicants/choice_hist"][:])
        np.testing.assert_array_equal(r.depth_hist, f["programs/depth_hist"][:])
        for key, value in f.attrs.items():
            if isinstance(value, bytes):
                value = value.decode()
            elif isinstance(value, np.ndarray) and value.ndim > 0:
                value = value.tolist()
            elif hasattr(value, "item"):
                value = value.item()
            assert r.attrs[key] == value, key
    assert r.replicates == 400
    assert r.kinds == ["run"]


def test_wilson_formula_matches_the_files_intervals(files):
    r = rankmc.read(files.run_default)
    lo, hi = rankmc.wilson_interval(r.applicants["p_match"], r.replicates)
    np.testing.assert_allclose(lo, r.applicants["ci_low"], atol=1e-12)
    np.testing.assert_allclose(hi, r.applicants["ci_high"], atol=1e-12)


def test_rank_hist_by_rows_and_by_blocks(files):
    path = files.run_small
    r = rankmc.read(path)
    with h5py.File(path) as f:
        full = f["interviews/rank_hist"][:]
    rng = np.random.default_rng(7)
    rows = rng.choice(full.shape[0], size=17, replace=True)
    np.testing.assert_array_equal(r.rank_hist(rows), full[rows])
    assert r.rank_hist([]).shape == (0, full.shape[1])
    with pytest.raises(IndexError):
        r.rank_hist([full.shape[0]])
    blocks = list(r.iter_rank_hist(block_rows=5))
    assert [s for s, _ in blocks] == list(range(0, full.shape[0], 5))
    np.testing.assert_array_equal(np.vstack([b for _, b in blocks]), full)
    assert (full.sum(axis=1) == r.replicates).all()


def test_sensitivity_matches_file_and_table(files):
    path = files.sensitivity
    table = files.output("sens.h5")
    r = rankmc.read(path)
    s = r.sensitivity
    assert r.kinds == ["sensitivity"]
    assert len(s) == 2 * 3 * 2
    with h5py.File(path) as f:
        g = f["sensitivity"]
        for name in ("p_match", "delta_p_match", "delta_p_match_se", "delta_mean_rank", "n_gain", "n_loss"):
            np.testing.assert_array_equal(s[name].to_numpy(), g[name][:].reshape(-1))
        assert list(s["whatif"]) == list(g["whatif"].asstr()[:].reshape(-1))
    # The printed table: factor (first line of a pair), level, what-if, dP, SE,
    # SE(unp), gain/loss, drank, SE, SE(unp).
    pat = re.compile(r"^  (\S+)?\s+([+-])\s+(.*?)\s+([+-]\d+\.\d{4})\s+(\d+\.\d{4})\s+(\d+\.\d{4})\s+(\d+)/(\d+)"
                     r"\s+([+-]\d+\.\d{3})\s+(\d+\.\d{3})")
    app, factor, seen = None, None, 0
    for line in table.splitlines():
        m0 = re.match(r"^(\S+) \(\S+\): P\(match\) ([\d.]+)", line)
        if m0:
            app = m0.group(1)
            continue
        m = pat.match(line)
        if not m or app is None:
            continue
        factor = m.group(1) or factor
        level = "favourable" if m.group(2) == "+" else "unfavourable"
        row = s[(s.applicant == app) & (s.factor == factor) & (s.level == level)].iloc[0]
        assert row["whatif"] == m.group(3)
        assert abs(row["delta_p_match"] - float(m.group(4))) <= 0.00005 + 1e-12
        assert abs(row["delta_p_match_se"] - float(m.group(5))) <= 0.00005 + 1e-12
        assert (row["n_gain"], row["n_loss"]) == (int(m.group(7)), int(m.group(8)))
        assert abs(row["delta_mean_rank"] - float(m.group(9))) <= 0.0005 + 1e-12
        seen += 1
    assert seen == len(s)


def test_sobol_matches_file_and_table(files):
    path = files.sobol
    table = files.output("sobol.h5")
    r = rankmc.read(path)
    s = r.sobol
    with h5py.File(path) as f:
        g = f["sobol"]
        k, m = len(g["factor"]), len(g["output"])
        assert len(s) == k * m
        for name in ("s1", "s1_lo", "st", "st_hi"):
            np.testing.assert_array_equal(s[name].to_numpy(), g[name][:].reshape(-1))
        np.testing.assert_array_equal(r.sobol_design.iloc[:, :k].to_numpy(), g["x"][:])
        np.testing.assert_array_equal(r.sobol_design.iloc[:, k:].to_numpy(), g["y"][:])
    out, seen = None, 0
    num = r"(-?\d+\.\d{3}|nan)"
    pat = re.compile(rf"^  (\S+)\s+\S+ \.\. \S+\s+{num} \[\s*{num},\s*{num}\]\s+{num} \[\s*{num},\s*{num}\]")
    for line in table.splitlines():
        m0 = re.match(r"^(\S+): mean", line)
        if m0:
            out = m0.group(1)
            continue
        m = pat.match(line)
        if m and out:
            row = s[(s.output == out) & (s.factor == m.group(1))].iloc[0]
            for col, text in zip(("s1", "s1_lo", "s1_hi", "st", "st_lo", "st_hi"), m.groups()[1:]):
                if text == "nan":
                    assert np.isnan(row[col])
                else:
                    assert abs(row[col] - float(text)) <= TOL3
            seen += 1
    assert seen == len(s)


def test_forecast_matches_file_and_table(files):
    path = files.forecast
    table = files.output("forecast.h5")
    r = rankmc.read(path)
    fc = r.forecast
    assert r.kinds == ["forecast"]
    assert fc.ran("fast") and fc.ran("exact")
    with h5py.File(path) as f:
        g = f["forecast"]
        np.testing.assert_array_equal(fc.p_match.to_numpy(), g["p_match"][:])
        np.testing.assert_array_equal(fc.programs["p_here_exact_spread"], g["p_here"][1, :, 2])
        np.testing.assert_array_equal(fc.programs["p_ranked_lo"], g["p_ranked"][:, 4])
        np.testing.assert_array_equal(fc.curve.iloc[:, 1:].to_numpy(), g["curve"][:])
        np.testing.assert_array_equal(fc.whatifs["delta_se"], g["whatif_delta_se"][:])
        assert list(fc.programs["program"]) == list(g["program"].asstr()[:])
    # the printed tables: P(match) per method, then each program's row
    method, seen = None, 0
    for line in table.splitlines():
        m = re.match(r"^\[(\w+) method\]", line)
        if m:
            method = m.group(1)
            continue
        m = re.match(r"^P\(match\) ([\d.]+)\s+Monte Carlo SE ([\d.]+), between-market spread ([\d.]+)", line)
        if m and method:
            pm = fc.p_match.loc[method]
            for v, t in zip((pm["p"], pm["se_mc"], pm["spread"]), m.groups()):
                assert abs(v - float(t)) <= TOL3
            seen += 1
            continue
        m = re.match(r"^\s+(\d+)\s+(.+?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+) ([\d.]+)-([\d.]+)\s+([\d.]+) ", line)
        if m and method:
            row = fc.programs.iloc[int(m.group(1)) - 1]
            assert row["program"] == m.group(2)
            for col, t in zip(("p", "se_mc", "spread"), m.groups()[2:5]):
                assert abs(row[f"p_here_{method}_{col}"] - float(t)) <= TOL3
            assert abs(row["p_ranked_p"] - float(m.group(8))) <= TOL3
            seen += 1
    assert seen == 2 * (1 + len(fc.programs))


def test_forecast_couple_matches_file_and_table(files):
    path = files.forecast_couple
    table = files.output("forecast_couple.h5")
    fc = rankmc.read(path).forecast
    cp = fc.couple
    assert cp is not None
    assert cp.outcomes == ["both", "same_city", "same_region", "one", "neither"]
    with h5py.File(path) as f:
        g = f["forecast"]
        np.testing.assert_array_equal(cp.joint.loc["exact"].to_numpy(), g["joint_p"][1])
        np.testing.assert_array_equal(cp.partner_programs["p_here_fast_p"], g["partner_p_here"][0, :, 0])
        assert len(cp.joint_list) == len(g["joint_list_a"])
    # both + one + neither = N in every market, by method
    n = rankmc.read(path).replicates
    for _, row in cp.joint_count.iterrows():
        assert row["both"] + row["one"] + row["neither"] == n
    # the printed joint chances
    method, seen = None, 0
    for line in table.splitlines():
        m = re.match(r"^\[couple, (\w+) method\]", line)
        if m:
            method = m.group(1)
            continue
        m = re.match(r"^P\(both matched\)\s+([\d.]+)\s+Monte Carlo SE ([\d.]+)", line)
        if m and method:
            s = cp.joint.loc[(method, "both")]
            assert abs(s["p"] - float(m.group(1))) <= TOL3 and abs(s["se_mc"] - float(m.group(2))) <= TOL3
            seen += 1
    assert seen == 2
    assert rankmc.read(files.forecast).forecast.couple is None


def test_apply_matches_file_and_table(files):
    path = files.apply
    table = files.output("apply.h5")
    r = rankmc.read(path)
    ap = r.apply
    assert r.kinds == ["apply"] and r.groups == {}
    with h5py.File(path) as f:
        g = f["apply"]
        order = g["order"][:]
        m = len(order)
        assert ap.stat_columns == list(g["stat_columns"].asstr()[:])
        np.testing.assert_array_equal(ap.curve[ap.stat_columns].to_numpy(), g["p_match"][:])
        np.testing.assert_array_equal(ap.curve["interviews"], g["interviews"][:])
        np.testing.assert_array_equal(ap.recommended["candidate"], order)
        np.testing.assert_array_equal(ap.recommended[["gain", "gain_se"]].to_numpy(), g["gain"][:])
        assert list(ap.recommended["id"]) == list(g["candidate_id"].asstr()[:][order])
        np.testing.assert_array_equal(ap.recommended["p_interview"], g["p_offer"][:, 0][order])
        np.testing.assert_array_equal(ap.recommended["cost"], 30.0 * np.arange(1, m + 1))
        assert list(ap.candidates["name"]) == list(g["candidate_name"].asstr()[:])
        assert list(ap.candidates["sponsors"]) == list(g["candidate_sponsors"].asstr()[:])
        np.testing.assert_array_equal(ap.candidates["positions"], g["candidate_positions"][:])
        np.testing.assert_array_equal(ap.candidates["desirability"], g["candidate_desirability"][:])
        for j, stat in enumerate(ap.stat_columns):
            np.testing.assert_array_equal(ap.candidates["p_offer_" + stat], g["p_offer"][:, j])
            np.testing.assert_array_equal(ap.candidates["p_alone_" + stat], g["p_alone"][:, j])
        assert ap.baseline_names == ["random", "most_desirable", "visa_sponsoring"]
        for b, name in enumerate(ap.baseline_names):
            rows = ap.baseline(name)
            np.testing.assert_array_equal(rows["k"], np.arange(1, m + 1))
            np.testing.assert_array_equal(rows[ap.stat_columns].to_numpy(), g["baseline_p_match"][b])
            np.testing.assert_array_equal(rows[["diff", "diff_se"]].to_numpy(), g["baseline_diff"][b])
        assert list(ap.markets["market_seed"]) == list(g["market_seed"].asstr()[:])
        assert list(ap.whatifs["whatif"]) == list(g["whatif"].asstr()[:])
        np.testing.assert_array_equal(ap.whatifs[["list_p_match", "list_delta", "list_delta_se"]].to_numpy(),
                                      g["whatif_list"][:])
        np.testing.assert_array_equal(ap.whatifs[["reopt_p_match", "reopt_delta", "reopt_delta_se"]].to_numpy(),
                                      g["whatif_reopt"][:])
        np.testing.assert_array_equal(ap.whatifs["overlap"], g["whatif_overlap"][:])
        assert ap.diminishing_k == f.attrs["apply_diminishing_k"]
    assert len(ap.markets) == 2 and m == 8 and len(ap.whatifs) >= 3
    # invariants: the gains add up to the curve, and a baseline difference
    # is the recommended P(match) minus the baseline's (same replicates)
    np.testing.assert_allclose(np.cumsum(ap.recommended["gain"]), ap.curve["p"], atol=1e-9)
    for name in ap.baseline_names:
        b = ap.baseline(name)
        np.testing.assert_allclose(b["diff"], ap.curve["p"] - b["p"], atol=1e-9)
    # the printed recommended order: k, id, P(int), gain, SE, P(match), SE,
    # spread, E[int] agree to the printed digits
    seen = 0
    for line in table.splitlines():
        mt = re.match(r"^\s*(\*?)\s*(\d+) (\S+)\s+.+?\s+(none|J1|J1_H1B)\s+(-?[\d.]+)\s+([\d.]+)\s+([+-][\d.]+)\s+"
                      r"([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+[\d.]+-[\d.]+\s+([\d.]+)", line)
        if not mt:
            continue
        k = int(mt.group(2))
        x, c = ap.recommended.iloc[k - 1], ap.curve.iloc[k - 1]
        assert x["id"] == mt.group(3) and x["sponsors"] == mt.group(4)
        assert (mt.group(1) == "*") == (k == ap.diminishing_k)
        for v, t in zip((x["p_interview"], x["gain"], x["gain_se"], c["p"], c["se_mc"], c["spread"]),
                        mt.groups()[5:11]):
            assert abs(v - float(t)) <= TOL3
        assert abs(c["interviews"] - float(mt.group(12))) <= 0.005 + 1e-12  # 2 decimals
        seen += 1
    assert seen == m


def test_apply_without_whatifs(files):
    ap = rankmc.read(files.apply_us).apply
    assert list(ap.whatifs.columns) == rankmc.Apply.WHATIF_COLUMNS and len(ap.whatifs) == 0
    assert len(ap.curve) == 10 and (ap.recommended["cost"] == 0).all()
    # the point of diminishing returns as docs/apply.md defines it: the
    # smallest k with P(k + 5) - P(k) < 0.01
    p = ap.curve["p"].to_numpy()
    want = next((k for k in range(1, len(p) - 4) if p[k + 4] - p[k - 1] < 0.01), 0)
    assert want > 0 and ap.diminishing_k == want


def test_other_groups_are_read_generically(tmp_path):
    """A group this reader does not know (some future /group) still
    comes back as a DataFrame of its equal-length datasets."""
    p = tmp_path / "g.h5"
    with h5py.File(p, "w") as f:
        f.attrs["rankmc_version"] = "test"
        g = f.create_group("future")
        g["applicant"] = np.array([b"a", b"b", b"c"], dtype=h5py.string_dtype())
        g["p"] = np.array([0.1, 0.2, 0.3])
        g["ci"] = np.array([[0.0, 0.2], [0.1, 0.3], [0.2, 0.4]])
        g["curve"] = np.arange(5.0)
    r = rankmc.read(p)
    df = r.groups["future"]
    assert r.kinds == ["future"]
    assert list(df.columns) == ["applicant", "ci_0", "ci_1", "p"]
    assert list(df["applicant"]) == ["a", "b", "c"]
    np.testing.assert_array_equal(df.attrs["curve"], np.arange(5.0))


def test_not_a_rankmc_file(tmp_path):
    p = tmp_path / "x.h5"
    with h5py.File(p, "w") as f:
        f["junk"] = np.arange(3)
    with pytest.raises(ValueError, match="not a rankmc result"):
        rankmc.read(p)
    q = tmp_path / "y.h5"
    q.write_text("not hdf5")
    with pytest.raises(OSError):
        rankmc.read(q)


def test_readme_one_liner(files, tmp_path):
    """The README's line, verbatim, in a folder holding default.h5."""
    os.symlink(files.run_default, tmp_path / "default.h5")
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    cmd = "import rankmc; print(rankmc.read('default.h5').applicants.head())"
    p = subprocess.run([sys.executable, "-c", cmd], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split()[:3] == ["id", "type", "p_match"]
    assert len(lines) == 6
    readme = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    assert cmd in readme


def test_couples_group_has_engine_counts(files):
    """/couples, read generically: per couple P(both), P(one), P(neither)
    summing to 1, P(one city) <= P(one region) <= P(both), SEs, the
    generated flag; the root shares of one city / region."""
    r = rankmc.read(files.run_joint)
    c = r.groups["couples"]
    assert len(c) == 3
    assert list(c["generated"]) == [1, 0, 1]
    total = c["p_both_matched"] + c["p_one_unmatched"] + c["p_neither_matched"]
    assert np.allclose(total, 1.0)
    assert (c["p_same_city"] <= c["p_same_region"] + 1e-12).all()
    assert (c["p_same_region"] <= c["p_both_matched"] + 1e-12).all()
    n = r.attrs["replicates"]
    p = c["p_same_city"]
    assert np.allclose(c["p_same_city_se"], np.sqrt(p * (1 - p) / n))
    assert 0 <= r.attrs["couples_same_city"] <= r.attrs["couples_same_region"] <= r.attrs["couples_both_matched"]
    assert r.attrs["couples_generated"] == 2
