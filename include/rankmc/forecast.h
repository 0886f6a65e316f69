/* One applicant's forecast (docs/forecast.md): the applicant of a profile
 * (rankmc/profile.h) placed into K synthetic markets (or one model folder),
 * each described program taking the place of the most similar synthetic
 * program; P(match) and every program's P(matched here) with the Monte
 * Carlo SE, the between-market spread and a combined 95% interval; P(ranked),
 * list positions and the largest meeting factor per program; what-ifs with
 * common random numbers and the list-length curve.
 *
 * Two methods. Fast: each replicate runs the market's own Match with the
 * applicant left out of it (but present at every meeting) and records each of
 * the applicant's programs' admission cutoff (its lowest-ranked matched
 * applicant, or an open seat); the applicant matches at the first program on
 * their list whose meeting ranked them above that cutoff (Azevedo & Leshno's
 * cutoff view of stable matchings, where one applicant does not move the
 * cutoffs). What-ifs then re-run only the applicant's own meetings. Exact:
 * the applicant is inserted and the whole Match is re-run each replicate.
 *
 * A couple (a profile with [partner]): both partners are placed, each in
 * their own specialty; fast: both are left out of the Match and the couple
 * takes the first pair of its joint list whose programs' cutoffs admit both
 * (a pair at one program also needs two seats there); exact: the couple is
 * inserted with its joint list and the couples procedure re-run. The joint
 * chances (both matched, one city, one region, exactly one, neither) come
 * beside each partner's own P(match) and programs. No what-ifs for couples.
 */
#ifndef RANKMC_FORECAST_H
#define RANKMC_FORECAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rankmc/meeting.h"
#include "rankmc/model.h"
#include "rankmc/profile.h"
#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called after each market's engine runs with markets done and the total. */
typedef void (*rmc_forecast_progress_fn)(void *ctx, size_t done, size_t total);

typedef struct rmc_forecast_options {
    const char *market;   /* a synth preset ("nrmp2025"), "PRESET:SCALE", or a model folder */
    size_t n_markets;     /* K independent synthetic markets (a model folder: 1) */
    uint64_t replicates;  /* N per market */
    uint64_t seed;        /* engine seed; market k is synthesised with seed
                             rmc_forecast_market_seed(seed, k) */
    int threads;          /* engine threads; 0 = all */
    bool fast;            /* run the fast method (cutoffs) */
    bool exact;           /* run the exact method (the whole Match with the applicant) */
    bool what_ifs;        /* what-ifs and the list-length curve (fast method only) */
    const char *work_dir; /* an existing folder for the markets' files (removed again) */
    rmc_forecast_progress_fn progress; /* may be NULL */
    void *progress_ctx;
    const volatile int *stop; /* nonzero: stop at the next batch; RMC_EINTERRUPTED */
} rmc_forecast_options;

/* Defaults: nrmp2025, K = 8, N = 100, seed 1, all threads, fast with
 * what-ifs, no exact, no work folder (it must be set). */
void rmc_forecast_options_default(rmc_forecast_options *o);

/* The synth seed of market k for engine seed s (a fixed 64-bit mix of both,
 * so markets differ between seeds and between k). */
uint64_t rmc_forecast_market_seed(uint64_t seed, size_t k);

/* A probability estimated in K markets of N replicates each. */
typedef struct rmc_forecast_stat {
    double p;      /* mean over the markets */
    double se_mc;  /* Monte Carlo SE of p: sqrt(sum_k v_k) / K, v_k = p~(1 - p~) / N with
                      p~ = (x + 1) / (N + 2) (never 0 for a market at 0 or 1) */
    double spread; /* between-market SD net of Monte Carlo noise:
                      sqrt(max(0, var_k(p_k) - mean_k v_k)); 0 when K = 1 */
    double se;     /* combined SE of p: sqrt(var_k(p_k) / K), at least se_mc */
    double lo, hi; /* 95% interval for this applicant's P in one more market like these:
                      p -/+ t(0.975, K - 1) sqrt(spread^2 (1 + 1/K) + se_mc^2), clipped to
                      [0, 1]; with K = 1 the Wilson interval of the one market */
} rmc_forecast_stat;

/* One of the applicant's programs, in the profile's (rank) order. */
typedef struct rmc_forecast_program {
    char name[96];              /* the profile's name */
    char replaced[64];          /* id of the synthetic program it took the place of (market 0) */
    rmc_forecast_stat p_here;   /* P(matched here) */
    rmc_forecast_stat p_ranked; /* P(ranked by its meeting) */
    double pos_median, pos_p10, pos_p90; /* 1-based final list position when ranked; NaN never */
    int list_length;                     /* median length of the program's list (ranked names) */
    int top_factor;         /* rmc_factor of the largest mean |move| when ranked; -1 none */
    double top_factor_move; /* that mean move, spots (positive = up) */
} rmc_forecast_program;

/* A what-if for this applicant (fast method, common random numbers). */
typedef struct rmc_forecast_whatif {
    char desc[112];         /* e.g. "communication 0.70 -> 1.00" */
    double p;               /* P(match) with the change, mean over markets */
    double dp;              /* its change from the forecast */
    double dp_se;           /* paired Monte Carlo SE of dp */
    double dp_spread;       /* between-market SD of the per-market changes (net of MC noise) */
    int32_t n_gain, n_loss; /* replicates unmatched -> matched, matched -> unmatched */
} rmc_forecast_whatif;

/* One method's results. */
typedef struct rmc_forecast_method {
    bool done;
    rmc_forecast_stat p_match;
    double *p_match_market;         /* [K] P(match) in each market */
    double *p_here_market;          /* [K][L] P(matched here) in each market */
    rmc_forecast_program *programs; /* [L] */
    double sim_seconds;             /* engine time over all markets */
} rmc_forecast_method;

/* A couple's joint outcomes, in this order. */
typedef enum {
    RMC_FORECAST_BOTH,        /* both partners matched */
    RMC_FORECAST_SAME_CITY,   /* both matched, at programs of one city (the profile's) */
    RMC_FORECAST_SAME_REGION, /* both matched, at programs of one region */
    RMC_FORECAST_ONE,         /* exactly one partner matched */
    RMC_FORECAST_NEITHER,     /* neither matched */
    RMC_FORECAST_N_JOINT
} rmc_forecast_joint_outcome;

/* "both", "same_city", "same_region", "one", "neither". */
const char *rmc_forecast_joint_name(rmc_forecast_joint_outcome o);

/* One method's joint results for a couple. */
typedef struct rmc_forecast_joint {
    bool done;
    rmc_forecast_stat p[RMC_FORECAST_N_JOINT];
    uint32_t *count;      /* [K][RMC_FORECAST_N_JOINT] replicates with each outcome, by market
                             (both + one + neither = N in every market) */
    int16_t *entry;       /* [K * N] the joint-list entry the couple matched at, -1 neither */
    uint64_t unconverged; /* exact: replicates whose couples procedure did not converge (their
                             matching is kept, as by rankmc run) */
} rmc_forecast_joint;

typedef struct rmc_forecast_result {
    size_t n_markets, n_programs; /* K, L */
    uint64_t replicates, seed;
    int threads;
    char market[256]; /* as given */
    char rng_name[32];
    double pre_score;         /* the applicant's pre_score (market 0's [step2_ck] mapping) */
    size_t market_applicants; /* market 0 with the applicant: applicants, programs, interviews */
    size_t market_programs, market_interviews;
    char market_sha256[65]; /* market 0 with the applicant */
    uint64_t *market_seeds; /* [K] synth seeds (0 for a model folder) */
    rmc_forecast_method fast, exact;
    uint64_t compared;            /* replicates run by both methods */
    uint64_t disagreements;       /* of those, replicates whose outcome (program or unmatched)
                                     differs between the methods */
    rmc_forecast_whatif *whatifs; /* [n_whatifs], sorted by dp, largest first */
    size_t n_whatifs;
    rmc_forecast_stat *curve; /* [L] P(match) ranking only the top k = 1 .. L programs */
    /* A couple (profile with [partner]); otherwise couple is false and the
     * rest zero. fast / exact above are then the applicant's own results
     * under the couple's outcome, partner_fast / partner_exact the partner's. */
    bool couple;
    size_t n_partner_programs; /* LB */
    double partner_pre_score;
    rmc_forecast_method partner_fast, partner_exact;
    rmc_forecast_joint joint_fast, joint_exact;
    size_t n_joint;       /* entries of the joint list */
    int16_t *joint_a;     /* [n_joint] the applicant's program (0-based, profile order), -1 */
    int16_t *joint_b;     /* [n_joint] the partner's */
    double build_seconds; /* synthesising, placing and loading the markets */
    double eval_seconds;  /* the applicant's own meetings (both methods, what-ifs) */
    double wall_seconds;
} rmc_forecast_result;

/* Run the forecast of profile pf as o says. Profile problems that depend on
 * the market (an unknown specialty, more programs than the specialty has)
 * go to problems as FILE:LINE (RMC_EINPUT); a market that cannot take the
 * applicant (fixed ROLs or couples in it) is RMC_EINPUT with d. RMC_EUSAGE
 * for bad options, RMC_EINTERRUPTED when o->stop was raised, the engine's
 * and loader's statuses. Bit-identical for any thread count. Caller owns
 * *out; rmc_forecast_result_free. */
rmc_status rmc_forecast_run(const rmc_profile_file *pf, const rmc_forecast_options *o,
                            rmc_problems *problems, rmc_forecast_result **out, rmc_diag *d);
void rmc_forecast_result_free(rmc_forecast_result *r);

/* Write r to path under /forecast (docs/output.md) with the usual root
 * attributes; temp file then rename; RMC_EEXIST without force. */
rmc_status rmc_forecast_write(const char *path, bool force, const rmc_forecast_result *r,
                              const char *command_line, rmc_diag *d);

#ifdef __cplusplus
}
#endif
#endif
