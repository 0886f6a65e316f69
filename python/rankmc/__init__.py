"""Read rankmc result files (HDF5) into pandas, and draw reports from them.

    import rankmc
    r = rankmc.read("default.h5")
    r.applicants.head()          # one row per applicant
    r.interviews.query("applicant_id == 'focal_visa'")
    r.rank_hist(rows)            # selected rows of /interviews/rank_hist

docs/python.md describes every table and column; docs/output.md the file.
Needs h5py, numpy and pandas (Debian: python3-h5py, python3-numpy,
python3-pandas); the report (``python3 -m rankmc.report``, or
``rankmc report``) also needs matplotlib (python3-matplotlib).
"""

from ._read import Apply, Forecast, Result, read, wilson_interval, Z95

__all__ = ["Apply", "Forecast", "Result", "read", "wilson_interval", "Z95"]
__version__ = "0.1.0"
