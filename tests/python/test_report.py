"""rankmc report: every figure present for each kind of file, the page
self-contained, exit statuses, and the rank histogram read by rows only."""

import base64
import os
import re

import h5py
import numpy as np
import pytest

import rankmc
import rankmc.report
from conftest import run

PNG = b"\x89PNG\r\n\x1a\n"


def report(tmp_path, h5, *extra, name="r.html"):
    out = tmp_path / name
    p = run("report", h5, "-o", out, *extra)
    assert f"wrote {out}" in p.stdout
    return out.read_text(encoding="utf-8")


def figures(page):
    """{figure id: PNG bytes} of a page."""
    found = re.findall(r'<figure id="([^"]+)"[^>]*><img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="[^"]+">',
                       page)
    return {k: base64.b64decode(v) for k, v in found}


def check_self_contained(page):
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["'](https?:)?//""", page)
    assert not re.search(r"""<img[^>]+src="(?!data:image/png;base64,)""", page)
    for png in figures(page).values():
        assert png.startswith(PNG) and len(png) > 2000


def test_run_report_has_every_figure(files, tmp_path):
    page = report(tmp_path, files.run_default)
    check_self_contained(page)
    figs = figures(page)
    focal = rankmc.read(files.run_default).focal_ids()
    assert len(focal) == 5
    want = {f"fig-{kind}-{a}" for a in focal for kind in ("chances", "positions", "moves")}
    want |= {"fig-types", "fig-fill", "fig-depth", "fig-factor-moves", "fig-group-x_group"}
    assert want <= set(figs), sorted(want - set(figs))
    # numbers the reader needs are printed: each focal applicant's P(match)
    r = rankmc.read(files.run_default)
    for a in focal:
        p = r.applicants.set_index("id").loc[a, "p_match"]
        assert f"P(match) {100 * p:.1f}%" in page
    # provenance
    for key in ("model_sha256", "seed", "replicates", "command_line", "rankmc_version"):
        assert f"<td>{key}</td><td>{r.attrs[key]}</td>".replace("'", "&#x27;") in page


def test_applicant_option_and_wide_market(files, tmp_path):
    r = rankmc.read(files.run_wide)
    assert len(r.programs) > rankmc.report.MAX_PROGRAMS_EACH
    ids = list(r.applicants["id"][:2])
    page = report(tmp_path, files.run_wide, "--applicant", ids[0], "-a", ids[1], "--top", 5)
    check_self_contained(page)
    figs = set(figures(page))
    assert {f"fig-chances-{ids[0]}", f"fig-positions-{ids[1]}", "fig-fill", "fig-depth", "fig-depth-ratio",
            "fig-types", "fig-factor-moves"} <= figs
    assert not any(f.startswith("fig-chances-focal") for f in figs)


def test_binned_run_report(files, tmp_path):
    page = report(tmp_path, files.run_binned, "--applicant", "focal_visa")
    assert "bins of 14 positions" in page  # 499 positions in at most 37 bins: width 14
    assert {"fig-chances-focal_visa", "fig-positions-focal_visa", "fig-depth"} <= set(figures(page))


def test_sensitivity_report(files, tmp_path):
    page = report(tmp_path, files.sensitivity)
    check_self_contained(page)
    assert set(figures(page)) == {"fig-tornado-focal_visa", "fig-tornado-focal_fellow"}
    s = rankmc.read(files.sensitivity).sensitivity
    row = s[(s.applicant == "focal_visa") & (s.factor == "communication") & (s.level == "unfavourable")].iloc[0]
    assert f"{row['delta_p_match']:+.4f}" in page


def test_sobol_report(files, tmp_path):
    page = report(tmp_path, files.sobol)
    check_self_contained(page)
    r = rankmc.read(files.sobol)
    outs = list(dict.fromkeys(r.sobol["output"]))
    assert outs == ["p_match:focal_visa", "img_match_rate"]
    assert set(figures(page)) == {f"fig-sobol-{k}" for k in range(len(outs))}


def test_forecast_report(files, tmp_path):
    page = report(tmp_path, files.forecast)
    check_self_contained(page)
    assert set(figures(page)) == {"fig-forecast-chances", "fig-forecast-whatifs", "fig-forecast-curve"}
    fc = rankmc.read(files.forecast).forecast
    for m in ("fast", "exact"):
        pm = fc.p_match.loc[m]
        assert f"{m}: P(match) {100 * pm['p']:.1f}%, Monte Carlo SE {100 * pm['se_mc']:.1f}%" in page
    assert "between-market spread" in page


def test_forecast_couple_report(files, tmp_path):
    page = report(tmp_path, files.forecast_couple)
    check_self_contained(page)
    assert "A couple placed into 2 synthetic markets" in page
    cp = rankmc.read(files.forecast_couple).forecast.couple
    assert "The couple&#x27;s joint chances" in page or "The couple's joint chances" in page
    s = cp.joint.loc[("exact", "both")]
    assert re.search(rf"<td>exact</td><td>both matched</td><td[^>]*>{s['p']:.3f}</td>", page)
    assert "partner&#x27;s program" in page or "partner's program" in page


def test_apply_report(files, tmp_path):
    page = report(tmp_path, files.apply)
    check_self_contained(page)
    assert set(figures(page)) == {"fig-apply-curve", "fig-apply-baselines", "fig-apply-whatifs"}
    ap = rankmc.read(files.apply).apply
    last = ap.curve.iloc[-1]
    assert (f"With all 8 applications: P(match) {100 * last['p']:.1f}%, Monte Carlo SE "
            f"{100 * last['se_mc']:.1f}%, between-market spread {100 * last['spread']:.1f}%") in page
    assert f"expected interviews attended {last['interviews']:.2f}" in page
    assert "Point of diminishing returns: not reached within 8 applications" in page
    # the recommended list, one row per k: k, program, P(interview), gain
    # ± paired SE, cumulative P(match), E[interviews], cost
    for _, x in ap.recommended.iterrows():
        cells = [f"{x['k']}", f"{x['id']} {x['name']}", f"{x['p_interview']:.3f}",
                 f"{x['gain']:+.3f} ± {x['gain_se']:.3f}", f"{x['p_match']:.3f}", f"{x['interviews']:.2f}",
                 f"{x['cost']:.0f}"]
        assert re.search(".*".join(f"<td[^>]*>{re.escape(c)}</td>" for c in cells), page), cells
    for _, w in ap.whatifs.iterrows():
        cells = [rankmc.report.esc(w["whatif"]), f"{w['list_p_match']:.3f}",
                 f"{w['list_delta']:+.3f} ± {w['list_delta_se']:.3f}", f"{w['reopt_p_match']:.3f}",
                 f"{w['reopt_delta']:+.3f} ± {w['reopt_delta_se']:.3f}", f"{int(w['overlap'])}/8"]
        assert re.search("".join(f"<td[^>]*>{re.escape(c)}</td>" for c in cells), page), cells


def test_apply_report_marks_diminishing_returns(files, tmp_path):
    page = report(tmp_path, files.apply_us)
    check_self_contained(page)
    assert set(figures(page)) == {"fig-apply-curve", "fig-apply-baselines"}
    ap = rankmc.read(files.apply_us).apply
    k = ap.diminishing_k
    assert k > 0 and f"Point of diminishing returns: k = {k}" in page
    assert f"<td>{k} *</td>" in page
    assert "<th>cost</th>" not in page


def test_other_group_gets_a_table(tmp_path):
    p = tmp_path / "f.h5"
    with h5py.File(p, "w") as f:
        f.attrs["rankmc_version"] = "test"
        f.attrs["replicates"] = 10
        f.create_group("future")["p"] = np.array([0.25, 0.5])
    page = report(tmp_path, p)
    assert "/future" in page and "0.25" in page


def test_exit_statuses(files, tmp_path):
    out = tmp_path / "a.html"
    run("report", files.run_small, "-o", out)
    before = out.read_bytes()
    p = run("report", files.run_small, "-o", out, check=False)
    assert p.returncode == 2 and "--force" in p.stderr
    assert out.read_bytes() == before
    run("report", files.run_small, "-o", out, "--force")
    p = run("report", files.run_small, "-o", tmp_path / "b.html", "--applicant", "nobody", check=False)
    assert p.returncode == 2 and "no applicant 'nobody'" in p.stderr
    assert not (tmp_path / "b.html").exists()
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    junk = tmp_path / "junk.h5"
    junk.write_text("x")
    p = run("report", junk, "-o", tmp_path / "c.html", check=False)
    assert p.returncode == 2 and "cannot read as a rankmc result" in p.stderr
    p = run("report", tmp_path / "missing.h5", check=False)
    assert p.returncode == 2
    p = run("report", files.run_small, "--top", "x", check=False)
    assert p.returncode == 2
    p = run("report", check=False)
    assert p.returncode == 2


def test_default_output_name(files, tmp_path):
    h5 = tmp_path / "m.h5"
    h5.write_bytes(open(files.run_small, "rb").read())
    run("report", h5)
    assert (tmp_path / "m.html").stat().st_size > 10000


def test_missing_python_is_one_clear_line(files, tmp_path):
    env = dict(os.environ, RANKMC_PYTHON="/bin/false")
    p = run("report", files.run_small, "-o", tmp_path / "x.html", check=False, env=env)
    assert p.returncode == 1
    assert p.stderr.count("\n") == 1 and "no Python 3 with h5py" in p.stderr and "python3-matplotlib" in p.stderr
    assert not (tmp_path / "x.html").exists()
    env = dict(os.environ, RANKMC_PYTHONPATH=str(tmp_path))
    p = run("report", files.run_small, "-o", tmp_path / "x.html", check=False, env=env)
    assert p.returncode == 1 and "RANKMC_PYTHONPATH" in p.stderr
    p = run("report", "--python")
    assert os.path.isabs(p.stdout.strip()) or p.stdout.strip() == "python3"


def test_rank_hist_is_read_by_rows_only(files, monkeypatch):
    """The report reads only the focal applicants' rows of
    /interviews/rank_hist, never the whole dataset."""
    r = rankmc.read(files.run_default)
    focal_rows = sum(len(r.applicant_interviews(a)) for a in r.focal_ids())
    read_rows = []
    orig = h5py.Dataset.__getitem__

    def spy(self, sel):
        out = orig(self, sel)
        if self.name == "/interviews/rank_hist":
            read_rows.append(out.shape[0] if out.ndim == 2 else 1)
        return out

    monkeypatch.setattr(h5py.Dataset, "__getitem__", spy)
    page = rankmc.report.build(files.run_default)
    assert len(page.figures) >= 19
    total = len(r.interviews)
    assert 0 < sum(read_rows) <= 2 * focal_rows < total / 10


def test_make_install_gives_the_package_and_the_man_page(tmp_path):
    """`make install PREFIX=...`: the installed rankmc finds its installed
    Python package with no environment help, and `man rankmc` shows the
    page with MANPATH set."""
    import shutil
    import subprocess

    from conftest import ROOT, rankmc_bin

    prefix = tmp_path / "prefix"
    build = os.path.relpath(os.path.dirname(rankmc_bin()), ROOT)
    cfg = os.path.basename(build)
    p = subprocess.run(["make", "-s", "install", f"BUILD={cfg}", f"PREFIX={prefix}"], cwd=ROOT, capture_output=True,
                       text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    assert (prefix / "lib/python3/dist-packages/rankmc/report.py").is_file()
    assert (prefix / "share/man/man1/rankmc.1").is_file()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RANKMC_PYTHONPATH")}
    h5 = tmp_path / "t.h5"
    subprocess.run([str(prefix / "bin/rankmc"), "run", os.path.join(ROOT, "models/tiny"), "-n", "20", "-q", "-o",
                    str(h5)], check=True, env=env)
    p = subprocess.run([str(prefix / "bin/rankmc"), "report", str(h5)], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "t.html").stat().st_size > 10000
    if shutil.which("man") is None:
        pytest.fail("man is not installed (make pytest installs man-db)")
    p = subprocess.run(["man", "-P", "cat", "rankmc"], capture_output=True, text=True,
                       env=dict(env, MANPATH=str(prefix / "share/man"), MANWIDTH="80"))
    assert p.returncode == 0, p.stderr
    assert "rankmc report RESULT.h5" in p.stdout and "EXIT STATUS" in p.stdout


def test_mean_se_matches_simulation():
    """The SE printed beside a group's mean P(match) is the SD of the mean of
    independently estimated P(match)s: checked by simulation (fixed seed;
    2000 repetitions estimate that SD to about 1.6%, the tolerance is 5x)."""
    rng = np.random.default_rng(11)
    p = rng.uniform(0.05, 0.95, size=40)
    n, reps = 200, 2000
    means = rng.binomial(n, p, size=(reps, len(p))).mean(axis=1) / n
    sd = means.std(ddof=1)
    formula = rankmc.report._mean_se(p, n)
    assert abs(sd / formula - 1) < 5 * (1 / np.sqrt(2 * (reps - 1)))
