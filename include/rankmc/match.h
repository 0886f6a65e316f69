/* The Match: deferred acceptance with capacities (Gale-Shapley; Roth and
 * Peranson 1999 for the NRMP's version), applicant- or program-proposing,
 * and an independent stability checker.
 *
 * Input is "edge" form, the shape a replicate produces: applicant i's rank
 * order list is entries app_off[i] .. app_off[i+1]-1 in preference order;
 * entry e names a program, choice_prog[e], and the rank that program gave
 * the applicant, choice_rank[e] (0 = top of its list), or RMC_RANK_NONE when
 * the program did not rank them (then they can never match there). A program
 * ranks each applicant at most once; ranks within one program are distinct.
 * All arrays are borrowed for the length of the call.
 */
#ifndef RANKMC_MATCH_H
#define RANKMC_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rankmc/model.h"
#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RMC_RANK_NONE ((int32_t)-1)

typedef enum { RMC_PROPOSE_APPLICANTS, RMC_PROPOSE_PROGRAMS } rmc_proposing;

typedef struct rmc_match_input {
    size_t n_app;              /* applicants */
    size_t n_prog;             /* programs */
    const int32_t *capacity;   /* [n_prog], >= 0 */
    const size_t *app_off;     /* [n_app + 1], app_off[0] == 0 */
    const rmc_id *choice_prog; /* [app_off[n_app]] program of each entry */
    const int32_t
        *choice_rank; /* [app_off[n_app]] program's rank of the applicant, or RMC_RANK_NONE */
    /* Couples (Roth-Peranson): couple c is applicants couple_a[c], couple_b[c];
     * its joint list is entries crol_off[c] .. crol_off[c+1]-1, each a pair of
     * programs (RMC_ID_NONE: that member unmatched is acceptable) with the
     * programs' ranks of each member. Members' own app_off rows are ignored.
     * n_couples == 0 and NULL arrays for a market without couples. */
    size_t n_couples;
    const rmc_id *couple_a, *couple_b;
    const size_t *crol_off;
    const rmc_id *crol_pa, *crol_pb;
    const int32_t *crol_rank_a, *crol_rank_b;
    /* Supplemental lists (NRMP; docs/match.md): entry e of a single's list
     * names the list serving it, choice_supp[e] (an index below n_sup), or
     * -1; list s is entries sup_off[s] .. sup_off[s+1]-1 in preference
     * order, PGY-1 programs sup_prog[] with each program's rank of the
     * list's applicant sup_rank[] (or RMC_RANK_NONE). A list serves entries
     * of one applicant only. While the applicant holds an entry's program
     * it holds the first program of the entry's list that takes it, or
     * none ("partially matched"). n_sup == 0 and NULL arrays: none; couple
     * members' entries are ignored with their rows. */
    size_t n_sup;
    const int32_t *choice_supp;
    const size_t *sup_off;
    const rmc_id *sup_prog;
    const int32_t *sup_rank;
    /* Reversions: up to rev_positions[r] (>= 0) positions that program
     * rev_donor[r] leaves unfilled move to rev_receiver[r] (docs/match.md:
     * after a stable matching, then matched again, until none moves).
     * n_rev == 0 and NULL arrays: none. */
    size_t n_rev;
    const rmc_id *rev_donor, *rev_receiver;
    const int32_t *rev_positions;
} rmc_match_input;

typedef struct rmc_match_result {
    rmc_id *app_prog;    /* [n_app] matched program, or RMC_ID_NONE; caller-owned */
    int32_t *app_choice; /* [n_app] 0-based position of that program in the applicant's
                            list (couples: in the couple's joint list), or -1; caller-owned */
    int32_t *fill;       /* [n_prog] seats filled; caller-owned */
    size_t n_proposals;  /* proposals made (applicant-proposing: sum of choice ranks + ...) */
    bool converged;      /* false only when the couples procedure cycled or hit its bound on
                            its last attempt */
    size_t n_restarts;   /* couples procedure: restarts it took (0: the first attempt ended) */
    /* Supplemental lists and reversions (caller-owned; each may be NULL when
     * not wanted). app_prog stays the program matched from the primary list. */
    rmc_id *app_pgy1;        /* [n_app] PGY-1 program from a supplemental list, or RMC_ID_NONE */
    int32_t *capacity_final; /* [n_prog] capacities after reversions (fill is against these) */
    int32_t *rev_moved;      /* [n_rev] positions each reversion moved */
    size_t n_reverted;       /* positions moved by reversions in all */
} rmc_match_result;

/* Default bound on the couples procedure's restarts (the model parameter
 * match.couples_restarts). */
#define RMC_MATCH_DEFAULT_RESTARTS 20

typedef struct rmc_match_ws rmc_match_ws;

/* Scratch for matches of up to n_app applicants, n_prog programs,
 * n_entries list entries and n_seats total capacity. Allocated once and
 * reused for every replicate; rmc_match_run allocates nothing. Caller owns
 * the result. RMC_ENOMEM. */
rmc_status rmc_match_ws_alloc(size_t n_app, size_t n_prog, size_t n_entries, size_t n_seats,
                              rmc_match_ws **out);
void rmc_match_ws_free(rmc_match_ws *w);

/* Compute the applicant-optimal (RMC_PROPOSE_APPLICANTS) or program-optimal
 * stable matching of `in` into `res`. With couples (which need
 * RMC_PROPOSE_APPLICANTS) it runs the couples procedure (docs/match.md):
 * each attempt at most max_rounds scan rounds (0: 100000, the default of
 * the model parameter match.couples_max_rounds), stopping sooner when its
 * state repeats, since it would then never converge; an attempt that does
 * not converge is restarted, up to max_restarts times, with the couples in
 * another order (and, after a cycle, one cycling couple starting lower on
 * its joint list), drawn from restart_seed: pass a word of the replicate's
 * own random stream, so the result depends on the replicate alone.
 * res->n_restarts says how many it took. Returns RMC_OK, or
 * RMC_NOT_CONVERGED (an outcome: res holds the last attempt's matching,
 * consistent but possibly unstable, res->converged is false), or
 * RMC_EUSAGE when `in` exceeds the sizes the workspace was made for or is
 * malformed. Without couples max_rounds, max_restarts and restart_seed are
 * ignored. Thread safety: one workspace per thread. */
rmc_status rmc_match_run_restarts(rmc_match_ws *w, const rmc_match_input *in, rmc_proposing side,
                                  size_t max_rounds, size_t max_restarts, uint64_t restart_seed,
                                  rmc_match_result *res, rmc_diag *d);

/* rmc_match_run_restarts with RMC_MATCH_DEFAULT_RESTARTS restarts drawn
 * from restart seed 0. */
rmc_status rmc_match_run(rmc_match_ws *w, const rmc_match_input *in, rmc_proposing side,
                         size_t max_rounds, rmc_match_result *res, rmc_diag *d);

/* Independent check that app_prog is a stable matching of `in`: every match
 * is mutually acceptable, no program over capacity, no blocking pair (and
 * couples placed consistently). RMC_OK or RMC_EINTERNAL with the first
 * violation described in d (RMC_ENOMEM; RMC_EUSAGE for malformed couples).
 * Allocates O(n_app + n_prog) scratch; not for the hot path unless
 * --check-stability asks for it. */
rmc_status rmc_match_check(const rmc_match_input *in, const rmc_id *app_prog, rmc_diag *d);

/* A Match's outcome as the checker reads it: app_prog [n_app]; app_pgy1
 * [n_app] (NULL: nobody holds a supplemental PGY-1); capacity [n_prog]
 * after reversions (NULL: in->capacity); rev_moved [n_rev] (NULL: none
 * moved). Borrowed. */
typedef struct rmc_match_outcome {
    const rmc_id *app_prog;
    const rmc_id *app_pgy1;
    const int32_t *capacity;
    const int32_t *rev_moved;
} rmc_match_outcome;

/* rmc_match_check with supplemental lists and reversions (docs/match.md,
 * "Stability with supplemental lists and reversions"): placements
 * acceptable, capacities the initial ones moved by rev_moved within each
 * reversion's quota and no reversion left with quota while its donor has
 * an unfilled position, no program over its final capacity, and no single,
 * applicant with supplemental lists or couple blocking. RMC_OK,
 * RMC_EINTERNAL with the first violation, RMC_ENOMEM, RMC_EUSAGE. */
rmc_status rmc_match_check_outcome(const rmc_match_input *in, const rmc_match_outcome *o,
                                   rmc_diag *d);

/* The same, listing every violation as rmc_match_check_list does. */
rmc_status rmc_match_check_outcome_list(const rmc_match_input *in, const rmc_match_outcome *o,
                                        const char *const *app_ids, const char *const *prog_ids,
                                        rmc_problems *out, rmc_diag *d);

/* What rmc_match_check_outcome finds in a matching, counted instead of
 * reported: placements, capacities and reversions that break the rules
 * (`other`), and the agents that block, each once (a single, an applicant
 * with supplemental lists, a couple: each at its best blocking program,
 * bundle or pair). All zero exactly when the matching is stable. */
typedef struct rmc_match_violations {
    size_t other;
    size_t singles;
    size_t sup;
    size_t couples;
} rmc_match_violations;

/* Count every violation of o into *out (no messages: cheap enough for a
 * replicate). RMC_OK whether or not the matching is stable; RMC_ENOMEM,
 * RMC_EUSAGE as rmc_match_check_list. */
rmc_status rmc_match_check_count(const rmc_match_input *in, const rmc_match_outcome *o,
                                 rmc_match_violations *out, rmc_diag *d);

/* The same check, listing every violation in `out` instead of stopping at
 * the first: each misplaced applicant or couple, each program over
 * capacity, and for each single and couple that blocks its best blocking
 * program or pair. Messages name applicants and programs by index and, when
 * app_ids / prog_ids are given, by id. RMC_OK whether or not the matching
 * is stable (rmc_problems_count(out) is 0 when it is); RMC_ENOMEM,
 * RMC_EUSAGE (malformed couples, a program out of range, out NULL). */
rmc_status rmc_match_check_list(const rmc_match_input *in, const rmc_id *app_prog,
                                const char *const *app_ids, const char *const *prog_ids,
                                rmc_problems *out, rmc_diag *d);

/* Check app_prog (n_applicants entries, RMC_ID_NONE for unmatched) against
 * the model's fixed lists as rmc_match_fixed reads them (`rankmc verify`),
 * listing every violation in `out` as rmc_match_check_list does, by id.
 * RMC_OK whether stable or not; RMC_EINPUT when no applicant or no program
 * has a fixed list; RMC_ENOMEM. */
rmc_status rmc_match_fixed_verify(const rmc_model *m, const rmc_id *app_prog, rmc_problems *out,
                                  rmc_diag *d);

/* One Match on the model's fixed rank order lists (applicant_rols.csv and
 * program_rols.csv; `rankmc match`). Program j ranks applicant i at i's
 * 0-based position in j's fixed list; applicants without a fixed list rank
 * nothing and programs without one rank nobody, so both stay unmatched.
 * Couples (couples.csv) propose their joint lists, max_rounds bounding each
 * attempt as in rmc_match_run_restarts, with the model's
 * match.couples_restarts restarts drawn from seed 0 (programs-proposing with couples:
 * RMC_EUSAGE). res->app_prog and res->app_choice must hold n_applicants
 * entries and res->fill n_programs (caller-owned); app_pgy1,
 * capacity_final and rev_moved are filled when given. Supplemental lists
 * and reversions of the model take part. With check_stability a converged
 * result is verified by rmc_match_check_outcome (RMC_EINTERNAL if not).
 * RMC_OK, RMC_NOT_CONVERGED (res holds the last matching); RMC_EINPUT when
 * no applicant or no program has a fixed list; RMC_ENOMEM. Allocates its
 * own scratch. */
rmc_status rmc_match_fixed(const rmc_model *m, rmc_proposing side, size_t max_rounds,
                           bool check_stability, rmc_match_result *res, rmc_diag *d);

#ifdef __cplusplus
}
#endif
#endif
