/* SOAP, the Supplemental Offer and Acceptance Program that follows the
 * Main Residency Match (docs/soap.md has the rules and their sources).
 *
 * Two layers:
 *   rmc_soap_rounds  the offer rounds on given lists: each program with r
 *                    places left offers them to the next r still-unplaced
 *                    names of its preference list it has not offered
 *                    before; each applicant with offers accepts the one it
 *                    prefers (binding) unless it declines the round; a
 *                    declined offer is never repeated. Deterministic.
 *   rmc_soap_run     one replicate's SOAP on a model: who is eligible,
 *                    where each applicant applies, each program's
 *                    preference list over its applicants, then the rounds.
 *                    Every draw comes from the stream (seed, replicate,
 *                    RMC_STREAM_SOAP, applicant), so the result does not
 *                    depend on the thread that runs it.
 * Neither allocates: the workspace is made once (per thread). Programs'
 * tracks (rmc_track) are the model's.
 */
#ifndef RANKMC_SOAP_H
#define RANKMC_SOAP_H

#include <stddef.h>
#include <stdint.h>

#include "rankmc/model.h"
#include "rankmc/rng.h"
#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One offer, for tests and diagnostics. */
typedef struct rmc_soap_offer {
    int32_t round;    /* 1-based */
    rmc_id program;   /* who offered */
    rmc_id applicant; /* to whom */
    int32_t accepted; /* 1 when the applicant took this one */
} rmc_soap_offer;

/* The rounds' inputs (borrowed). Applicant a's applications, most
 * preferred first: app_prog[app_off[a] .. app_off[a+1]) (distinct
 * programs). Program j's preference list, best first:
 * prog_app[prog_off[j] .. prog_off[j+1]) (distinct applicants who applied
 * there). */
typedef struct rmc_soap_lists {
    size_t n_app, n_prog;
    int32_t rounds;           /* 1 .. 64 */
    const size_t *app_off;    /* [n_app + 1] */
    const rmc_id *app_prog;   /* [app_off[n_app]] */
    const size_t *prog_off;   /* [n_prog + 1] */
    const rmc_id *prog_app;   /* [prog_off[n_prog]] */
    const int32_t *places;    /* [n_prog] places to fill, >= 0 */
    const uint64_t *declines; /* [n_app] bit t-1 set: a declines every offer of round t; or NULL */
    const size_t *prog_end;   /* [n_prog] where each list ends (<= prog_off[j+1]); NULL: at
                                 prog_off[j+1] */
} rmc_soap_lists;

/* Workspace for rmc_soap_rounds over up to n_app applicants and n_prog
 * programs. Caller owns it. RMC_ENOMEM. */
typedef struct rmc_soap_rounds_ws rmc_soap_rounds_ws;
rmc_status rmc_soap_rounds_ws_alloc(size_t n_app, size_t n_prog, rmc_soap_rounds_ws **out,
                                    rmc_diag *d);
void rmc_soap_rounds_ws_free(rmc_soap_rounds_ws *w);

/* Run the rounds. placed[a] = program applicant a accepted, or RMC_ID_NONE;
 * round_of[a] (may be NULL) = its 1-based round, 0 when not placed. With
 * log != NULL, the first log_cap offers go to log[] in the order made
 * (rounds; programs in index order; down each list) and *n_log gets the
 * number of offers made. Returns the applicants placed. */
size_t rmc_soap_rounds(const rmc_soap_lists *L, rmc_soap_rounds_ws *w, rmc_id *placed,
                       int32_t *round_of, rmc_soap_offer *log, size_t log_cap, size_t *n_log);

/* One replicate's post-Match state (borrowed). */
typedef struct rmc_soap_state {
    const rmc_id *app_prog;  /* [n_app] Main-Match program (partially matched: the advanced
                                one), or RMC_ID_NONE */
    const uint8_t *partial;  /* [n_app] 1 = partially matched (an advanced place, no PGY-1);
                                NULL = nobody */
    const int32_t *capacity; /* [n_prog] positions after reversions; NULL = the model's */
    const int32_t *fill;     /* [n_prog] positions filled by the Match */
    const int32_t *rank;     /* [n_iv] the meetings' final list positions, RMC_RANK_NONE when
                                not ranked */
    const uint8_t *skip;     /* [n_app] 1 = takes no part (left out of the run); NULL = none */
} rmc_soap_state;

/* One replicate's SOAP outcome (caller's arrays). */
typedef struct rmc_soap_result {
    rmc_id *soap_prog;   /* [n_app] program placed at in SOAP, or RMC_ID_NONE */
    int32_t *fill_after; /* [n_prog] fill after SOAP */
    size_t n_eligible;   /* SOAP-eligible applicants */
    size_t n_places;     /* places offered in SOAP (unfilled after the Match) */
    size_t n_placed;     /* applicants placed */
} rmc_soap_result;

typedef struct rmc_soap_ws rmc_soap_ws;

/* Workspace for rmc_soap_run on m with p's soap.applications. Caller owns
 * it. RMC_ENOMEM. */
rmc_status rmc_soap_ws_alloc(const rmc_model *m, const rmc_params *p, rmc_soap_ws **out,
                             rmc_diag *d);
void rmc_soap_ws_free(rmc_soap_ws *w);

/* SOAP of replicate r (draws from (seed, r, RMC_STREAM_SOAP, applicant) on
 * rng). Leaves the Main-Match state alone. w must be made for m and a
 * soap.applications no smaller than p's. */
void rmc_soap_run(const rmc_model *m, const rmc_params *p, const rmc_soap_state *s, rmc_rng *rng,
                  uint64_t seed, uint64_t r, rmc_soap_ws *w, rmc_soap_result *out);

/* For tests: order only the first `head` names of each program's list
 * before the rounds (0: whole lists; the default is 8 x rounds x places +
 * 32). Whatever the head, the result is the same. */
void rmc_soap_ws_set_head(rmc_soap_ws *w, size_t head);

/* For tests: the workspace's applicant stamp counter (which marks the
 * programs an applicant has drawn; every stamp is cleared when it wraps
 * past UINT32_MAX), to make it wrap within a replicate. The result is the
 * same whatever it is. */
void rmc_soap_ws_set_stamp(rmc_soap_ws *w, uint32_t stamp);

/* Applicant a's applications in w's last rmc_soap_run, most preferred
 * first (borrowed; *n of them, 0 when a did not take part). For tests and
 * diagnostics. */
const rmc_id *rmc_soap_ws_applications(const rmc_soap_ws *w, size_t a, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
