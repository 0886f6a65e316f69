/* HDF5 result files (DESIGN 6; docs/output.md is the reference for every
 * dataset and attribute): writing a run's totals with its provenance, and
 * reading a file back for `rankmc summary`.
 *
 * Files are written to PATH.tmp.PID in the same directory and renamed over
 * PATH only when complete, so a reader never sees half a file and a failed
 * write leaves nothing behind. Numeric datasets are chunked and
 * deflate-compressed; strings are variable-length UTF-8 (h5py reads them as
 * str). The h5io files (src/h5io_*.c) are the only ones that include
 * hdf5.h; they turn off HDF5's automatic error printing and map failures to
 * RMC_EHDF5 naming the HDF5 call. Not thread safe (HDF5 is built serial):
 * call outside parallel regions.
 */
#ifndef RANKMC_H5IO_H
#define RANKMC_H5IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rankmc/accum.h"
#include "rankmc/model.h"
#include "rankmc/stats.h"
#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Provenance and run facts written as root attributes. Strings borrowed. */
typedef struct rmc_h5_run_info {
    uint64_t seed;                   /* master seed */
    int threads;                     /* threads used (per rank) */
    int ranks;                       /* processes the run was split over (0 counts as 1) */
    const char *rng_name;            /* generator name */
    const char *proposing;           /* "applicants" or "programs" */
    bool check_stability;            /* every matching was checked */
    double wall_seconds;             /* simulation time */
    const char *command_line;        /* as typed, or "" */
    bool interrupted;                /* stopped early by a signal (replicates < asked) */
    uint64_t replicates_requested;   /* -n */
    double until_se;                 /* --until-se target, 0 = none */
    bool se_reached;                 /* the run stopped early because the target was met */
    const char *const *factor_names; /* [dims.n_factors] /interviews/factors */
} rmc_h5_run_info;

/* Write the totals `a` of a run of model m to `path`. Replicates, counts of
 * non-converged and unstable replicates come from a. An existing path is
 * replaced only when force is true, else RMC_EEXIST. RMC_EIO when the temp
 * file cannot be renamed, RMC_EHDF5 naming the failing call, RMC_ENOMEM.
 * On any failure the temporary file is removed and path is untouched. */
rmc_status rmc_h5_write(const char *path, bool force, const rmc_model *m, const rmc_accum *a,
                        const rmc_h5_run_info *info, rmc_diag *d);

/* A result file read back: every dataset of docs/output.md, row-major, and
 * the root attributes. A transparent value; free with rmc_result_free. */
typedef struct rmc_result {
    char *version, *model_sha256, *command_line, *created_utc, *rng_name, *proposing;
    uint64_t seed, replicates, replicates_requested, unconverged, unstable;
    uint64_t restarted; /* replicates whose couples procedure restarted at least once */
    uint64_t restart_hist[2][RMC_ACCUM_RESTART_BINS]; /* [converged 0, not 1][restarts] */
    uint64_t n_couples;                               /* couples in the model */
    double couples_both, couples_both_se; /* mean share of couples with both matched, SE */
    double couples_one, couples_one_se;   /* mean share with exactly one matched, SE */
    /* With --check-stability and non-converged replicates: the applicants
     * and couples blocking such a replicate's matching, mean over those
     * replicates and SE (has_blocking false otherwise, or in older files). */
    bool has_blocking;
    double blocking_applicants, blocking_applicants_se, blocking_couples, blocking_couples_se;
    int64_t threads;
    int64_t check_stability, interrupted, se_reached; /* 0 or 1 */
    double wall_seconds, until_se;

    size_t n_app, n_prog, n_iv, n_factors;
    char **app_id, **app_type;    /* [n_app] */
    double *p_match, *p_match_se; /* [n_app] */
    double *p_match_ci95;         /* [n_app][2] */
    size_t choice_cols;           /* L + 1 */
    uint32_t *choice_hist;        /* [n_app][choice_cols] */
    char **prog_id, **prog_name;  /* [n_prog] */
    int32_t *positions;           /* [n_prog] */
    size_t fill_cols;             /* C + 1 */
    uint32_t *fill_hist;          /* [n_prog][fill_cols] */
    size_t rank_cols;             /* bins + 1 */
    uint64_t rank_bin_width;      /* list positions per bin */
    uint32_t *depth_hist;         /* [n_prog][rank_cols] */
    int32_t *iv_app, *iv_prog;    /* [n_iv] */
    uint32_t *rank_hist;     /* [n_iv][rank_cols]; NULL if read without (RMC_RESULT_NO_RANK_HIST) */
    double *iv_p_match;      /* [n_iv] */
    double *iv_p_match_se;   /* [n_iv] (derived from iv_p_match in older files) */
    double *iv_p_match_ci95; /* [n_iv][2] (likewise) */
    double *mean_move;       /* [n_iv][n_factors] */
    char **factors;          /* [n_factors] */
    /* Per-replicate matched counts by type (0 / NULL in files written
     * before they existed): the groups (each type, then "all") and per
     * group the sums over replicates of the number matched and of its
     * square (/applicants/type_matched_sums). */
    size_t n_type_groups;
    char **type_groups;          /* [n_type_groups] */
    uint64_t *type_matched_sums; /* [n_type_groups][2] */
    /* Tracks (NULL / 0 when the model had no advanced programs and no
     * reversions, or in older files): P(partially matched) per applicant,
     * its SE and Wilson interval; programs' tracks and mean capacity after
     * reversions; the sum and sum of squares over replicates of the
     * positions reverted. p_partial itself is the field below, shared with
     * SOAP's (the same count). */
    bool has_tracks;
    double *p_partial_se;   /* [n_app] */
    double *p_partial_ci95; /* [n_app][2] */
    char **prog_track;      /* [n_prog] */
    double *mean_capacity;  /* [n_prog] */
    uint64_t reverted_sum, reverted_sumsq;
    uint64_t partial_sum, partial_sumsq; /* applicants partially matched per replicate */
    /* SOAP (0 / NULL when the run had none, or the file predates it): the
     * replicates that ran it; per replicate the means and SEs of the
     * RMC_SOAP_TOTAL_* counts (root attributes soap_eligible, soap_places,
     * soap_placed, positions_filled_match, positions_filled_soap); per
     * applicant P(matched in the Main Match), P(placed in SOAP),
     * P(partially matched), P(unplaced); per program the mean fill after
     * SOAP. */
    uint64_t soap_replicates;
    double soap_mean[RMC_ACCUM_SOAP_TOTALS], soap_se[RMC_ACCUM_SOAP_TOTALS];
    double *p_main, *p_soap, *p_partial, *p_unplaced; /* [n_app] */
    double *mean_fill_soap;                           /* [n_prog] */
    /* Couples' outcomes counted in the engine (files with couples whose
     * model had program locations; NULL / false otherwise): the shares
     * per replicate with both partners in one city / one region, means
     * and SEs, and per couple [n_couples] the partners' rows and P(both
     * matched), P(one city), P(one region), P(exactly one) with binomial
     * SEs (/couples). */
    bool has_couple_places;
    double couples_city, couples_city_se, couples_region, couples_region_se;
    int32_t *couple_a, *couple_b;
    double *couple_p[4], *couple_se[4]; /* both, one city, one region, one */
} rmc_result;

/* Read a file written by rmc_h5_write. RMC_EIO when it cannot be opened,
 * RMC_EINPUT when a dataset is missing or has the wrong shape (naming it),
 * RMC_EHDF5, RMC_ENOMEM. Caller owns the result. */
rmc_status rmc_result_read(const char *path, rmc_result **out, rmc_diag *d);
/* rmc_result_read_opts flag: leave rank_hist NULL (its shape is still
 * checked and rank_cols set) and read the rows needed with
 * rmc_result_rank_rows. The rank histogram is the largest table of a file
 * (national: 439 MB in memory, most of a full read's second). */
#define RMC_RESULT_NO_RANK_HIST 1u
rmc_status rmc_result_read_opts(const char *path, unsigned flags, rmc_result **out, rmc_diag *d);
/* The rank histogram rows of interviews rows[0 .. n) into out[n][rank_cols]:
 * from r->rank_hist when it was read, else from path, the file r was read
 * from (only the chunks that hold them). RMC_EUSAGE for an interview out of
 * range; RMC_EIO, RMC_EINPUT, RMC_EHDF5 as rmc_result_read. */
rmc_status rmc_result_rank_rows(const char *path, const rmc_result *r, const size_t *rows, size_t n,
                                uint32_t *out, rmc_diag *d);
void rmc_result_free(rmc_result *r);

/* What a checkpoint records besides the totals: the settings a resumed run
 * must reuse so that it ends with the same result as an uninterrupted one. */
typedef struct rmc_h5_checkpoint_info {
    uint64_t seed;                 /* master seed */
    uint64_t replicates_requested; /* -n of the original run */
    int64_t proposing;             /* rmc_proposing */
    int64_t check_stability;       /* 0 or 1 */
    double until_se;               /* 0 = none */
    char rng_name[32];             /* generator */
    char model_sha256[65];         /* the model the totals belong to */
    int threads;                   /* writing: threads that compress the largest tables (not
                                      stored; a read sets 0; below 1 counts as 1) */
} rmc_h5_checkpoint_info;

/* Write a resumable checkpoint of the totals `a` (with rank histogram) to
 * path, replacing any earlier one (temp file then rename, like
 * rmc_h5_write). RMC_EHDF5, RMC_EIO, RMC_ENOMEM. */
rmc_status rmc_h5_checkpoint_write(const char *path, const rmc_accum *a,
                                   const rmc_h5_checkpoint_info *info, rmc_diag *d);

/* Read a checkpoint: *out gets the totals (caller owns; rmc_accum_free),
 * *info the settings. RMC_EIO when it cannot be opened, RMC_EINPUT when it
 * is not a rankmc checkpoint or is inconsistent, RMC_EHDF5, RMC_ENOMEM. */
rmc_status rmc_h5_checkpoint_read(const char *path, rmc_accum **out, rmc_h5_checkpoint_info *info,
                                  rmc_diag *d);

/* The temporary name rmc_h5_write, rmc_h5_checkpoint_write and
 * rmc_h5_write_tables write before renaming it over path: PATH.tmp.PID (this
 * process). Writes it into buf like snprintf (truncated when the result is
 * >= size; buf may be NULL when size is 0) and returns its length, so a
 * caller can size a buffer: the names a signal handler removes when it must
 * stop at once. */
size_t rmc_h5_temp_path(const char *path, char *buf, size_t size);

/* The checkpoint that belongs to result file path: PATH.ckpt, into buf like
 * rmc_h5_temp_path; returns its length. */
size_t rmc_h5_checkpoint_path(const char *path, char *buf, size_t size);

/* Resuming: read the checkpoint at path (as rmc_h5_checkpoint_read) and
 * check that it can continue a run of model m to `replicates` replicates (0:
 * the number the original run asked for, info->replicates_requested).
 * RMC_EUSAGE when path does not exist, when the checkpoint was made from a
 * different model (by SHA-256) or already holds more than `replicates`; the
 * other failures of rmc_h5_checkpoint_read. On success *out holds the totals
 * (caller owns) and *info the settings the run must reuse; on failure *out
 * is NULL. */
rmc_status rmc_h5_checkpoint_resume(const char *path, const rmc_model *m, uint64_t replicates,
                                    rmc_accum **out, rmc_h5_checkpoint_info *info, rmc_diag *d);

/* ---- generic table files (sensitivity, sobol) -------------------------- */

/* Element type of an rmc_h5_table or rmc_h5_attr. */
typedef enum { RMC_H5_F64, RMC_H5_I32, RMC_H5_STR } rmc_h5_type;

/* One dataset: a row-major array of 1 to 3 dimensions. Borrowed. */
typedef struct rmc_h5_table {
    const char *path; /* "group/name" (one group level, created on first use) or "name" */
    rmc_h5_type type; /* data is double, int32_t or const char * (UTF-8) elements */
    size_t rank;      /* 1 .. 3 */
    size_t dims[3];   /* shape; unused dimensions ignored */
    const void *data;
    const char *doc; /* written as the dataset's "doc" attribute; NULL = none */
} rmc_h5_table;

/* One extra root attribute (scalar). */
typedef struct rmc_h5_attr {
    const char *name;
    rmc_h5_type type; /* F64: f64; I32: i64 (written as int64); STR: str */
    double f64;
    int64_t i64;
    const char *str;
} rmc_h5_attr;

/* A whole table file: provenance plus datasets and attributes. Borrowed. */
typedef struct rmc_h5_tables {
    const char *model_dir;     /* root attribute model_dir: the model or market */
    const char *model_sha256;  /* root attribute model_sha256 */
    uint64_t seed, replicates; /* root attributes seed, replicates */
    int threads;               /* root attribute threads */
    int ranks;                 /* root attribute ranks (0 counts as 1) */
    const char *rng_name;      /* root attribute rng */
    const char *command_line;  /* as typed, or NULL */
    double wall_seconds;
    const rmc_h5_table *tables; /* [n_tables] */
    size_t n_tables;
    const rmc_h5_attr *attrs; /* [n_attrs] extra root attributes */
    size_t n_attrs;
} rmc_h5_tables;

/* Write t to path with the root attributes of DESIGN 6 (rankmc_version, seed,
 * replicates, threads, ranks, model_sha256, model_dir, command_line, created_utc,
 * wall_seconds, rng) plus t->attrs, numeric datasets chunked and deflated,
 * strings variable-length UTF-8; temp file then rename, as rmc_h5_write.
 * RMC_EEXIST without force, RMC_EUSAGE for a bad table, RMC_EHDF5, RMC_EIO. */
rmc_status rmc_h5_write_tables(const char *path, bool force, const rmc_h5_tables *t, rmc_diag *d);

#ifdef __cplusplus
}
#endif
#endif
