/* Where to apply (docs/apply.md): the applications that raise one
 * applicant's P(match) most, by simulation. The applicant of a profile
 * (rankmc/profile.h; only its [applicant] section is needed) is placed in K
 * synthetic markets as in rankmc/forecast.h, with an interview at every
 * candidate program; each replicate then draws, for every candidate, the
 * visa screen and the program's offer score from the synth offer model
 * (docs/synth.md steps 5-6) against that program's offer cutoff in the
 * market, the applicant's interview cap, and, from the market's meetings
 * and Match (the forecast's fast cutoff method), whether the program would
 * rank the applicant above its Match cutoff. A portfolio's outcome in a
 * replicate follows from those draws: offers from the programs applied to,
 * the most desirable `cap` of them attended, matched at the most desirable
 * attended program that admits. So every portfolio is compared on the same
 * random numbers. A greedy optimiser adds, one at a time, the application
 * with the largest gain (chosen on selection replicates, reported on
 * independent evaluation replicates), against three baselines.
 */
#ifndef RANKMC_APPLY_H
#define RANKMC_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rankmc/forecast.h"
#include "rankmc/profile.h"
#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rmc_apply_options {
    const char *market;          /* a synth preset or "PRESET:SCALE" (a model folder has no
                                    offer model: RMC_EUSAGE) */
    size_t n_markets;            /* K */
    uint64_t replicates;         /* N evaluation replicates per market (and N more to select on) */
    uint64_t seed;               /* as rmc_forecast_options.seed */
    int threads;                 /* engine threads; 0 = all */
    size_t max_applications;     /* M: length of the recommended order (<= candidates) */
    double cost_per_application; /* USD per application, for the cost column (0: none) */
    const char *candidates;      /* NULL, or a file of market-0 program ids, one a line */
    double min_quantile;         /* only candidates at or above this desirability quantile of the
                                    specialty in market 0 (0: all; < 1) */
    rmc_setting setting;         /* only candidates of this setting (RMC_SETTING_ANY: all) */
    bool what_ifs;               /* also the what-ifs (docs/apply.md; each costs the applicant's
                                    offers and meetings once more) */
    const char *work_dir;        /* an existing folder for the markets' files (removed again) */
    rmc_forecast_progress_fn progress; /* may be NULL */
    void *progress_ctx;
    const volatile int *stop; /* nonzero: stop at the next batch; RMC_EINTERRUPTED */
} rmc_apply_options;

/* Defaults: nrmp2025, K = 4, N = 100, seed 1, all threads, M = 40, no
 * cost, all of the specialty's programs, no work folder (it must be set). */
void rmc_apply_options_default(rmc_apply_options *o);

/* A candidate program (market 0's description; in market k the most
 * similar program takes its place, docs/forecast.md). */
typedef struct rmc_apply_candidate {
    char id[64];   /* market 0's program id (or the profile's program name) */
    char name[96]; /* market 0's program name */
    int32_t positions;
    int sponsors; /* rmc_sponsors */
    double desirability;
    double offer_cutoff;       /* market 0: the program's offer cutoff (-HUGE_VAL: a slot open) */
    rmc_forecast_stat p_offer; /* P(interview offer | applied), evaluation replicates */
    rmc_forecast_stat p_alone; /* P(matched there if it were the only application): an offer
                                  and ranked above its Match cutoff */
} rmc_apply_candidate;

/* Step k of the recommended order. */
typedef struct rmc_apply_step {
    size_t cand;               /* candidate added */
    double gain;               /* its marginal gain in P(match) */
    double gain_se;            /* paired Monte Carlo SE of the gain */
    rmc_forecast_stat p_match; /* P(match) with the first k applications */
    double interviews;         /* expected interviews attended with them */
} rmc_apply_step;

enum { RMC_APPLY_RANDOM, RMC_APPLY_DESIRABLE, RMC_APPLY_SPONSORING, RMC_APPLY_N_BASELINES };

/* A baseline at every k = 1..M, and the optimiser minus it (paired). */
typedef struct rmc_apply_baseline {
    char name[32];              /* "random", "most_desirable", "visa_sponsoring" */
    rmc_forecast_stat *p_match; /* [M] */
    double *diff, *diff_se;     /* [M] optimiser - baseline, paired Monte Carlo SE */
    size_t available;           /* candidates the baseline may choose from */
} rmc_apply_baseline;

/* Per-replicate draws of R replicates and C candidates: offer[r*C + c] (an
 * interview offer if applied), admit[r*C + c] (ranked above its Match
 * cutoff: matched there if it is the best attended program that admits;
 * drawn only where an offer was made, else 0), cap[r], and pref[c], the candidate's
 * rank in the applicant's preference (0 = most desirable). */
typedef struct rmc_apply_draws {
    size_t R, C;
    const uint8_t *offer, *admit;
    const int32_t *cap;
    const int32_t *pref;
} rmc_apply_draws;

/* A what-if: one change to the applicant, the same random numbers. */
typedef struct rmc_apply_whatif {
    char desc[112];
    double p_list, dp_list, dp_list_se;    /* P(match) of the recommended M applications with
                                              the change; change from the recommendation;
                                              paired SE */
    double p_reopt, dp_reopt, dp_reopt_se; /* the same for M applications chosen anew with it */
    size_t overlap;                        /* programs both lists of M share */
} rmc_apply_whatif;

typedef struct rmc_apply_result {
    size_t n_markets, n_candidates, n_steps; /* K, C, M */
    uint64_t replicates, seed;
    int threads;
    char market[256];
    char rng_name[32];
    double pre_score;
    char group[16];                  /* the synth group the applicant's offers are drawn for */
    char market_sha256[65];          /* market 0 with the applicant */
    uint64_t *market_seeds;          /* [K] */
    rmc_apply_candidate *candidates; /* [C] */
    rmc_apply_step *steps;           /* [M] */
    rmc_apply_baseline baselines[RMC_APPLY_N_BASELINES];
    size_t diminishing_k; /* smallest k whose next five applications add < 1 point (0: none
                             within M) */
    double cost_per_application;
    rmc_apply_whatif *whatifs; /* [n_whatifs], largest dp_reopt first */
    size_t n_whatifs;
    rmc_apply_draws draws; /* every replicate's draws, owned: rows k*N + r (evaluation, market
                              k), then K*N + k*N + r (selection) */
    double build_seconds, sim_seconds, eval_seconds, optimise_seconds, wall_seconds;
} rmc_apply_result;

/* Run it. Profile problems against the market (unknown specialty, an
 * unknown candidate id at FILE:LINE, no candidate that sponsors the
 * applicant's visa) go to problems (RMC_EINPUT). RMC_EUSAGE for bad
 * options. Bit-identical for any thread count. rmc_apply_result_free. */
rmc_status rmc_apply_run(const rmc_profile_file *pf, const rmc_apply_options *o,
                         rmc_problems *problems, rmc_apply_result **out, rmc_diag *d);
void rmc_apply_result_free(rmc_apply_result *r);

/* Write r to path under /apply (docs/output.md); RMC_EEXIST without force. */
rmc_status rmc_apply_write(const char *path, bool force, const rmc_apply_result *r,
                           const char *command_line, rmc_diag *d);

/* ---- the core, exposed for tests ---- */

/* Replicate r's outcome for the portfolio set[0..n): 1 matched, 0 not;
 * *attended (may be NULL) gets the interviews attended. */
int rmc_apply_outcome(const rmc_apply_draws *dr, size_t r, const size_t *set, size_t n,
                      int32_t *attended);

/* Greedy order of M applications on replicates [r0, r1): order[0..M) gets
 * the candidates, each the one adding most matched replicates (ties to the
 * lower index). RMC_ENOMEM. */
rmc_status rmc_apply_greedy(const rmc_apply_draws *dr, size_t r0, size_t r1, size_t M,
                            size_t *order, rmc_diag *d);

#ifdef __cplusplus
}
#endif
#endif
