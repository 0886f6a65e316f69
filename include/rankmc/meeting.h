/* One replicate's rank meetings (DESIGN 2) and applicants' generated rank
 * order lists (DESIGN 3).
 *
 * Each program's interview scores draw from its own stream (seed, replicate,
 * RMC_STREAM_MEETING, program), the discussion of each name from its
 * interview's stream (seed, replicate, RMC_STREAM_INTERVIEW, interview), so
 * a what-if on one applicant leaves every other name's draws alone; each
 * applicant's ROL comes from (seed,
 * replicate, RMC_STREAM_PREFERENCES, applicant); the interview-day effects
 * shared by an applicant's interviews come from (seed, replicate,
 * RMC_STREAM_APPLICANT, 0). So a replicate's lists do not depend on the
 * order programs are processed in, nor on the thread.
 *
 * Parameters are passed separately from the model so sensitivity analyses
 * can run variants without copying the model.
 */
#ifndef RANKMC_MEETING_H
#define RANKMC_MEETING_H

#include <stddef.h>
#include <stdint.h>

#include "rankmc/model.h"
#include "rankmc/rng.h"
#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The meeting factors whose moves are reported in /interviews/mean_move.
 * Values index that dataset's columns: append only. */
typedef enum {
    RMC_FACTOR_RESIDENTS,     /* resident feedback */
    RMC_FACTOR_ADVOCACY,      /* insider advocacy (a chief's tier jump included) */
    RMC_FACTOR_COMMUNICATION, /* communication concern removed / present (IMGs) */
    RMC_FACTOR_SERVICE,       /* service readiness */
    RMC_FACTOR_FAMILIARITY,   /* US-system familiarity */
    RMC_FACTOR_VISA,          /* visa against the program's sponsorship */
    RMC_FACTOR_COMMITMENT,    /* ties and stated interest */
    RMC_FACTOR_PROFILE,       /* star variance, risky sinking */
    RMC_N_FACTORS
} rmc_factor;

/* "resident_feedback", "advocacy", ... (the names written to the output). */
const char *rmc_factor_name(rmc_factor f);

typedef struct rmc_meeting_ws rmc_meeting_ws;

/* Scratch for any program's meeting and any applicant's ROL in model m,
 * sized once from m's largest program and applicant. It also holds a packed
 * copy of m's per-applicant and per-interview meeting inputs (about 32 bytes
 * an applicant and 8 an interview), so use it with m only, and m must not
 * change while it lives. Caller owns it; one per thread. RMC_ENOMEM. */
rmc_status rmc_meeting_ws_alloc(const rmc_model *m, rmc_meeting_ws **out, rmc_diag *d);
void rmc_meeting_ws_free(rmc_meeting_ws *w);

/* Draw the per-replicate applicant effects (interview-day effect u_a) into
 * day[0 .. n_applicants). */
void rmc_meeting_draw_applicants(const rmc_model *m, const rmc_params *p, rmc_rng *r, uint64_t seed,
                                 uint64_t replicate, double *day);

/* Program j's rank meeting in one replicate. For each interview k of program
 * j writes rank[k] = final 0-based list position, or RMC_RANK_NONE (-1) when
 * the applicant is not ranked, and moves[k * RMC_N_FACTORS + f] = spots the
 * name moved for factor f (positive = up, on this program's list, i.e. after
 * scaling by n_p / reference_list). Other entries of rank and moves are left
 * alone. A program with a fixed ROL (program_rols.csv) takes that list and
 * moves nothing. Allocates nothing. */
void rmc_meeting_run(const rmc_model *m, const rmc_params *p, size_t j, const double *day,
                     rmc_rng *r, uint64_t seed, uint64_t replicate, rmc_meeting_ws *w,
                     int32_t *rank, float *moves);

/* Applicant i's ROL in one replicate: interview indices in preference order
 * written to rol[0 .. n), n returned (n <= i's interview count). A fixed ROL
 * (applicant_rols.csv) is copied; otherwise U = desirability + beta_ties *
 * ties + eta, sorted descending, truncated to preferences.max_length.
 * Allocates nothing. */
size_t rmc_prefs_generate(const rmc_model *m, const rmc_params *p, size_t i, rmc_rng *r,
                          uint64_t seed, uint64_t replicate, rmc_meeting_ws *w, rmc_id *rol);

/* What `rankmc calibrate` prints: the meeting's moves against the
 * calibration targets of DESIGN 2, measured over n replicates of every
 * program's meeting (no Match). Moves are in spots on a reference list of
 * meeting.reference_list names (each list's moves divided by its scale). */
typedef struct rmc_meeting_calibration {
    size_t replicates;                      /* n */
    size_t n_programs, n_interviews;        /* the model's (fixed-ROL programs included) */
    int reference_list, tiers;              /* meeting.reference_list and meeting.tiers used */
    size_t n_level[RMC_N_ADVOCACY];         /* discussed, ranked names by advocacy level */
    double advocacy_median[RMC_N_ADVOCACY]; /* median advocacy move, reference spots (0.01 bins) */
    double chief_tiers_median;              /* median tiers that a chief's advocacy alone moves
                                             * a name (names below the top chief_tiers tiers) */
    double chief_tier_change_mean;          /* mean (initial tier - final tier) of chief names
                                             * below the top tiers, every factor included */
    size_t n_img;                           /* IMG (US_IMG and IMG) interviews seen */
    double img_up_mean[RMC_N_FACTORS];      /* mean positive move per IMG interview, ref. spots */
    double img_split[5];                    /* shares of the IMG upward move: residents, advocacy,
                                             * communication, service, visa (sum 1) */
    /* The article's chart as a frequency: among IMG names (discussed, ranked)
     * that moved up (a total move of at least 5 reference spots, the
     * article's smallest named move), which factor's move was the largest
     * upward one. */
    size_t n_img_up;            /* such names */
    double img_reason[5];       /* residents, advocacy, communication, service, visa: share of the
                                 * names whose largest upward move is one of the five (sum 1) */
    double img_reason_other;    /* share of n_img_up whose largest upward move is another factor
                                 * (familiarity, commitment, profile) */
    size_t n_service;           /* names with a service statement (service move != 0) */
    double service_median;      /* its median, reference spots (0.01 bins) */
    double service_in_band;     /* share of those in [service.spots_min, spots_max] */
    size_t n_flight;            /* names below the bottom tier's reach with a flight-risk drop */
    double flight_tiers_median; /* median tiers the flight-risk statement drops a name */
} rmc_meeting_calibration;

/* Run every program's meeting in n replicates (streams as in a run with this
 * seed) and fill *out. p NULL means the model's own parameters. Allocates
 * its own scratch; not for the hot path. RMC_EUSAGE when n is 0,
 * RMC_ENOMEM. */
rmc_status rmc_meeting_calibrate(const rmc_model *m, const rmc_params *p, size_t n, uint64_t seed,
                                 rmc_meeting_calibration *out, rmc_diag *d);

#ifdef __cplusplus
}
#endif
#endif
