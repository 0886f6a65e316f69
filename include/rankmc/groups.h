/* Match rates by applicant group from a result file: the figures NRMP
 * publishes (PGY-1 match rate by applicant type, share of positions filled,
 * overall match rate), computed from a run's per-applicant P(match) and
 * per-program fill histograms. `rankmc summary OUT.h5 --by COLUMN` prints
 * them (docs/calibration.md).
 *
 * Groups come from a column of labels, one per applicant of the result:
 * the result's own `type`, or an extra `x_` column of the model's
 * applicants.csv (synth writes `x_group`, which tells NRMP's "previous
 * graduates and others" apart from US MD seniors).
 */
#ifndef RANKMC_GROUPS_H
#define RANKMC_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rankmc/h5io.h"
#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One group's match rate. The rate is the mean over its applicants of
 * P(match) (= the mean over replicates of the share matched). se_rep is the
 * Monte Carlo standard error of that mean from the per-replicate group
 * rates: sqrt(sample variance of the replicate's share matched / replicates),
 * which accounts for applicants competing for the same seats; it needs the
 * result's per-replicate sums (/applicants/type_matched_sums), so it exists
 * only for the groups of `type` and for "all", and is NAN otherwise. se
 * treats applicants as independent: sqrt(sum p(1-p) / replicates) / n, kept
 * for comparison (competition makes it wrong in either direction). */
typedef struct rmc_group_rate {
    char name[64];   /* the label (truncated to 63 bytes) */
    size_t n;        /* applicants in the group */
    double expected; /* expected number matched: sum of P(match) */
    double rate;     /* expected / n */
    double se;       /* standard error of rate (independence approximation) */
    double se_rep;   /* standard error of rate from per-replicate rates, or NAN */
    /* With SOAP in the result (else 0): the mean over the group of
     * P(matched in the Main Match, fully: not only an advanced place),
     * P(partially matched), P(placed in SOAP) and P(placed after SOAP) =
     * P(fully matched) + P(placed in SOAP), with independence SEs. */
    double main, partial;
    double soap, soap_se;
    double after, after_se;
} rmc_group_rate;

/* Market-wide figures: the overall match rate (all applicants, as a group
 * named "all") and the share of positions filled, with its standard error
 * from each program's fill variance (programs treated as independent). */
typedef struct rmc_market_rates {
    rmc_group_rate all;   /* every applicant */
    size_t positions;     /* sum of program positions */
    double filled;        /* expected positions filled per replicate */
    double fill_share;    /* filled / positions */
    double fill_share_se; /* its standard error */
    /* With SOAP in the result (else 0): positions filled after SOAP per
     * replicate and their share, applicants placed in SOAP per replicate,
     * each with its SE over replicates (from the run's root attributes). */
    double filled_soap, fill_share_soap, fill_share_soap_se;
    double placed_soap, placed_soap_se;
} rmc_market_rates;

/* Read column `column` of model_dir/applicants.csv and return one label per
 * applicant of r, in r's order (a result lists applicants in the model's
 * file order; each row's id must equal the result's id there, else
 * RMC_EINPUT "applicants.csv:LINE: ..." saying the result comes from
 * another model). RMC_EINPUT also when the file cannot be opened, the column
 * is missing, a row is ragged or the row counts differ; RMC_EIO on a read
 * error.
 * Line numbers assume no quoted newlines in the file. *labels is an array
 * of r->n_app strings; free with rmc_groups_labels_free. */
rmc_status rmc_groups_labels_read(const char *model_dir, const char *column, const rmc_result *r,
                                  char ***labels, rmc_diag *d);
void rmc_groups_labels_free(char **labels, size_t n);

/* Rates of each distinct label among labels[0..r->n_app), sorted by
 * label. *out is an array of *n_groups entries; free with
 * rmc_groups_rates_free. RMC_ENOMEM. */
rmc_status rmc_groups_rates(const rmc_result *r, const char *const *labels, rmc_group_rate **out,
                            size_t *n_groups, rmc_diag *d);
void rmc_groups_rates_free(rmc_group_rate *g);

/* Fill se_rep of g[0..n) from r's per-replicate sums: g must come from
 * rmc_groups_rates on r's own type labels (r->app_type). Groups the sums
 * do not cover, and every group of a file without them, keep NAN. */
void rmc_groups_type_se(const rmc_result *r, rmc_group_rate *g, size_t n);

/* The market-wide figures of r (all.se_rep as rmc_groups_type_se). Never
 * fails. */
void rmc_groups_market(const rmc_result *r, rmc_market_rates *out);

/* Couples' outcomes from a result file and its model (couples.csv, and
 * programs.csv's x_region / x_city columns when synth wrote them): per
 * couple p[0] P(both partners matched), p[1] P(both matched in one city),
 * p[2] P(both matched in one region), p[3] P(exactly one matched), each
 * from the partners' choice histograms (a partner's column is the couple's
 * joint-list entry), with binomial SEs; mean[] averages them over couples,
 * se[] treating couples as independent (the approximation of --by).
 * Without location columns p[1] and p[2] are 0 and have_location false. */
typedef struct rmc_couple_rate {
    size_t a, b; /* the partners' applicant rows */
    double p[4], se[4];
} rmc_couple_rate;

typedef struct rmc_couples_rates {
    size_t n;
    rmc_couple_rate *couple; /* [n] in couples.csv order */
    double mean[4], se[4];
    bool have_location;
} rmc_couples_rates;

/* From r's own per-couple datasets when it has them (r->has_couple_places:
 * the engine's counts; model_dir is then not read and may be NULL). Else
 * load model_dir (it must be r's model: same applicants and programs in
 * the same order, else RMC_EINPUT; NULL: RMC_EUSAGE) and compute its
 * couples' rates from the fixed lists and the x_region / x_city columns.
 * RMC_ENOMEM, RMC_EIO. Free with rmc_couples_rates_free. */
rmc_status rmc_couples_rates_compute(const char *model_dir, const rmc_result *r,
                                     rmc_couples_rates **out, rmc_diag *d);
void rmc_couples_rates_free(rmc_couples_rates *c);

#ifdef __cplusplus
}
#endif
#endif
