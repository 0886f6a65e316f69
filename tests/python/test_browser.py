"""Each kind of report opened in a real browser (headless Chromium, Debian's
`chromium`): the test fails on a blank page, an image that does not load
or decode, or any console message or page error. `make browser-test`;
RANKMC_SCREENSHOTS=DIR keeps the screenshots."""

import json
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

from conftest import run

pytestmark = pytest.mark.browser

# Injected into a copy of the page (the report itself has no script): it
# records console errors, page errors and resource errors, and after the
# load event checks every image decoded, then writes the result into the DOM.
PROBE = """<script>
window.__errs = [];
(function () {
  var oe = console.error, ow = console.warn;
  console.error = function () { __errs.push('console.error: ' + Array.from(arguments).join(' ')); oe.apply(console, arguments); };
  console.warn = function () { __errs.push('console.warn: ' + Array.from(arguments).join(' ')); ow.apply(console, arguments); };
  window.addEventListener('error', function (e) {
    __errs.push('error: ' + (e.message || (e.target && (e.target.src || e.target.href)) || 'unknown'));
  }, true);
  window.addEventListener('load', function () {
    var bad = [];
    for (var i = 0; i < document.images.length; i++) {
      var im = document.images[i];
      if (!im.complete || im.naturalWidth === 0 || im.naturalHeight === 0) bad.push(i);
    }
    var d = document.createElement('pre');
    d.id = 'rmc-probe';
    d.textContent = JSON.stringify({images: document.images.length, bad: bad, errors: __errs,
                                    text: document.body.innerText.length});
    document.body.appendChild(d);
  });
})();
</script>"""


def chromium():
    for c in ("chromium", "/usr/bin/chromium", "chromium-browser"):
        p = shutil.which(c)
        if p:
            return p
    pytest.fail("headless Chromium not found: `make browser-test` installs Debian's chromium")


def browser(tmp_path, *args):
    cmd = [chromium(), "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
           "--no-first-run", "--disable-extensions", f"--user-data-dir={tmp_path / 'profile'}",
           "--enable-logging=stderr", "--v=0", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def check_in_browser(tmp_path, html_path, name, min_figures):
    page = html_path.read_text(encoding="utf-8")
    n_figures = len(re.findall(r"<figure ", page))
    assert n_figures >= min_figures
    # 1. the page as written: screenshot, no console output at all
    shot = tmp_path / f"{name}.png"
    p = browser(tmp_path, "--window-size=1200,2000", f"--screenshot={shot}", html_path.as_uri())
    assert shot.exists(), p.stderr
    console = [l for l in p.stderr.splitlines() if "CONSOLE" in l]
    assert not console, console
    import matplotlib.image as mpimg

    img = mpimg.imread(str(shot))[:, :, :3]
    nonwhite = float(np.mean(img.min(axis=2) < 0.9))
    assert img.shape[0] >= 1000 and img.shape[1] >= 1000
    assert nonwhite > 0.02, f"{name}: the screenshot is blank ({100 * nonwhite:.2f}% non-white pixels)"
    assert float(img.std()) > 0.05
    keep = os.environ.get("RANKMC_SCREENSHOTS")
    if keep:
        os.makedirs(keep, exist_ok=True)
        shutil.copy(shot, os.path.join(keep, f"{name}.png"))
    # 2. a probed copy: every image decoded, no error of any kind
    probed = tmp_path / f"{name}-probed.html"
    probed.write_text(page.replace("<head>", "<head>" + PROBE, 1), encoding="utf-8")
    p = browser(tmp_path, "--virtual-time-budget=5000", "--dump-dom", probed.as_uri())
    m = re.search(r'<pre id="rmc-probe">(.*?)</pre>', p.stdout, re.S)
    assert m, f"{name}: the page did not finish loading\n{p.stderr[-2000:]}"
    res = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<")
                     .replace("&gt;", ">"))
    assert res["images"] == n_figures, res
    assert res["bad"] == [], f"{name}: images that did not load: {res['bad']}"
    assert res["errors"] == [], res["errors"]
    assert res["text"] > 500


def test_probe_catches_a_broken_page(tmp_path):
    """The checks above can fail: a missing image and a console error are
    reported."""
    bad = tmp_path / "bad.html"
    bad.write_text('<html><head></head><body><figure><img src="missing.png" alt="x"></figure>'
                   + "<p>" + "text " * 200 + '</p><script>console.error("boom")</script></body></html>')
    with pytest.raises(AssertionError):
        check_in_browser(tmp_path, bad, "bad", 1)
    probed = tmp_path / "bad-probe.html"
    probed.write_text(bad.read_text().replace("<head>", "<head>" + PROBE, 1))
    p = browser(tmp_path, "--virtual-time-budget=3000", "--dump-dom", probed.as_uri())
    assert "missing.png" in p.stdout and "boom" in p.stdout


@pytest.mark.parametrize("kind,min_figures", [("run_default", 19), ("sensitivity", 2), ("sobol", 2),
                                              ("forecast", 3), ("run_wide", 6),
                                              ("apply", 3)])
def test_report_in_chromium(files, tmp_path, kind, min_figures):
    h5 = getattr(files, kind)
    out = tmp_path / f"{kind}.html"
    extra = []
    if kind == "run_wide":
        import rankmc

        extra = ["--applicant", str(rankmc.read(h5).applicants["id"].iloc[0])]
    run("report", h5, "-o", out, *extra)
    check_in_browser(tmp_path, out, kind, min_figures)
