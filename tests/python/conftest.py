"""Shared fixtures of the Python tests: result files made by the rankmc
binary under test ($RANKMC, default build/test/rankmc) on small models, once
per session. Run with `make pytest` (reader and report) and
`make browser-test` (headless Chromium); both set RANKMC and PYTHONPATH."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "python"))


def rankmc_bin():
    return os.path.abspath(os.environ.get("RANKMC", os.path.join(ROOT, "build", "test", "rankmc")))


def run(*args, check=True, env=None, cwd=None):
    """Run the rankmc binary; returns the CompletedProcess (text)."""
    p = subprocess.run([rankmc_bin(), *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd)
    if check and p.returncode != 0:
        raise AssertionError(f"rankmc {' '.join(map(str, args))}: exit {p.returncode}\n{p.stderr}")
    return p


class Files:
    """The session's result files, made on first use."""

    def __init__(self, d):
        self.d = d
        self._made = {}

    def _get(self, name, make):
        if name not in self._made:
            path = os.path.join(self.d, name)
            self._made[name] = (path, make(path))
        return self._made[name][0]

    def output(self, name):
        self._get(name, lambda p: None)
        return self._made[name][1]

    @property
    def run_default(self):
        return self._get("default.h5", lambda p: run("run", os.path.join(ROOT, "models/default"), "-n", 300, "-s", 5,
                                                     "-t", 2, "-q", "-o", p).stdout)

    @property
    def run_small(self):
        return self._get("small.h5", lambda p: run("run", os.path.join(ROOT, "tests/data/sim_small"), "-n", 400,
                                                   "-s", 3, "-t", 2, "-q", "-o", p).stdout)

    @property
    def run_joint(self):
        """Couples with joint lists generated each replicate (tests/data/sim_joint)."""
        return self._get("joint.h5", lambda p: run("run", os.path.join(ROOT, "tests/data/sim_joint"), "-n", 256,
                                                   "-s", 4, "-t", 2, "-q", "-o", p).stdout)

    @property
    def run_binned(self):
        return self._get("binned.h5", lambda p: run("run", os.path.join(ROOT, "models/default"), "-n", 128, "-s", 2,
                                                    "-t", 2, "-q", "--rank-bins", 37, "-o", p).stdout)

    @property
    def run_wide(self):
        """A market with more programs than the report draws one by one."""
        def make(p):
            m = os.path.join(self.d, "wide_model")
            run("synth", "--preset", "nrmp2025", "--scale", "0.02", "-o", m)
            return run("run", m, "-n", 64, "-t", 2, "-q", "-o", p).stdout
        return self._get("wide.h5", make)

    @property
    def sensitivity(self):
        return self._get("sens.h5", lambda p: run("sensitivity", os.path.join(ROOT, "models/default"), "-n", 60,
                                                  "-t", 2, "-q", "--applicant", "focal_visa", "--applicant",
                                                  "focal_fellow", "--factor", "communication", "--factor", "visa",
                                                  "--factor", "ties", "-o", p).stdout)

    @property
    def forecast(self):
        return self._get("forecast.h5", lambda p: run("forecast", os.path.join(ROOT, "models/profiles/img_visa_uncertain.ini"),
                                                      "--market", "im-regional", "--markets", 2, "-n", 30, "-t", 2,
                                                      "-q", "--method", "both", "-o", p).stdout)

    @property
    def forecast_couple(self):
        """A couple's forecast (an internist and a paediatrician), both methods."""
        return self._get("forecast_couple.h5", lambda p: run("forecast", os.path.join(ROOT, "models/profiles/couple_im_peds.ini"),
                                                             "--market", "nrmp2025:0.05", "--markets", 2, "-n", 16, "-t", 2,
                                                             "-q", "--method", "both", "-o", p).stdout)

    @property
    def apply(self):
        """A small apply file with what-ifs and a cost per application."""
        return self._get("apply.h5", lambda p: run("apply", os.path.join(ROOT, "models/profiles/apply/img_j1.ini"),
                                                   "--market", "im-regional", "--markets", 2, "-n", 50, "-t", 2,
                                                   "--max-applications", 8, "--what-ifs",
                                                   "--cost-per-application", 30, "-o", p).stdout)

    @property
    def apply_us(self):
        """A small apply file without what-ifs whose curve flattens: a
        point of diminishing returns within its 10 applications."""
        return self._get("apply_us.h5", lambda p: run("apply", os.path.join(ROOT, "models/profiles/apply/us_md_median.ini"),
                                                      "--market", "im-regional", "--markets", 2, "-n", 50, "-t", 2,
                                                      "--max-applications", 10, "-o", p).stdout)

    @property
    def sobol(self):
        return self._get("sobol.h5", lambda p: run("sobol", os.path.join(ROOT, "models/default"), "--samples", 2,
                                                   "-n", 20, "--boot", 50, "-t", 2, "-q",
                                                   "--applicant", "focal_visa", "-o", p).stdout)


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    return Files(str(tmp_path_factory.mktemp("rankmc")))
