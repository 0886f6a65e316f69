/* Sensitivity analyses (docs/sensitivity.md): model variants that change
 * one applicant's attributes, one-at-a-time what-ifs run with common random
 * numbers, and the parameter set varied by `rankmc sobol`.
 *
 * A variant is a model that shares every array of its base model except the
 * few it changes (copy on write), so a what-if on a national model costs a
 * few arrays, not a model. The engine (rankmc/sim.h) runs a variant like any
 * model; with the same seed every replicate draws from the same streams as
 * the base run, so outcome differences are paired replicate by replicate.
 */
#ifndef RANKMC_SENSITIVITY_H
#define RANKMC_SENSITIVITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rankmc/model.h"
#include "rankmc/sim.h"
#include "rankmc/sobol.h"
#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- model variants ---------------------------------------------------- */

typedef struct rmc_variant rmc_variant;

/* A variant of base that changes nothing yet. It borrows base's arrays:
 * base must outlive it and must not change. Caller owns the result; free it
 * with rmc_variant_free (never pass rmc_variant_model(v) to rmc_model_free).
 * RMC_ENOMEM. */
rmc_status rmc_variant_alloc(const rmc_model *base, rmc_variant **out, rmc_diag *d);
void rmc_variant_free(rmc_variant *v);

/* The variant as a model, valid while v lives; read-only like any model, so
 * threads may share it. Its profile, type, pre_score and everything not set
 * below are base's. */
const rmc_model *rmc_variant_model(const rmc_variant *v);

/* Change one value of applicant i (or interview k). The first change of a
 * field copies that field's array from base (RMC_ENOMEM); setting the value
 * it already has copies nothing. RMC_EUSAGE for an index out of range or a
 * value outside its domain (communication in [0, 1], clinical_years finite
 * and >= 0, enums in range, ties 0 or 1). Not thread safe on one v. */
rmc_status rmc_variant_set_communication(rmc_variant *v, size_t i, double value, rmc_diag *d);
rmc_status rmc_variant_set_clinical_years(rmc_variant *v, size_t i, double value, rmc_diag *d);
rmc_status rmc_variant_set_us_experience(rmc_variant *v, size_t i, rmc_usexp value, rmc_diag *d);
rmc_status rmc_variant_set_visa(rmc_variant *v, size_t i, rmc_visa value, rmc_diag *d);
/* pre_score of applicant i (finite). When i's profile is the one the
 * derived rule gives for base's values, it is re-derived for the new value
 * (so a score raised past [profile] star_pre_score makes a star, as a model
 * written with that score would); a profile given in applicants.csv that
 * differs from the rule is kept. */
rmc_status rmc_variant_set_pre_score(rmc_variant *v, size_t i, double value, rmc_diag *d);
rmc_status rmc_variant_set_advocacy(rmc_variant *v, size_t k, rmc_advocacy value, rmc_diag *d);
rmc_status rmc_variant_set_ties(rmc_variant *v, size_t k, int value, rmc_diag *d);

/* Whether any value of the variant differs from base (a value set back to
 * base's counts as no difference). O(changed arrays). */
bool rmc_variant_differs(const rmc_variant *v);

/* ---- one-at-a-time what-ifs -------------------------------------------- */

/* The factors of `rankmc sensitivity`, each with a favourable and an
 * unfavourable level (docs/sensitivity.md gives the exact rule of each). */
typedef enum {
    RMC_SENS_ADVOCACY,       /* a rotation at the top program / no advocacy anywhere */
    RMC_SENS_ADVOCACY_ALL,   /* a rotation at every program / no advocacy anywhere */
    RMC_SENS_COMMUNICATION,  /* raised to 0.95 / lowered to 0.5 */
    RMC_SENS_VISA,           /* none (J1 for a non-citizen IMG) / uncertain */
    RMC_SENS_TIES,           /* ties at every program / none */
    RMC_SENS_US_EXPERIENCE,  /* hands_on or sub_i (the larger weight) / none */
    RMC_SENS_CLINICAL_YEARS, /* + 5 years / 0 */
    RMC_SENS_N_FACTORS
} rmc_sens_factor;

enum { RMC_SENS_FAVOURABLE = 0, RMC_SENS_UNFAVOURABLE = 1, RMC_SENS_N_LEVELS = 2 };

/* "advocacy", "advocacy_all", "communication", "visa", "ties",
 * "us_experience", "clinical_years". */
const char *rmc_sens_factor_name(rmc_sens_factor f);
/* The factor with this name into *out; false when there is none. */
bool rmc_sens_factor_parse(const char *name, rmc_sens_factor *out);

/* The default focal applicants of model m (docs/sensitivity.md): every
 * applicant whose id starts with "focal_", else every US_IMG and IMG, in
 * file order. Writes up to cap indices to out (may be NULL) and returns
 * how many there are. */
size_t rmc_sens_default_focal(const rmc_model *m, rmc_id *out, size_t cap);

/* The interview of applicant i at its most-preferred program: the first
 * entry of a fixed ROL, else the largest desirability + beta_ties * ties
 * (first in file order on a tie); RMC_ID_NONE when i has no interview. */
rmc_id rmc_sens_top_interview(const rmc_model *m, size_t i);

/* Apply factor f at level (RMC_SENS_FAVOURABLE / _UNFAVOURABLE) to
 * applicant i of v (which must start as an unchanged variant of its base);
 * a short description such as "communication 0.62 -> 0.95" goes to desc
 * (size bytes, may be NULL). RMC_EUSAGE, RMC_ENOMEM. */
rmc_status rmc_sens_apply(rmc_variant *v, size_t i, rmc_sens_factor f, int level, char *desc,
                          size_t size, rmc_diag *d);

/* Called after each engine run with runs done and the total. */
typedef void (*rmc_sens_progress_fn)(void *ctx, size_t done, size_t total);

typedef struct rmc_sens_options {
    rmc_sim_options sim;            /* engine settings (seed, replicates, threads, ...); its
                                       focal, until_se, checkpoint and resume fields are
                                       ignored, its stop flag honoured */
    const rmc_id *applicants;       /* [n_applicants] focal applicant indices; borrowed */
    size_t n_applicants;            /* >= 1 */
    const rmc_sens_factor *factors; /* [n_factors]; NULL = all, in enum order */
    size_t n_factors;
    bool run_unchanged;            /* also run what-ifs that change nothing (else they are
                                      reported from the base run: exactly 0, SE 0) */
    rmc_sens_progress_fn progress; /* may be NULL */
    void *progress_ctx;
} rmc_sens_options;

/* Defaults: rmc_sim_options_default, no applicants, all factors. */
void rmc_sens_options_default(rmc_sens_options *o);

/* The what-ifs' results. Per-applicant arrays are [n_applicants]; what-if
 * arrays are indexed [(a * n_factors + f) * RMC_SENS_N_LEVELS + level].
 * "Rank" is the matched ROL position, 1-based, an unmatched replicate
 * counting as unmatched_rank[a] = the applicant's interview count + 1.
 * Standard errors: paired = SD of the per-replicate differences / sqrt(n);
 * unpaired = sqrt(var_base / n + var_variant / n) (what independent runs
 * would give). Caller owns it; rmc_sens_result_free. */
typedef struct rmc_sens_result {
    size_t n_applicants, n_factors;
    uint64_t replicates, seed;
    int threads; /* per rank */
    int ranks;   /* processes the what-ifs were split over */
    double wall_seconds;
    rmc_id *applicants;                      /* [n_applicants] */
    rmc_sens_factor *factors;                /* [n_factors] */
    int32_t *unmatched_rank;                 /* [n_applicants] */
    double *base_p, *base_p_se;              /* [n_applicants] P(match) in the base model */
    double *base_rank, *base_rank_se;        /* [n_applicants] mean rank */
    char (*desc)[96];                        /* [what-if] description of the change */
    int32_t *changed;                        /* [what-if] 1 = the variant differs from the base */
    double *p, *dp, *dp_se, *dp_se_unpaired; /* [what-if] P(match), its change, SEs */
    double *rank, *drank, *drank_se, *drank_se_unpaired; /* [what-if] mean rank, change, SEs */
    int32_t *n_gain, *n_loss; /* [what-if] replicates unmatched in the base and matched
                                 in the variant / matched and then unmatched: with
                                 perfect pairing a one-sided change moves only one way */
    /* Means over the focal applicants, [f * RMC_SENS_N_LEVELS + level] (swing:
     * [f]). Their SEs come from the per-replicate means over applicants of
     * the paired differences: replicate r's d_r = mean_a (x_a,variant(r) -
     * x_a,base(r)), SE = SD(d_r) / sqrt(n). The applicants' runs share the
     * base run and the seeds, so their differences are correlated and
     * sqrt(sum of squared SEs) / n_applicants would be wrong either way;
     * mean_dp_se_indep keeps that figure for comparison. swing = P(+) -
     * P(-), signed, its SE from the per-replicate mean of matched(+) -
     * matched(-). */
    double *mean_dp, *mean_dp_se, *mean_dp_se_indep; /* [n_factors * 2] */
    double *mean_drank, *mean_drank_se;              /* [n_factors * 2] */
    double *mean_swing, *mean_swing_se;              /* [n_factors] */
} rmc_sens_result;

/* Run the base model once and every (applicant, factor, level) variant with
 * o->sim's seed (common random numbers), recording the focal applicants'
 * per-replicate outcomes through the engine's focal hook. Bit-identical
 * results for any thread count. RMC_EUSAGE (no applicants, bad index),
 * RMC_EINTERRUPTED when o->sim.stop was raised, the engine's statuses. Cost:
 * 1 + 2 x applicants x factors engine runs (fewer unless run_unchanged). */
rmc_status rmc_sens_run(const rmc_model *m, const rmc_sens_options *o, rmc_sens_result **out,
                        rmc_diag *d);
void rmc_sens_result_free(rmc_sens_result *r);

/* Write r, the result of rmc_sens_run(m, o, ...), to path as the
 * /sensitivity/... datasets of docs/output.md with the provenance root
 * attributes (o->sim.rng_name, command_line: as typed, may be NULL). An
 * existing path is replaced only when force is true, else RMC_EEXIST; the
 * statuses of rmc_h5_write_tables, RMC_ENOMEM. */
rmc_status rmc_sens_write(const char *path, bool force, const rmc_model *m,
                          const rmc_sens_options *o, const rmc_sens_result *r,
                          const char *command_line, rmc_diag *d);

/* ---- rankmc sobol: global sensitivity to the model's factor weights ---- */

/* The model.ini weights `rankmc sobol` varies (docs/sensitivity.md lists
 * them): writes up to cap parameter rows to out (may be NULL) and returns
 * how many there are (12). */
size_t rmc_sens_sobol_params(const rmc_param_info **out, size_t cap);

typedef struct rmc_sens_sobol_options {
    rmc_sim_options sim;      /* engine settings at every design point: the same seed
                                 everywhere (common random numbers); its focal, until_se,
                                 checkpoint and resume fields are ignored */
    size_t n_samples;         /* N base samples (a power of two keeps the design balanced) */
    double relative_range;    /* r in [0, 1]; < 0: the model's [sobol] relative_range */
    const rmc_id *applicants; /* [n_applicants] outputs: their P(match); borrowed */
    size_t n_applicants;
    bool img_rate;                 /* add the share of IMGs (US_IMG, IMG) matched as an output */
    size_t noise_rows;             /* design rows re-run with seed + 1 to measure the Monte
                                      Carlo noise (0 or 1: none; capped at the design's rows) */
    rmc_sobol_opts analysis;       /* bootstrap settings */
    rmc_sens_progress_fn progress; /* after each design point; may be NULL */
    void *progress_ctx;
} rmc_sens_sobol_options;

/* Defaults: rmc_sim_options_default with 100 replicates, N = 64, 16 noise rows, the
 * model's range, no applicants, the IMG rate, rmc_sobol_opts_default. */
void rmc_sens_sobol_options_default(rmc_sens_sobol_options *o);

/* A finished analysis. x is [n_rows][n_factors], y [n_rows][n_outputs]
 * (row order of rankmc/sobol.h); output o is applicant output_app[o]'s
 * P(match), or the IMG match rate when output_app[o] is RMC_ID_NONE.
 * noise_var[o] is the mean over rows of p (1 - p) / replicates (for the IMG
 * rate: / (replicates x IMGs)), the binomial Monte Carlo variance of one
 * evaluation, to compare with indices->var[o]. Caller
 * owns it; rmc_sens_sobol_result_free. */
typedef struct rmc_sens_sobol_result {
    size_t n_factors, n_outputs, n_rows, n_samples;
    uint64_t replicates, seed;
    int threads; /* per rank */
    int ranks;   /* processes the design rows were split over */
    double wall_seconds, relative_range;
    const rmc_param_info **factor; /* [n_factors] static parameter rows */
    double *base, *lo, *hi;        /* [n_factors] the model's value and the range */
    double *x, *y;
    rmc_id *output_app;        /* [n_outputs] */
    double *noise_var;         /* [n_outputs] */
    rmc_sobol_result *indices; /* S1, ST and intervals per output and factor */
    /* The noise measured: the first n_noise_rows (>= 2) design rows run
     * again with seed + 1; with d = y - y' at each of them, noise_var_seeds[o]
     * = var(d) / 2 (divisor n_noise_rows - 1): the spread over design points
     * of one seed's Monte Carlo error. Under common random numbers most of
     * that error is one shift shared by every point, which changes neither V
     * nor any index; its spread is what does (noise_var, the binomial
     * variance of one point, bounds it from above when seeds differ by
     * point). noise_large[o] = 1 when it exceeds RMC_SOBOL_NOISE_SMALL x
     * indices->var[o] (or, without noise rows, noise_var does): then the
     * indices describe one seed's noise as much as the factors. */
    size_t n_noise_rows;
    double *noise_var_seeds; /* [n_outputs], NaN without noise rows */
    int32_t *noise_large;    /* [n_outputs] */
} rmc_sens_sobol_result;

/* "Small against V": rmc_sens_sobol_result.noise_large's threshold. */
#define RMC_SOBOL_NOISE_SMALL 0.05

/* Evaluate the model at every row of a Saltelli design over the weights of
 * rmc_sens_sobol_params (each over base -/+ r |base|, clamped to its legal
 * range; a weight of 0 is left out), one engine run of o->sim.replicates per
 * row with the same seed, then estimate the indices (rankmc/sobol.h).
 * Bit-identical for any thread count. RMC_EUSAGE (no output, bad N, r out
 * of range), RMC_EINTERRUPTED (stop flag), the engine's statuses. Cost:
 * N (k + 2) engine runs. */
rmc_status rmc_sens_sobol_run(const rmc_model *m, const rmc_sens_sobol_options *o,
                              rmc_sens_sobol_result **out, rmc_diag *d);
void rmc_sens_sobol_result_free(rmc_sens_sobol_result *r);

/* The name of output o of r into buf (size bytes, cut to fit):
 * "p_match:ID" for an applicant, "img_match_rate" for the IMG rate. */
void rmc_sens_sobol_output_name(const rmc_model *m, const rmc_sens_sobol_result *r, size_t o,
                                char *buf, size_t size);

/* Write r, the result of rmc_sens_sobol_run(m, o, ...), to path as the
 * /sobol/... datasets and sobol_* root attributes of docs/output.md, with
 * the provenance root attributes (command_line may be NULL). RMC_EEXIST
 * without force; the statuses of rmc_h5_write_tables, RMC_ENOMEM. */
rmc_status rmc_sens_sobol_write(const char *path, bool force, const rmc_model *m,
                                const rmc_sens_sobol_options *o, const rmc_sens_sobol_result *r,
                                const char *command_line, rmc_diag *d);

#ifdef __cplusplus
}
#endif
#endif
