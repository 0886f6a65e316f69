/* The Monte Carlo engine: OpenMP replicates of meeting -> ROLs -> Match ->
 * accumulate (DESIGN 5; see rankmc/sim.h).
 *
 * Data layout. Each thread owns a thread_ws (64-byte aligned, allocated
 * before the first batch): its generator, meeting and match workspaces, the
 * replicate's rank / ROL / match-input arrays, a partial accumulator
 * without the rank histogram or move sums, and the batch's move sums in
 * int32, in program order (model iv_by_prog): the meetings add each name's
 * moves there as they make them (rmc_meeting_run_sums), a program's rows
 * side by side, and the sums are folded into the total's int64 sums
 * (interview order) with the rank columns after each batch (half the
 * memory and memory traffic of int64 sums). The one rank histogram
 * ([interviews][bins+1] uint32, the largest table of a national run) is
 * shared and never written inside the replicate loop: each replicate writes
 * its interviews' histogram columns into its own row of a uint16 batch
 * buffer [RMC_SIM_BATCH][interviews]; after the batch, threads fold the
 * buffer into the histogram over disjoint interview ranges (each row fetched
 * once per batch rather than once per replicate). So memory does
 * not grow with the thread count by a whole rank histogram per thread.
 *
 * Groups. A thread takes up to SIM_GROUP replicates of a batch at once and
 * runs their rank meetings program by program, so a program's inputs and its
 * rows of the move sums are fetched once for the group, not once a
 * replicate (each replicate has its own interview-day and rank arrays);
 * then each replicate's lists, Match and accumulation in turn.
 *
 * Batches. Replicates run in batches of RMC_SIM_BATCH (fixed, whatever the
 * thread count), ending at multiples of it counted from replicate 0;
 * between batches the caller sees progress, --until-se is tested, and at
 * checkpoint times the threads' partials are folded into the totals and
 * handed to the caller. One process stops between groups: the threads
 * take a batch's groups in order and take no more once the stop flag
 * is up, so the replicates done are always the first ones (ranks stop at
 * a round's boundary). A resumed run starts from such totals and meets the
 * same batch boundaries, so it ends with the same bits as an uninterrupted
 * one.
 *
 * Determinism. Replicate r's draws come only from streams (seed, r, ...);
 * the tables are integers (moves in fixed point, accum.h), merged by
 * addition; a failure is reported for the lowest replicate index of the
 * first failing batch, and every replicate of a batch runs (unless a stop
 * ends it, after the first ones), so the report does not depend on
 * scheduling either.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "accum_int.h"
#include "internal.h"
#include "joint_int.h"
#include "meeting_int.h"
#include "model_int.h"
#include "rankmc/meeting.h"
#include "rankmc/rng.h"
#include "rankmc/sim.h"
#include "rankmc/soap.h"
#include "together_int.h"

/* Interviews per work item when folding a batch into the rank histogram. */
#define FOLD_BLOCK 2048

/* Replicates a thread takes at once (fewer at a batch's end, run_batch):
 * their rank meetings run program by program, each program's meetings one
 * replicate after another, so the program's inputs, its applicants' rows
 * and its rows of the move sums come from memory once for all of them
 * (bench/RESULTS.md); then each replicate's lists, Match and accumulation
 * in turn. Only the speed depends on it: every replicate's draws are its
 * own and the tables are sums. */
#define SIM_GROUP 4

void rmc_sim_options_default(rmc_sim_options *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->replicates = 1000;
    o->proposing = RMC_PROPOSE_APPLICANTS;
}

/* One thread's scratch. */
typedef struct thread_ws {
    rmc_rng *rng;
    rmc_meeting_ws *mw;
    rmc_match_ws *xw;
    rmc_accum *acc;            /* partial totals, no rank histogram */
    double *day[SIM_GROUP];    /* [n_app] interview-day effects, one array a replicate */
    int32_t *ranks[SIM_GROUP]; /* [n_iv] final list positions, the same */
    int32_t *rank;             /* the replicate whose lists and Match run: one of ranks */
    int32_t *move_sum;         /* [n_iv * RMC_N_FACTORS] this batch's moves, fixed point (accum.h),
                                  program order (row e: interview iv_by_prog[e]) */
    rmc_id *rol;               /* [longest applicant interview list] */
    size_t *app_off;           /* [n_app + 1] match input rows */
    rmc_id *choice_prog;       /* [n_iv] */
    int32_t *choice_rank;      /* [n_iv] */
    rmc_id *choice_iv;         /* [n_iv] interview behind each entry */
    int32_t *crol_rank_a;      /* [couple list entries] */
    int32_t *crol_rank_b;      /* [couple list entries] */
    uint8_t *couple_out; /* [n_couples] this replicate's outcome bits (rmc_accum_add_couples) */
    /* generated joint lists (couple_plan; only when the model has such couples):
     * the partners' entries and utilities, then every couple's list this replicate */
    rmc_id *cm_iv;            /* [plan mem_off[2C]] */
    double *cm_u;             /* [same] */
    size_t *cm_n;             /* [2C] entries of each partner */
    double *cm_scratch;       /* [longest interview list] */
    size_t *jl_off;           /* [C + 1] */
    rmc_id *jl_pa, *jl_pb;    /* [plan n_rows] */
    rmc_id *jl_iva, *jl_ivb;  /* [plan n_rows] */
    int32_t *jl_place[4];     /* [plan max_member]: region a, city a, region b, city b */
    rmc_joint_item *jl_items; /* [plan max_scratch] */
    rmc_joint_entry *jl_out;  /* [plan max_bound] */
    rmc_id *app_prog;         /* [n_app] match result */
    int32_t *app_choice;      /* [n_app] */
    rmc_id *app_iv;           /* [n_app] */
    int32_t *fill;            /* [n_prog] */
    /* tracks (sim_ctx.tracks only): supplemental lists, PGY-1s, reversions */
    int32_t *choice_supp; /* [n_iv] list serving each entry, or -1 */
    size_t *sup_off;      /* [n_app + 1] the replicate's lists */
    rmc_id *sup_prog;     /* [n_iv] */
    int32_t *sup_rank;    /* [n_iv] */
    size_t n_sup;         /* lists this replicate */
    rmc_id *app_pgy1;     /* [n_app] */
    int32_t *cap_final;   /* [n_prog] */
    int32_t *rev_moved;   /* [n_rev] */
    uint8_t *partial;     /* [n_app] */
    size_t n_reverted;    /* this replicate */
    rmc_soap_ws *sw;      /* SOAP workspace, NULL when SOAP is off */
    rmc_id *soap_prog;    /* [n_app] SOAP placements */
    int32_t *soap_fill;   /* [n_prog] fill after SOAP */
    uint8_t *soap_skip;   /* [n_app] applicants left out (o->exclude), or NULL */
    int64_t fail_rep;     /* lowest failing replicate this batch, or -1 */
    rmc_status fail_st;   /* its status */
    rmc_diag fail_diag;   /* its details */
    /* seconds per phase (time_phases only) */
    double phase[RMC_SIM_N_PHASES];
} thread_ws;

/* Couples whose joint list is generated each replicate (model.ini
 * [couples]; joint_int.h has the rules): room for each partner's entries
 * and each couple's list. */
typedef struct couple_plan {
    rmc_joint_rules rules;
    size_t *mem_off;    /* [2C + 1]: partner 2c (a) and 2c + 1 (b); generated couples only */
    size_t *row_off;    /* [C + 1]: room of each couple's list (fixed: its row) */
    size_t max_member;  /* most entries of one partner */
    size_t max_scratch; /* most builder scratch items of one couple */
    size_t max_bound;   /* longest generated list */
} couple_plan;

/* What every replicate reads (shared, read-only inside the loop). */
typedef struct sim_ctx {
    const rmc_model *m;
    const rmc_params *p;
    const rmc_sim_options *o;
    const rmc_accum_dims *dims;
    size_t n_crol;         /* entries in all couples' joint lists */
    size_t max_app_iv;     /* longest applicant interview list */
    bool tracks;           /* advanced programs or reversions: supplemental lists, PGY-1s */
    bool soap;             /* run SOAP after the Match */
    bool narrow;           /* rank histogram columns fit a byte: the batch buffer is uint8 */
    int64_t *spill;        /* where the threads' int32 move sums spill (rmc_meeting_run_sums):
                              the total's int64 move sums, or sim_run.spill (deferred rounds) */
    const couple_plan *cp; /* NULL unless the model has couples with generated lists */
} sim_ctx;

/* A batch row: n_iv columns, then padding so rows do not share cache lines. */
static size_t batch_stride(const sim_ctx *c)
{
    return c->m->n_iv + (c->narrow ? 64 : 32);
}

static bool couple_generated(const rmc_model *m, size_t c)
{
    return m->couple_gen != NULL && m->couple_gen[c] != 0;
}

/* Entries partner i brings to a generated joint list: their ROL's. */
static size_t member_len(const rmc_model *m, const rmc_params *p, size_t i)
{
    if (m->has_app_rol != NULL && m->has_app_rol[i]) {
        return m->arol_off[i + 1] - m->arol_off[i];
    }
    const size_t n = m->app_off[i + 1] - m->app_off[i];
    const size_t max_len = (size_t)p->preferences_max_length;
    return max_len > 0 && max_len < n ? max_len : n;
}

static rmc_joint_rules couple_rules(const rmc_params *p)
{
    return (rmc_joint_rules){p->couples_pairs, (size_t)p->couples_max_entries,
                             (size_t)p->couples_unmatched_options, p->couples_keep_unmatched != 0};
}

/* The longest list couple c can submit. */
static size_t couple_len(const rmc_model *m, const rmc_params *p, size_t c)
{
    if (!couple_generated(m, c)) {
        return m->crol_off[c + 1] - m->crol_off[c];
    }
    const rmc_joint_rules r = couple_rules(p);
    return rmc_joint_bound(&r, member_len(m, p, (size_t)m->couple_a[c]),
                           member_len(m, p, (size_t)m->couple_b[c]));
}

/* Does the model have advanced programs or reversions (docs/match.md)? */
static bool has_tracks(const rmc_model *m)
{
    for (size_t j = 0; j < m->n_prog; j++) {
        if (rmc_model_track_of(m, j) == RMC_TRACK_ADVANCED) {
            return true;
        }
    }
    return m->n_rev > 0;
}

static size_t max_row(const size_t *off, size_t n)
{
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        const size_t len = off[i + 1] - off[i];
        best = len > best ? len : best;
    }
    return best;
}

/* Longest ROL an applicant (or couple) can submit. */
static size_t longest_rol(const rmc_model *m, const rmc_params *p)
{
    size_t best = 0;
    for (size_t c = 0; c < m->n_couples; c++) {
        const size_t len = couple_len(m, p, c);
        best = len > best ? len : best;
    }
    for (size_t i = 0; i < m->n_app; i++) {
        size_t len = m->app_off[i + 1] - m->app_off[i];
        if (m->has_app_rol != NULL && m->has_app_rol[i]) {
            len = m->arol_off[i + 1] - m->arol_off[i];
        } else if (p->preferences_max_length > 0 && len > (size_t)p->preferences_max_length) {
            len = (size_t)p->preferences_max_length;
        }
        best = len > best ? len : best;
    }
    return best;
}

/* Longest list rmc_prefs_generate can write: interviews or a fixed ROL. */
static size_t longest_interview_list(const rmc_model *m)
{
    const size_t a = max_row(m->app_off, m->n_app);
    const size_t b = m->arol_off != NULL ? max_row(m->arol_off, m->n_app) : 0;
    return a > b ? a : b;
}

/* The largest capacity a program can have: its positions plus the quotas
 * of the reversions into it (a reverted position never moves back). */
static size_t largest_capacity(const rmc_model *m)
{
    size_t best = 0;
    for (size_t j = 0; j < m->n_prog; j++) {
        size_t c = (size_t)m->positions[j];
        for (size_t r = 0; r < m->n_rev; r++) {
            c += m->rev_receiver[r] == (rmc_id)j ? (size_t)m->rev_positions[r] : 0;
        }
        best = c > best ? c : best;
    }
    return best;
}

/* Bytes of one thread's couples arrays: ranks (8 per list entry), and with
 * generated lists the lists themselves (16 more) and the partners' entries
 * (12 each). */
static double couple_bytes(const rmc_model *m, const rmc_params *p)
{
    double bytes = (double)m->n_couples;
    for (size_t c = 0; c < m->n_couples; c++) {
        bytes += 8.0 * (double)couple_len(m, p, c);
        if (couple_generated(m, c)) {
            bytes += 16.0 * (double)couple_len(m, p, c) +
                     12.0 * (double)(member_len(m, p, (size_t)m->couple_a[c]) +
                                     member_len(m, p, (size_t)m->couple_b[c]));
        }
    }
    return bytes;
}

/* Rough bytes of one thread's workspace with its partial accumulator (which
 * has no move sums: the thread's int32 sums, 4 bytes a move, stand in).
 * Meeting and match workspaces are opaque; they are budgeted at 16 bytes
 * per interview, applicant and program. Measured at national scale (peak
 * RSS at 2 threads minus 1, release build, Dec 2026): the categorical
 * market without SOAP 68 MiB per thread against this estimate's 68 MiB;
 * the default market with tracks and SOAP 112 MiB against 144 MiB (SOAP's
 * application arrays are counted for every applicant, but only the pages
 * of a replicate's candidates become resident). Both before the float
 * moves buffer went (Dec 2026; 32 bytes an interview, 17.5 MiB at national
 * scale, out of the estimate and the process alike). */
static double thread_bytes(const rmc_model *m, const rmc_params *p, const rmc_accum_dims *dm,
                           double couple_bytes, bool soap)
{
    const double a = (double)m->n_app, iv = (double)m->n_iv, pr = (double)m->n_prog;
    /* SOAP: per application 3 words of 8 bytes and 2 of 4, per applicant
     * and program a few more (src/soap.c) */
    const double soap_bytes =
        soap ? a * (double)p->soap_applications * 32.0 + 48.0 * a + 96.0 * pr : 0.0;
    return soap_bytes + SIM_GROUP * (8.0 * a + 4.0 * iv) + iv * 12.0 + 8.0 * (a + 1) +
           couple_bytes + 16.0 * a + 4.0 * pr + 16.0 * (iv + a + pr) +
           (double)rmc_accum_bytes(dm, false) - 4.0 * iv * RMC_N_FACTORS + 4096.0;
}

static int resolve_threads(const rmc_sim_options *o)
{
    int nt = o->threads > 0 ? o->threads : omp_get_max_threads();
    if (nt > RMC_SIM_BATCH) {
        nt = RMC_SIM_BATCH; /* more threads than replicates per batch would idle */
    }
    return nt < 1 ? 1 : nt;
}

static rmc_status limit_error(rmc_diag *d, double total, double hist, double per_thread, int nt,
                              size_t limit)
{
    const double mib = 1024.0 * 1024.0;
    return RMC_FAIL(d, RMC_ELIMIT,
                    "this run needs about %.0f MiB (rank histogram %.0f MiB, %.0f MiB per thread x "
                    "%d threads), more than the limit of %.0f MiB; use --rank-bins to group list "
                    "positions, fewer threads (-t), or raise --max-memory",
                    total / mib, hist / mib, per_thread / mib, nt, (double)limit / mib);
}

/* A checkpoint's shape, if it fits the model (everything but the bins). */
static rmc_status resume_dims(rmc_accum_dims *dims, const rmc_accum_dims *rd, rmc_diag *d)
{
    if (rd->n_app != dims->n_app || rd->n_prog != dims->n_prog || rd->n_iv != dims->n_iv ||
        rd->n_factors != dims->n_factors || rd->max_list != dims->max_list ||
        rd->choice_len != dims->choice_len || rd->max_positions != dims->max_positions ||
        rd->tracks != dims->tracks || rd->n_couples != dims->n_couples) {
        return RMC_FAIL(d, RMC_EUSAGE, "the checkpoint does not fit this model");
    }
    *dims = *rd;
    return RMC_OK;
}

rmc_status rmc_sim_plan(const rmc_model *m, const rmc_params *p, const rmc_sim_options *o,
                        rmc_accum_dims *dims, size_t *bytes, rmc_diag *d)
{
    const size_t limit = o->max_memory > 0 ? o->max_memory : RMC_SIM_DEFAULT_MAX_MEMORY;
    memset(dims, 0, sizeof *dims);
    dims->n_app = m->n_app;
    dims->n_prog = m->n_prog;
    dims->n_iv = m->n_iv;
    dims->n_factors = RMC_N_FACTORS;
    dims->choice_len = longest_rol(m, p);
    dims->max_positions = largest_capacity(m);
    dims->tracks = has_tracks(m) ? 1 : 0;
    dims->n_couples = m->n_couples;
    const size_t max_list = max_row(m->prog_off, m->n_prog);
    size_t bins = o->rank_bins;
    if (bins == 0) {
        /* Automatic: full resolution unless the histogram would take more
         * than a quarter of the limit (the rest is for the threads); never
         * depends on the thread count, so neither does the file's shape. */
        const double row = 4.0 * (double)(m->n_iv > 0 ? m->n_iv : 1);
        const double fit = floor((double)limit / 4.0 / row) - 1.0;
        bins = (double)max_list + 1.0 > fit + 1.0 ? (size_t)(fit < 1.0 ? 1.0 : fit) : 0;
    }
    if ((bins == 0 && max_list >= UINT16_MAX) || bins >= UINT16_MAX) {
        bins = UINT16_MAX - 1;
    }
    rmc_accum_dims_bin(dims, max_list, bins);
    if (o->resume != NULL) {
        RMC_TRY(resume_dims(dims, rmc_accum_get_dims(o->resume), d));
    }
    const int nt = resolve_threads(o);
    const double hist = (double)rmc_accum_bytes(dims, true) - (double)rmc_accum_bytes(dims, false);
    const bool soap = p->soap_enabled != 0 && !o->skip_soap;
    const double per_thread = thread_bytes(m, p, dims, couple_bytes(m, p), soap);
    const double batch = (dims->rank_bins + 1 <= UINT8_MAX + 1 ? 1.0 : 2.0) * RMC_SIM_BATCH *
                         (double)m->n_iv; /* the batch buffer: one or two bytes a column */
    /* ranks with --until-se: the round's counts and spilled moves apart */
    const int size = rmc_dist_size(o->dist);
    const double deferred = size > 1 && o->until_se > 0.0
                                ? (double)(m->n_app + m->n_iv) * (12.0 + 4.0 * size) +
                                      8.0 * RMC_N_FACTORS * (double)m->n_iv
                                : 0.0;
    const double total =
        hist + batch + deferred + (double)rmc_accum_bytes(dims, false) + per_thread * nt;
    *bytes = total >= (double)SIZE_MAX ? SIZE_MAX : (size_t)total;
    if (total > (double)limit) {
        return limit_error(d, total, hist, per_thread, nt, limit);
    }
    return RMC_OK;
}

static void thread_ws_free(thread_ws *w)
{
    if (w == NULL) {
        return;
    }
    rmc_free(w->soap_skip);
    rmc_free(w->soap_fill);
    rmc_free(w->soap_prog);
    rmc_soap_ws_free(w->sw);
    rmc_free(w->fill);
    rmc_free(w->choice_supp);
    rmc_free(w->sup_off);
    rmc_free(w->sup_prog);
    rmc_free(w->sup_rank);
    rmc_free(w->app_pgy1);
    rmc_free(w->cap_final);
    rmc_free(w->rev_moved);
    rmc_free(w->partial);
    rmc_free(w->app_iv);
    rmc_free(w->app_choice);
    rmc_free(w->app_prog);
    rmc_free(w->crol_rank_b);
    rmc_free(w->crol_rank_a);
    rmc_free(w->couple_out);
    rmc_free(w->cm_iv);
    rmc_free(w->cm_u);
    rmc_free(w->cm_n);
    rmc_free(w->cm_scratch);
    rmc_free(w->jl_off);
    rmc_free(w->jl_pa);
    rmc_free(w->jl_pb);
    rmc_free(w->jl_iva);
    rmc_free(w->jl_ivb);
    for (int q = 0; q < 4; q++) {
        rmc_free(w->jl_place[q]);
    }
    rmc_free(w->jl_items);
    rmc_free(w->jl_out);
    rmc_free(w->choice_iv);
    rmc_free(w->choice_rank);
    rmc_free(w->choice_prog);
    rmc_free(w->app_off);
    rmc_free(w->rol);
    rmc_free(w->move_sum);
    for (int q = 0; q < SIM_GROUP; q++) {
        rmc_free(w->ranks[q]);
        rmc_free(w->day[q]);
    }
    rmc_accum_free(w->acc);
    rmc_match_ws_free(w->xw);
    rmc_meeting_ws_free(w->mw);
    rmc_rng_free(w->rng);
    rmc_free(w);
}

/* The generated joint lists' arrays (couple_plan). */
static rmc_status thread_ws_joint(thread_ws *w, const sim_ctx *c, rmc_diag *d)
{
    const rmc_model *m = c->m;
    const couple_plan *cp = c->cp;
    const size_t C = m->n_couples, nm = cp->mem_off[2 * C];
    RMC_TRY(rmc_alloc_aligned((void **)&w->cm_iv, nm, sizeof *w->cm_iv, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->cm_u, nm, sizeof *w->cm_u, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->cm_n, 2 * C, sizeof *w->cm_n, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->cm_scratch, c->max_app_iv, sizeof *w->cm_scratch, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->jl_off, C + 1, sizeof *w->jl_off, d));
    rmc_id **const rows[] = {&w->jl_pa, &w->jl_pb, &w->jl_iva, &w->jl_ivb};
    for (int q = 0; q < 4; q++) {
        RMC_TRY(rmc_alloc_aligned((void **)rows[q], c->n_crol, sizeof(rmc_id), d));
        RMC_TRY(rmc_alloc_aligned((void **)&w->jl_place[q], cp->max_member, sizeof(int32_t), d));
    }
    RMC_TRY(rmc_alloc_aligned((void **)&w->jl_items, cp->max_scratch, sizeof *w->jl_items, d));
    return rmc_alloc_aligned((void **)&w->jl_out, cp->max_bound, sizeof *w->jl_out, d);
}

static rmc_status thread_ws_arrays(thread_ws *w, const sim_ctx *c, rmc_diag *d)
{
    const rmc_model *m = c->m;
    for (int q = 0; q < SIM_GROUP; q++) {
        RMC_TRY(rmc_alloc_aligned((void **)&w->day[q], m->n_app, sizeof *w->day[q], d));
        RMC_TRY(rmc_alloc_aligned((void **)&w->ranks[q], m->n_iv, sizeof *w->ranks[q], d));
    }
    w->rank = w->ranks[0];
    RMC_TRY(
        rmc_alloc_aligned((void **)&w->move_sum, m->n_iv * RMC_N_FACTORS, sizeof *w->move_sum, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->rol, c->max_app_iv, sizeof *w->rol, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->app_off, m->n_app + 1, sizeof *w->app_off, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->choice_prog, m->n_iv, sizeof *w->choice_prog, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->choice_rank, m->n_iv, sizeof *w->choice_rank, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->choice_iv, m->n_iv, sizeof *w->choice_iv, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->crol_rank_a, c->n_crol, sizeof *w->crol_rank_a, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->crol_rank_b, c->n_crol, sizeof *w->crol_rank_b, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->couple_out, m->n_couples, 1, d));
    if (c->cp != NULL) {
        RMC_TRY(thread_ws_joint(w, c, d));
    }
    RMC_TRY(rmc_alloc_aligned((void **)&w->app_prog, m->n_app, sizeof *w->app_prog, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->app_choice, m->n_app, sizeof *w->app_choice, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->app_iv, m->n_app, sizeof *w->app_iv, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->fill, m->n_prog, sizeof *w->fill, d));
    if (c->tracks) {
        RMC_TRY(rmc_alloc_aligned((void **)&w->choice_supp, m->n_iv, sizeof *w->choice_supp, d));
        RMC_TRY(rmc_alloc_aligned((void **)&w->sup_off, m->n_app + 1, sizeof *w->sup_off, d));
        RMC_TRY(rmc_alloc_aligned((void **)&w->sup_prog, m->n_iv, sizeof *w->sup_prog, d));
        RMC_TRY(rmc_alloc_aligned((void **)&w->sup_rank, m->n_iv, sizeof *w->sup_rank, d));
        RMC_TRY(rmc_alloc_aligned((void **)&w->app_pgy1, m->n_app, sizeof *w->app_pgy1, d));
        RMC_TRY(rmc_alloc_aligned((void **)&w->cap_final, m->n_prog, sizeof *w->cap_final, d));
        RMC_TRY(rmc_alloc_aligned((void **)&w->rev_moved, m->n_rev, sizeof *w->rev_moved, d));
        RMC_TRY(rmc_alloc_aligned((void **)&w->partial, m->n_app, sizeof *w->partial, d));
    }
    if (c->soap) {
        RMC_TRY(rmc_soap_ws_alloc(m, c->p, &w->sw, d));
        RMC_TRY(rmc_alloc_aligned((void **)&w->soap_prog, m->n_app, sizeof *w->soap_prog, d));
        RMC_TRY(rmc_alloc_aligned((void **)&w->soap_fill, m->n_prog, sizeof *w->soap_fill, d));
        if (c->o->n_exclude > 0) {
            RMC_TRY(rmc_alloc_aligned((void **)&w->soap_skip, m->n_app, 1, d));
            for (size_t x = 0; x < c->o->n_exclude; x++) {
                w->soap_skip[c->o->exclude[x]] = 1;
            }
        }
    }
    return RMC_OK;
}

static rmc_status thread_ws_alloc(const sim_ctx *c, thread_ws **out, rmc_diag *d)
{
    const rmc_model *m = c->m;
    thread_ws *w = NULL;
    *out = NULL;
    RMC_TRY(rmc_alloc_aligned((void **)&w, 1, sizeof *w, d));
    rmc_status st;
    RMC_TRY_GOTO(st, rmc_rng_alloc(c->o->rng_name, &w->rng, d), fail);
    RMC_TRY_GOTO(st, rmc_meeting_ws_alloc(m, &w->mw, d), fail);
    st = rmc_match_ws_alloc(m->n_app, m->n_prog, m->n_iv, m->n_positions, &w->xw);
    if (st != RMC_OK) {
        st = RMC_FAIL(d, st, "cannot allocate the match workspace");
        goto fail;
    }
    RMC_TRY_GOTO(st, rmc_accum_alloc_partial(c->dims, &w->acc, d), fail);
    RMC_TRY_GOTO(st, thread_ws_arrays(w, c, d), fail);
    w->fail_rep = -1;
    *out = w;
    return RMC_OK;
fail:
    thread_ws_free(w);
    return st;
}

/* Append a supplemental list to the replicate's lists: its index. */
static int32_t open_list(thread_ws *w)
{
    w->sup_off[w->n_sup + 1] = w->sup_off[w->n_sup];
    return (int32_t)w->n_sup++;
}

static void list_push(const rmc_model *m, thread_ws *w, rmc_id k)
{
    const size_t z = w->sup_off[w->n_sup]++;
    w->sup_prog[z] = m->iv_prog[k];
    w->sup_rank[z] = w->rank[k];
}

/* A generated list with tracks (docs/match.md, "Supplemental lists in the
 * engine"): when it names an advanced program, its preliminary programs,
 * in the order drawn, become one supplemental list linked to every
 * advanced entry, and leave the primary list; otherwise it is kept as it
 * is. Returns the primary list's length. */
static size_t split_row(const sim_ctx *c, thread_ws *w, size_t n, size_t off)
{
    const rmc_model *m = c->m;
    bool any_adv = false, any_pre = false;
    for (size_t e = 0; e < n; e++) {
        const uint8_t t = rmc_model_track_of(m, (size_t)m->iv_prog[w->rol[e]]);
        any_adv = any_adv || t == RMC_TRACK_ADVANCED;
        any_pre = any_pre || t == RMC_TRACK_PRELIMINARY;
    }
    const int32_t list = any_adv && any_pre ? open_list(w) : -1;
    size_t len = 0;
    for (size_t e = 0; e < n; e++) {
        const rmc_id k = w->rol[e];
        const uint8_t t = rmc_model_track_of(m, (size_t)m->iv_prog[k]);
        if (list >= 0 && t == RMC_TRACK_PRELIMINARY) {
            list_push(m, w, k);
            continue;
        }
        w->choice_prog[off + len] = m->iv_prog[k];
        w->choice_rank[off + len] = w->rank[k];
        w->choice_iv[off + len] = k;
        w->choice_supp[off + len] = t == RMC_TRACK_ADVANCED ? list : -1;
        len++;
    }
    return len;
}

/* A fixed list with the model's supplemental lists (applicant_rols.csv's
 * supplemental column): each list named is copied once, with this
 * replicate's ranks. */
static size_t fixed_row_tracks(const sim_ctx *c, thread_ws *w, size_t i, size_t n, size_t off)
{
    const rmc_model *m = c->m;
    rmc_id model_list[16];
    int32_t local[16];
    size_t n_lists = 0;
    for (size_t e = 0; e < n; e++) {
        const rmc_id k = w->rol[e];
        const rmc_id l = m->arol_sup != NULL ? m->arol_sup[m->arol_off[i] + e] : RMC_ID_NONE;
        int32_t list = -1;
        for (size_t x = 0; x < n_lists && l != RMC_ID_NONE; x++) {
            list = model_list[x] == l ? local[x] : list;
        }
        if (l != RMC_ID_NONE && list < 0) {
            RMC_ASSERT(n_lists < 16);
            list = open_list(w);
            for (size_t z = m->sup_off[l]; z < m->sup_off[l + 1]; z++) {
                list_push(m, w, m->sup_iv[z]);
            }
            model_list[n_lists] = l;
            local[n_lists++] = list;
        }
        w->choice_prog[off + e] = m->iv_prog[k];
        w->choice_rank[off + e] = w->rank[k];
        w->choice_iv[off + e] = k;
        w->choice_supp[off + e] = list;
    }
    return n;
}

/* Applicant i's row of the match input: its ROL's interviews in order, each
 * with the program and the rank that program's meeting gave it. Couple
 * members get an empty row (their joint list is used instead). */
static size_t fill_applicant_row(const sim_ctx *c, thread_ws *w, uint64_t r, size_t i, size_t off)
{
    const rmc_model *m = c->m;
    if (m->couple_of != NULL && m->couple_of[i] != RMC_ID_NONE) {
        const size_t cpl = (size_t)m->couple_of[i];
        if (couple_generated(m, cpl)) { /* the partner's entries, in applicant order */
            const size_t slot = 2 * cpl + (m->couple_a[cpl] == (rmc_id)i ? 0 : 1);
            const size_t at = c->cp->mem_off[slot];
            w->cm_n[slot] = rmc_prefs_utilities(m, c->p, i, w->rng, c->o->seed, r, w->mw,
                                                w->cm_iv + at, w->cm_u + at, w->cm_scratch);
            RMC_ASSERT(w->cm_n[slot] <= c->cp->mem_off[slot + 1] - at);
        }
        return 0;
    }
    for (size_t x = 0; x < c->o->n_exclude; x++) {
        if (c->o->exclude[x] == (rmc_id)i) {
            return 0;
        }
    }
    const size_t n = rmc_prefs_generate(m, c->p, i, w->rng, c->o->seed, r, w->mw, w->rol);
    RMC_ASSERT(n <= c->max_app_iv);
    if (c->tracks) {
        return m->has_app_rol[i] ? fixed_row_tracks(c, w, i, n, off) : split_row(c, w, n, off);
    }
    for (size_t e = 0; e < n; e++) {
        const rmc_id k = w->rol[e];
        w->choice_prog[off + e] = m->iv_prog[k];
        w->choice_rank[off + e] = w->rank[k];
        w->choice_iv[off + e] = k;
    }
    return n;
}

static void fill_couple_ranks(const sim_ctx *c, thread_ws *w)
{
    const rmc_model *m = c->m;
    for (size_t e = 0; e < c->n_crol; e++) {
        const rmc_id ka = m->crol_iva[e], kb = m->crol_ivb[e];
        w->crol_rank_a[e] = ka != RMC_ID_NONE ? w->rank[ka] : RMC_RANK_NONE;
        w->crol_rank_b[e] = kb != RMC_ID_NONE ? w->rank[kb] : RMC_RANK_NONE;
    }
}

/* Couple c's generated list this replicate into the replicate's lists at
 * jl_off[c]: the builder's entries (joint_int.h) as programs, interviews
 * and this replicate's ranks. Returns its length. */
static size_t generate_list(const sim_ctx *c, thread_ws *w, size_t cpl)
{
    const rmc_model *m = c->m;
    rmc_joint_member mem[2];
    for (int side = 0; side < 2; side++) {
        const size_t slot = 2 * cpl + (size_t)side, at = c->cp->mem_off[slot];
        int32_t *reg = w->jl_place[2 * side], *city = w->jl_place[2 * side + 1];
        for (size_t x = 0; x < w->cm_n[slot]; x++) {
            const rmc_id j = m->iv_prog[w->cm_iv[at + x]];
            reg[x] = m->prog_region != NULL ? m->prog_region[j] : -1;
            city[x] = m->prog_city != NULL ? m->prog_city[j] : -1;
        }
        mem[side] = (rmc_joint_member){w->cm_n[slot], w->cm_u + at, reg, city};
    }
    const size_t n = rmc_joint_build(&mem[0], &mem[1], &c->cp->rules, w->jl_items, w->jl_out);
    RMC_ASSERT(n <= c->cp->row_off[cpl + 1] - c->cp->row_off[cpl]);
    const size_t at_a = c->cp->mem_off[2 * cpl], at_b = c->cp->mem_off[2 * cpl + 1];
    for (size_t q = 0; q < n; q++) {
        const size_t e = w->jl_off[cpl] + q;
        const rmc_joint_entry x = w->jl_out[q];
        w->jl_iva[e] = x.a >= 0 ? w->cm_iv[at_a + (size_t)x.a] : RMC_ID_NONE;
        w->jl_ivb[e] = x.b >= 0 ? w->cm_iv[at_b + (size_t)x.b] : RMC_ID_NONE;
    }
    return n;
}

/* Every couple's list this replicate (fixed ones copied from the model),
 * with programs and ranks. */
static void build_couple_lists(const sim_ctx *c, thread_ws *w)
{
    const rmc_model *m = c->m;
    w->jl_off[0] = 0;
    for (size_t cpl = 0; cpl < m->n_couples; cpl++) {
        size_t n = 0;
        if (couple_generated(m, cpl)) {
            n = generate_list(c, w, cpl);
        } else {
            n = m->crol_off[cpl + 1] - m->crol_off[cpl];
            for (size_t q = 0; q < n; q++) {
                w->jl_iva[w->jl_off[cpl] + q] = m->crol_iva[m->crol_off[cpl] + q];
                w->jl_ivb[w->jl_off[cpl] + q] = m->crol_ivb[m->crol_off[cpl] + q];
            }
        }
        w->jl_off[cpl + 1] = w->jl_off[cpl] + n;
    }
    for (size_t e = 0; e < w->jl_off[m->n_couples]; e++) {
        const rmc_id ka = w->jl_iva[e], kb = w->jl_ivb[e];
        w->jl_pa[e] = ka != RMC_ID_NONE ? m->iv_prog[ka] : RMC_ID_NONE;
        w->jl_pb[e] = kb != RMC_ID_NONE ? m->iv_prog[kb] : RMC_ID_NONE;
        w->crol_rank_a[e] = ka != RMC_ID_NONE ? w->rank[ka] : RMC_RANK_NONE;
        w->crol_rank_b[e] = kb != RMC_ID_NONE ? w->rank[kb] : RMC_RANK_NONE;
    }
}

static void build_input(const sim_ctx *c, thread_ws *w, uint64_t r, rmc_match_input *in)
{
    const rmc_model *m = c->m;
    w->app_off[0] = 0;
    w->n_sup = 0;
    if (c->tracks) {
        w->sup_off[0] = 0;
    }
    for (size_t i = 0; i < m->n_app; i++) {
        w->app_off[i + 1] = w->app_off[i] + fill_applicant_row(c, w, r, i, w->app_off[i]);
    }
    memset(in, 0, sizeof *in);
    in->n_app = m->n_app;
    in->n_prog = m->n_prog;
    in->capacity = m->positions;
    in->app_off = w->app_off;
    in->choice_prog = w->choice_prog;
    in->choice_rank = w->choice_rank;
    if (m->n_couples > 0 && c->cp != NULL) {
        build_couple_lists(c, w);
        in->n_couples = m->n_couples;
        in->couple_a = m->couple_a;
        in->couple_b = m->couple_b;
        in->crol_off = w->jl_off;
        in->crol_pa = w->jl_pa;
        in->crol_pb = w->jl_pb;
        in->crol_rank_a = w->crol_rank_a;
        in->crol_rank_b = w->crol_rank_b;
    } else if (m->n_couples > 0) {
        fill_couple_ranks(c, w);
        in->n_couples = m->n_couples;
        in->couple_a = m->couple_a;
        in->couple_b = m->couple_b;
        in->crol_off = m->crol_off;
        in->crol_pa = m->crol_pa;
        in->crol_pb = m->crol_pb;
        in->crol_rank_a = w->crol_rank_a;
        in->crol_rank_b = w->crol_rank_b;
    }
    if (c->tracks) {
        in->n_sup = w->n_sup;
        in->choice_supp = w->choice_supp;
        in->sup_off = w->sup_off;
        in->sup_prog = w->sup_prog;
        in->sup_rank = w->sup_rank;
        in->n_rev = m->n_rev;
        in->rev_donor = m->rev_donor;
        in->rev_receiver = m->rev_receiver;
        in->rev_positions = m->rev_positions;
    }
}

/* The interview each matched applicant matched through, or -1. */
static void map_matches(const sim_ctx *c, thread_ws *w)
{
    const rmc_model *m = c->m;
    for (size_t i = 0; i < m->n_app; i++) {
        rmc_id k = RMC_ID_NONE;
        const int32_t ch = w->app_choice[i];
        if (w->app_prog[i] != RMC_ID_NONE) {
            RMC_ASSERT(ch >= 0);
            const rmc_id cp = m->couple_of != NULL ? m->couple_of[i] : RMC_ID_NONE;
            if (cp == RMC_ID_NONE) {
                k = w->choice_iv[w->app_off[i] + (size_t)ch];
            } else if (c->cp != NULL) {
                const size_t e = w->jl_off[cp] + (size_t)ch;
                k = m->couple_a[cp] == (rmc_id)i ? w->jl_iva[e] : w->jl_ivb[e];
            } else {
                const size_t e = m->crol_off[cp] + (size_t)ch;
                k = m->couple_a[cp] == (rmc_id)i ? m->crol_iva[e] : m->crol_ivb[e];
            }
            RMC_ASSERT(k >= 0 && m->iv_prog[k] == w->app_prog[i]);
        }
        w->app_iv[i] = k;
    }
}

static void record_failure(thread_ws *w, uint64_t r, rmc_status st, const rmc_diag *d)
{
    if (w->fail_rep < 0 || (int64_t)r < w->fail_rep) {
        w->fail_rep = (int64_t)r;
        w->fail_st = st;
        w->fail_diag = *d;
    }
}

/* Match replicate r's lists and check the result when asked. False when the
 * replicate failed (recorded in w). */
static bool match_replicate(const sim_ctx *c, thread_ws *w, uint64_t r, const rmc_match_input *in)
{
    rmc_match_result res = {.app_prog = w->app_prog,
                            .app_choice = w->app_choice,
                            .fill = w->fill,
                            .app_pgy1 = w->app_pgy1,
                            .capacity_final = w->cap_final,
                            .rev_moved = w->rev_moved};
    rmc_diag d = {0};
    uint64_t restart_seed = 0;
    if (in->n_couples > 0) { /* the restarts' draws: the replicate's own stream */
        uint32_t words[2];
        rmc_rng_seek(w->rng, c->o->seed, r, RMC_STREAM_MATCH, 0);
        rmc_rng_words(w->rng, words, 2);
        restart_seed = (uint64_t)words[0] << 32 | words[1];
    }
    const rmc_status st =
        rmc_match_run_restarts(w->xw, in, c->o->proposing, (size_t)c->p->match_couples_max_rounds,
                               (size_t)c->p->match_couples_restarts, restart_seed, &res, &d);
    if (st == RMC_OK || st == RMC_NOT_CONVERGED) {
        rmc_accum_count_restarts(w->acc, res.n_restarts, st == RMC_OK);
    }
    if (st == RMC_NOT_CONVERGED) {
        /* Kept and counted, never called unstable: a couples market may
         * have no stable matching at all, and the matcher claims none. */
        rmc_accum_count_unconverged(w->acc, r);
    } else if (st != RMC_OK) {
        record_failure(w, r, st, &d);
        return false;
    }
    w->n_reverted = res.n_reverted;
    /* Without tracks the three arrays are NULL (the workspace is zeroed and
     * they are allocated only with tracks): then the checks read app_prog. */
    const rmc_match_outcome out = {w->app_prog, w->app_pgy1, w->cap_final, w->rev_moved};
    if (c->o->check_stability && st == RMC_NOT_CONVERGED) {
        /* How far from stable: the agents that block it. The matching is
         * consistent (placements, capacities, reversions), else a bug. */
        rmc_match_violations v;
        rmc_status cs = rmc_match_check_count(in, &out, &v, &d);
        if (cs == RMC_OK && v.other > 0) {
            cs = RMC_FAIL(&d, RMC_EINTERNAL,
                          "a non-converged matching breaks %zu placement, capacity or reversion "
                          "rules",
                          v.other);
        }
        if (cs != RMC_OK) {
            record_failure(w, r, cs, &d);
            return false;
        }
        rmc_accum_count_blocking(w->acc, v.singles + v.sup, v.couples);
    }
    if (c->o->check_stability && st == RMC_OK) {
        const rmc_status cs = rmc_match_check_outcome(in, &out, &d);
        if (cs == RMC_EINTERNAL) {
            rmc_accum_count_unstable(w->acc, r);
        } else if (cs != RMC_OK) {
            record_failure(w, r, cs, &d);
            return false;
        }
    }
    return true;
}

/* The focal applicants' outcomes of replicate r into row r of the caller's
 * array: one writer per row, so no two threads share an element. */
static void record_focal(const sim_ctx *c, const thread_ws *w, uint64_t r)
{
    const rmc_sim_options *o = c->o;
    int32_t *row = o->focal_choice + (size_t)r * o->n_focal;
    for (size_t f = 0; f < o->n_focal; f++) {
        const rmc_id i = o->focal[f];
        row[f] = w->app_prog[i] != RMC_ID_NONE ? w->app_choice[i] : -1;
    }
}

/* Each listed program's cutoff in replicate r into row r of the caller's
 * array: the interview of its lowest-ranked matched applicant when full,
 * else RMC_ID_NONE. One writer per row. */
static void record_cutoffs(const sim_ctx *c, const thread_ws *w, uint64_t r)
{
    const rmc_model *m = c->m;
    const rmc_sim_options *o = c->o;
    rmc_id *row = o->cutoff_iv + (size_t)r * o->n_cutoff;
    for (size_t q = 0; q < o->n_cutoff; q++) {
        const size_t j = (size_t)o->cutoff_prog[q];
        rmc_id worst = RMC_ID_NONE;
        int32_t filled = 0;
        for (size_t e = m->prog_off[j]; e < m->prog_off[j + 1]; e++) {
            const rmc_id k = m->iv_by_prog[e];
            if (w->app_iv[m->iv_app[k]] == k) {
                filled++;
                if (worst == RMC_ID_NONE || w->rank[k] > w->rank[worst]) {
                    worst = k;
                }
            }
        }
        row[q] = filled >= m->positions[j] ? worst : RMC_ID_NONE;
    }
}

/* With time_phases: charge the time since *t to phase ph and restart *t. */
static void phase_tick(const sim_ctx *c, thread_ws *w, rmc_sim_phase ph, double *t)
{
    if (c->o->time_phases) {
        const double now = omp_get_wtime();
        w->phase[ph] += now - *t;
        *t = now;
    }
}

/* SOAP after replicate r's Match, into the partial totals. */
static void soap_replicate(const sim_ctx *c, thread_ws *w, uint64_t r)
{
    const rmc_model *m = c->m;
    const rmc_soap_state st = {w->app_prog,
                               c->tracks ? w->partial : NULL,
                               c->tracks ? w->cap_final : NULL,
                               w->fill,
                               w->rank,
                               w->soap_skip};
    rmc_soap_result out = {w->soap_prog, w->soap_fill, 0, 0, 0};
    rmc_soap_run(m, c->p, &st, w->rng, c->o->seed, r, w->sw, &out);
    uint64_t filled = 0, after = 0;
    for (size_t j = 0; j < m->n_prog; j++) {
        filled += (uint64_t)w->fill[j];
        after += (uint64_t)w->soap_fill[j];
    }
    const rmc_accum_soap rec = {w->app_prog,
                                c->tracks ? w->partial : NULL,
                                w->soap_prog,
                                w->soap_fill,
                                {out.n_eligible, out.n_places, out.n_placed, filled, after}};
    rmc_accum_add_soap(w->acc, &rec);
}

/* Each couple's outcome this replicate into the partial totals: both or
 * one matched, and both in one city / region (rmc_couple_outcome). */
static void count_couples(const rmc_model *m, thread_ws *w)
{
    for (size_t k = 0; k < m->n_couples; k++) {
        const rmc_id ja = w->app_prog[m->couple_a[k]], jb = w->app_prog[m->couple_b[k]];
        const int n = (ja != RMC_ID_NONE) + (jb != RMC_ID_NONE);
        unsigned bits = n == 2 ? 1u << RMC_COUPLE_BOTH : n == 1 ? 1u << RMC_COUPLE_ONE : 0u;
        if (n == 2 && m->prog_city != NULL && m->prog_city[ja] >= 0 &&
            m->prog_city[ja] == m->prog_city[jb]) {
            bits |= 1u << RMC_COUPLE_CITY;
        }
        if (n == 2 && m->prog_region != NULL && m->prog_region[ja] >= 0 &&
            m->prog_region[ja] == m->prog_region[jb]) {
            bits |= 1u << RMC_COUPLE_REGION;
        }
        w->couple_out[k] = (uint8_t)bits;
    }
    rmc_accum_add_couples(w->acc, w->couple_out);
}

/* Replicate r after its meetings (its lists in w->rank): its rank
 * histogram columns into cols[0 .. n_iv) (uint8 when c->narrow, else
 * uint16), its ROLs, Match and what is accumulated of it; each phase's
 * time since *t (time_phases) charged as it ends, *t moved on. */
static void after_meetings(const sim_ctx *c, thread_ws *w, uint64_t r, void *cols, double *t)
{
    const rmc_model *m = c->m;
    if (c->narrow) {
        rmc_accum_rank_cols_u8(c->dims, w->rank, m->n_iv, cols);
    } else {
        rmc_accum_rank_cols_u16(c->dims, w->rank, m->n_iv, cols);
    }
    phase_tick(c, w, RMC_SIM_PHASE_ACCUM, t);
    rmc_match_input in;
    build_input(c, w, r, &in);
    phase_tick(c, w, RMC_SIM_PHASE_ROLS, t);
    const bool ok = match_replicate(c, w, r, &in);
    phase_tick(c, w, RMC_SIM_PHASE_MATCH, t);
    if (!ok) {
        return;
    }
    map_matches(c, w);
    if (c->o->focal_choice != NULL) {
        record_focal(c, w, r);
    }
    if (c->o->cutoff_iv != NULL) {
        record_cutoffs(c, w, r);
    }
    const rmc_accum_replicate rep = {w->app_choice, w->app_iv, w->fill, w->rank, NULL, m->iv_prog};
    rmc_accum_add(w->acc, &rep);
    uint64_t by_type[RMC_ACCUM_TYPE_GROUPS] = {0};
    for (size_t i = 0; i < m->n_app; i++) {
        if (w->app_iv[i] >= 0) {
            by_type[m->app_type[i]]++;
            by_type[RMC_N_TYPES]++;
        }
    }
    rmc_accum_count_types(w->acc, by_type);
    if (c->tracks) {
        for (size_t i = 0; i < m->n_app; i++) {
            const rmc_id j = w->app_prog[i];
            w->partial[i] = j != RMC_ID_NONE && w->app_pgy1[i] == RMC_ID_NONE &&
                            rmc_model_track_of(m, (size_t)j) == RMC_TRACK_ADVANCED;
        }
        rmc_accum_count_tracks(w->acc, w->partial, w->cap_final, w->n_reverted);
    }
    if (c->soap) {
        phase_tick(c, w, RMC_SIM_PHASE_ACCUM, t);
        soap_replicate(c, w, r);
        phase_tick(c, w, RMC_SIM_PHASE_SOAP, t);
    }
    if (m->n_couples > 0) {
        count_couples(m, w);
    }
    phase_tick(c, w, RMC_SIM_PHASE_ACCUM, t);
}

/* Replicates r0 .. r0+k-1 (k <= SIM_GROUP), replicate r0+q's rank columns
 * into cols + q * stride bytes: the meetings of all k program by program
 * (SIM_GROUP), then each replicate's lists, Match and accumulation. */
static void run_group(const sim_ctx *c, thread_ws *w, uint64_t r0, size_t k, unsigned char *cols,
                      size_t stride)
{
    const rmc_model *m = c->m;
    const uint64_t seed = c->o->seed;
    RMC_ASSERT(k >= 1 && k <= SIM_GROUP);
    double t = c->o->time_phases ? omp_get_wtime() : 0.0;
    for (size_t q = 0; q < k; q++) {
        rmc_meeting_draw_applicants(m, c->p, w->rng, seed, r0 + q, w->day[q]);
    }
    /* Moves go straight into the thread's int32 sums, folded into the
     * total with the batch's rank columns (a replicate that fails fails
     * the run, so its moves need not wait for its Match). */
    const rmc_move_sums sums = {w->move_sum, c->spill};
    for (size_t j = 0; j < m->n_prog; j++) {
        for (size_t q = 0; q < k; q++) {
            rmc_meeting_run_sums(m, c->p, j, w->day[q], w->rng, seed, r0 + q, w->mw, w->ranks[q],
                                 &sums);
            (void)rmc_together_program(m, c->p, j, w->ranks[q]);
        }
    }
    phase_tick(c, w, RMC_SIM_PHASE_MEETING, &t);
    for (size_t q = 0; q < k; q++) {
        w->rank = w->ranks[q];
        after_meetings(c, w, r0 + q, cols + q * stride, &t);
    }
}

/* Everything a run holds. */
typedef struct sim_run {
    sim_ctx ctx;
    couple_plan cplan; /* ctx.cp points here when the model has generated lists */
    int nt;
    thread_ws **ws;      /* [nt] */
    void *cols;          /* [RMC_SIM_BATCH][batch_stride] uint8 (ctx.narrow) or uint16 */
    int32_t **move_sums; /* [nt] the threads' int32 move sums (thread_ws.move_sum) */
    rmc_accum *total;    /* with the rank histogram: this rank's share (rank 0: with the resume) */
    const rmc_dist *g;
    int rank, size;
    uint64_t start; /* the first replicate run (the checkpoint's count, else 0) */
    /* Ranks and --until-se: each batch's partials are kept apart until the
     * ranks have decided whether the round stops before it. */
    bool defer;
    bool prompt;         /* one process: a stop ends the batch at the replicates already taken */
    uint64_t *unmatched; /* [n_app + n_iv] counts of the batches kept, over all ranks:
                            applicants' unmatched, then interviews' matched */
    uint32_t *mine;      /* [n_app + n_iv] this rank's batch's */
    uint32_t *all;       /* [size][n_app] every rank's */
    int64_t *spill;      /* [n_iv][RMC_N_FACTORS] the round's spilled moves, added to the
                            total's move sums when this rank's batch is kept */
} sim_run;

static void sim_run_free(sim_run *s)
{
    rmc_free(s->cplan.mem_off);
    rmc_free(s->cplan.row_off);
    if (s->ws != NULL) {
        for (int t = 0; t < s->nt; t++) {
            thread_ws_free(s->ws[t]);
        }
    }
    rmc_free((void *)s->ws);
    rmc_free((void *)s->move_sums);
    rmc_free(s->cols);
    rmc_free(s->unmatched);
    rmc_free(s->mine);
    rmc_free(s->all);
    rmc_free(s->spill);
    rmc_accum_free(s->total);
}

static rmc_status sim_run_alloc(sim_run *s, rmc_diag *d)
{
    const rmc_model *m = s->ctx.m;
    RMC_TRY(rmc_accum_alloc(s->ctx.dims, true, &s->total, d));
    s->ctx.spill = s->total->move_sum;
    if (s->ctx.o->resume != NULL && s->rank == 0) {
        RMC_TRY(rmc_accum_merge(s->total, s->ctx.o->resume, d));
    }
    RMC_TRY(rmc_alloc_aligned((void **)&s->cols, (size_t)RMC_SIM_BATCH * batch_stride(&s->ctx),
                              s->ctx.narrow ? 1 : 2, d));
    RMC_TRY(rmc_calloc_array((void **)&s->ws, (size_t)s->nt, sizeof *s->ws, d));
    RMC_TRY(rmc_calloc_array((void **)&s->move_sums, (size_t)s->nt, sizeof *s->move_sums, d));
    for (int t = 0; t < s->nt; t++) {
        RMC_TRY(thread_ws_alloc(&s->ctx, &s->ws[t], d));
        s->move_sums[t] = s->ws[t]->move_sum;
    }
    if (s->defer) {
        const size_t n_app = m->n_app, n = m->n_app + m->n_iv;
        RMC_TRY(rmc_calloc_array((void **)&s->unmatched, n, sizeof *s->unmatched, d));
        RMC_TRY(rmc_calloc_array((void **)&s->mine, n, sizeof *s->mine, d));
        RMC_TRY(rmc_calloc_array((void **)&s->all, n, (size_t)s->size * sizeof *s->all, d));
        RMC_TRY(rmc_calloc_array((void **)&s->spill, m->n_iv * RMC_N_FACTORS, sizeof *s->spill, d));
        s->ctx.spill = s->spill;
        const rmc_accum *r = s->ctx.o->resume;
        const size_t cols = s->ctx.dims->choice_len + 1;
        for (size_t i = 0; r != NULL && i < n_app; i++) {
            s->unmatched[i] = rmc_accum_choice_hist(r)[i * cols + s->ctx.dims->choice_len];
        }
        for (size_t k = 0; r != NULL && k < m->n_iv; k++) {
            s->unmatched[n_app + k] = rmc_accum_iv_matched(r)[k];
        }
    }
    return RMC_OK;
}

/* The batch's rank columns (n replicates) folded into the total's histogram
 * over disjoint interview blocks, and the threads' move sums into its move
 * sums over disjoint blocks of program order; inside a parallel region. */
static void fold_cols(sim_run *s, size_t n)
{
    const size_t n_iv = s->ctx.m->n_iv;
    const size_t stride = batch_stride(&s->ctx);
    const size_t n_blocks = (n_iv + FOLD_BLOCK - 1) / FOLD_BLOCK;
#pragma omp for schedule(static)
    for (size_t blk = 0; blk < n_blocks; blk++) {
        const size_t k0 = blk * FOLD_BLOCK;
        const size_t k1 = k0 + FOLD_BLOCK < n_iv ? k0 + FOLD_BLOCK : n_iv;
        if (s->ctx.narrow) {
            rmc_accum_add_ranks_u8(s->total, s->cols, n, stride, k0, k1);
        } else {
            rmc_accum_add_ranks(s->total, s->cols, n, stride, k0, k1);
        }
        rmc_accum_fold_moves_i32_by(s->total, s->move_sums, (size_t)s->nt, s->ctx.m->iv_by_prog, k0,
                                    k1);
    }
}

/* Whether the stop flag (a signal handler's, or another thread's) is set. */
static bool stop_flag(const volatile int *flag)
{
    return flag != NULL && __atomic_load_n(flag, __ATOMIC_RELAXED) != 0;
}

/* Replicates first .. first+n-1 in parallel, then (when fold) their rank
 * columns folded into the total's histogram. The threads take the
 * replicates in order, a group at a time (SIM_GROUP); where s->prompt, a
 * thread that sees the stop flag takes no more, so the replicates run are
 * always the first ones of the batch. Returns how many ran (n unless
 * stopped). */
static size_t run_batch(sim_run *s, uint64_t first, size_t n, bool fold)
{
    const sim_ctx *c = &s->ctx;
    thread_ws *const *ws = s->ws;
    unsigned char *cols = s->cols;
    const size_t stride = batch_stride(c) * (c->narrow ? 1 : 2); /* bytes */
    const volatile int *stop = s->prompt ? c->o->stop : NULL;
    /* The batch's groups, taken in order: SIM_GROUP replicates while the
     * rest leaves each thread two groups, then smaller ones down to single
     * replicates at the end, so the threads finish the batch together. */
    RMC_ASSERT(n <= RMC_SIM_BATCH);
    size_t start[RMC_SIM_BATCH + 1];
    size_t n_groups = 0;
    for (size_t b = 0; b < n; n_groups++) {
        const size_t share = (n - b) / (2 * (size_t)s->nt);
        start[n_groups] = b;
        b += share >= SIM_GROUP ? SIM_GROUP : (share > 0 ? share : 1);
    }
    start[n_groups] = n;
    size_t next = 0; /* the next group to take; taken ones always run */
#pragma omp parallel num_threads(s->nt) default(none)                                              \
    shared(s, c, ws, cols, first, stride, fold, stop, next, start, n_groups)
    {
        thread_ws *w = ws[omp_get_thread_num()];
        while (!stop_flag(stop)) {
            size_t q;
#pragma omp atomic capture
            q = next++;
            if (q >= n_groups) {
                break;
            }
            run_group(c, w, first + start[q], start[q + 1] - start[q], cols + start[q] * stride,
                      stride);
        }
#pragma omp barrier
        double t = c->o->time_phases ? omp_get_wtime() : 0.0;
        if (fold) {
            fold_cols(s, start[next < n_groups ? next : n_groups]);
        }
        phase_tick(c, w, RMC_SIM_PHASE_ACCUM, &t);
    }
    return start[next < n_groups ? next : n_groups];
}

/* The lowest failing replicate of the batch across threads, or RMC_OK. */
static rmc_status batch_failure(const sim_run *s, rmc_diag *d)
{
    const thread_ws *worst = NULL;
    for (int t = 0; t < s->nt; t++) {
        const thread_ws *w = s->ws[t];
        if (w->fail_rep >= 0 && (worst == NULL || w->fail_rep < worst->fail_rep)) {
            worst = w;
        }
    }
    if (worst == NULL) {
        return RMC_OK;
    }
    return RMC_FAIL(d, worst->fail_st, "replicate %lld failed: %s", (long long)worst->fail_rep,
                    worst->fail_diag.message[0] != '\0' ? worst->fail_diag.message
                                                        : rmc_strerror(worst->fail_st));
}

/* Standard error of P(match) of an applicant unmatched in `unmatched` of n
 * replicates, p smoothed to (matched + 1) / (n + 2) so that a run of
 * all-matched or all-unmatched replicates does not report SE 0 after a
 * handful of replicates. One expression for every path, so one process and
 * many ranks stop at the same batch. */
static double p_match_se(uint64_t unmatched, uint64_t n)
{
    const double p = ((double)(n - unmatched) + 1.0) / ((double)n + 2.0);
    return sqrt(p * (1.0 - p) / (double)n);
}

/* The largest standard error of any reported probability after n
 * replicates -- each applicant's P(match) and each interview's P(matched
 * here) -- from this process's total and threads' partial counts
 * (p_match_se is symmetric in p and 1 - p, so a matched count serves as
 * well as an unmatched one). */
static double max_p_match_se(const sim_run *s, uint64_t n)
{
    const rmc_accum_dims *dm = s->ctx.dims;
    const size_t cols = dm->choice_len + 1;
    double worst = 0.0;
    for (size_t i = 0; i < dm->n_app; i++) {
        uint64_t unmatched = rmc_accum_choice_hist(s->total)[i * cols + dm->choice_len];
        for (int t = 0; t < s->nt; t++) {
            unmatched += rmc_accum_choice_hist(s->ws[t]->acc)[i * cols + dm->choice_len];
        }
        const double se = p_match_se(unmatched, n);
        worst = se > worst ? se : worst;
    }
    for (size_t k = 0; k < dm->n_iv; k++) {
        uint64_t matched = rmc_accum_iv_matched(s->total)[k];
        for (int t = 0; t < s->nt; t++) {
            matched += rmc_accum_iv_matched(s->ws[t]->acc)[k];
        }
        const double se = p_match_se(matched, n);
        worst = se > worst ? se : worst;
    }
    return worst;
}

/* Add the threads' partials into the total and zero them. Integer sums:
 * folding more or less often, in any order, gives the same bits. */
static rmc_status fold_partials(sim_run *s, rmc_diag *d)
{
    const double t0 = s->ctx.o->time_phases ? omp_get_wtime() : 0.0;
    for (int t = 0; t < s->nt; t++) {
        RMC_TRY(rmc_accum_merge(s->total, s->ws[t]->acc, d));
        rmc_accum_clear(s->ws[t]->acc);
    }
    if (s->ctx.o->time_phases) {
        s->ws[0]->phase[RMC_SIM_PHASE_ACCUM] += omp_get_wtime() - t0;
    }
    return RMC_OK;
}

/* Every rank's tables summed into rank 0's total (the others' zeroed). */
static rmc_status reduce_totals(sim_run *s, rmc_sim_stats *stats, rmc_diag *d)
{
    if (s->size == 1) {
        return RMC_OK;
    }
    /* Wait for the slowest rank first, so reduce_seconds times the sums,
     * not the imbalance of the last round. */
    int64_t sync = 0;
    RMC_TRY(rmc_dist_all_max_i64(s->g, &sync, 1, d));
    const double t0 = omp_get_wtime();
    const rmc_status st = rmc_accum_reduce(s->total, s->g, d);
    stats->reduce_seconds += omp_get_wtime() - t0;
    return st;
}

/* The first replicate of batch b (0-based) of a round starting at done.
 * Batches end at multiples of RMC_SIM_BATCH counted from replicate 0, so
 * a run resumed from any count (a stop inside a batch) meets the same
 * boundaries as an uninterrupted one, and --until-se decides at the same
 * counts: after a stop the first batch is the rest of the stopped one. */
static uint64_t batch_first(uint64_t done, int b)
{
    return b == 0 ? done : done - done % RMC_SIM_BATCH + (uint64_t)RMC_SIM_BATCH * (uint64_t)b;
}

/* Replicates in batch b of a round starting at done. */
static size_t batch_size(const sim_run *s, uint64_t done, int b)
{
    const uint64_t first = batch_first(done, b), end = batch_first(done, b + 1);
    const uint64_t n = s->ctx.o->replicates < end ? s->ctx.o->replicates : end;
    return first >= n ? 0 : (size_t)(n - first);
}

/* Whether any rank's stop flag is set (each rank's own signal handler). */
static rmc_status stop_requested(const sim_run *s, bool *stop, rmc_diag *d)
{
    int64_t v = stop_flag(s->ctx.o->stop) ? 1 : 0;
    RMC_TRY(rmc_dist_all_max_i64(s->g, &v, 1, d));
    *stop = v != 0;
    return RMC_OK;
}

/* --until-se with ranks: after a round (its batches' partials still apart),
 * test the round's batches in order on the unmatched counts of all ranks,
 * as one process would after each; keep the batches up to the first that
 * reaches the target (or all), fold this rank's batch (with the moves its
 * threads spilled, held apart in s->spill) into its total if kept, else
 * drop it. *kept: replicates of the batches kept. */
static rmc_status until_se_round(sim_run *s, uint64_t done, uint64_t *kept, rmc_sim_stats *stats,
                                 rmc_diag *d)
{
    const rmc_accum_dims *dm = s->ctx.dims;
    const size_t n_app = dm->n_app, cols = dm->choice_len + 1, n_all = dm->n_app + dm->n_iv;
    for (size_t i = 0; i < n_app; i++) {
        uint32_t u = 0;
        for (int t = 0; t < s->nt; t++) {
            u += rmc_accum_choice_hist(s->ws[t]->acc)[i * cols + dm->choice_len];
        }
        s->mine[i] = u;
    }
    for (size_t k = 0; k < dm->n_iv; k++) {
        uint32_t u = 0;
        for (int t = 0; t < s->nt; t++) {
            u += rmc_accum_iv_matched(s->ws[t]->acc)[k];
        }
        s->mine[n_app + k] = u;
    }
    RMC_TRY(rmc_dist_all_gather_u32(s->g, s->mine, n_all, s->all, d));
    int used = 0;
    *kept = 0;
    for (int b = 0; b < s->size; b++) {
        const size_t n = batch_size(s, done, b);
        if (n == 0) {
            break;
        }
        used = b + 1;
        *kept += n;
        double worst = 0.0;
        for (size_t i = 0; i < n_all; i++) {
            s->unmatched[i] += s->all[(size_t)b * n_all + i];
            const double se = p_match_se(s->unmatched[i], done + *kept);
            worst = se > worst ? se : worst;
        }
        stats->max_se = worst;
        if (worst <= s->ctx.o->until_se && done + *kept < s->ctx.o->replicates) {
            stats->se_reached = true;
            break;
        }
    }
    const size_t mine = s->rank < used ? batch_size(s, done, s->rank) : 0;
    const size_t n_moves = s->ctx.m->n_iv * RMC_N_FACTORS;
    if (mine == 0) {
        for (int t = 0; t < s->nt; t++) {
            rmc_accum_clear(s->ws[t]->acc);
            memset(s->ws[t]->move_sum, 0, n_moves * sizeof *s->ws[t]->move_sum);
        }
        memset(s->spill, 0, n_moves * sizeof *s->spill);
        return RMC_OK;
    }
    for (size_t k = 0; k < n_moves; k++) {
        s->total->move_sum[k] += s->spill[k];
    }
    memset(s->spill, 0, n_moves * sizeof *s->spill);
#pragma omp parallel num_threads(s->nt) default(none) shared(s, mine)
    fold_cols(s, mine);
    return fold_partials(s, d);
}

/* Fold, sum over ranks and hand the totals to the checkpoint callback on
 * rank 0; every rank gets its status. */
static rmc_status checkpoint(sim_run *s, rmc_sim_stats *stats, rmc_diag *d)
{
    const rmc_sim_options *o = s->ctx.o;
    RMC_TRY(fold_partials(s, d));
    RMC_TRY(reduce_totals(s, stats, d));
    const rmc_status st = s->rank == 0 ? o->checkpoint(o->checkpoint_ctx, s->total, d) : RMC_OK;
    return rmc_dist_agree(s->g, st, d);
}

/* Rounds of one batch per rank until done, stopped or --until-se reached. */
static rmc_status run_batches(sim_run *s, rmc_sim_stats *stats, rmc_diag *d)
{
    const rmc_sim_options *o = s->ctx.o;
    uint64_t done = s->start;
    while (done < o->replicates) {
        bool stop = false;
        RMC_TRY(stop_requested(s, &stop, d));
        if (stop) {
            stats->stopped = true;
            break;
        }
        const size_t n = batch_size(s, done, s->rank);
        const size_t ran = n > 0 ? run_batch(s, batch_first(done, s->rank), n, !s->defer) : 0;
        RMC_TRY(rmc_dist_agree(s->g, batch_failure(s, d), d));
        if (ran < n) {
            /* stopped inside the batch (one process only: s->prompt) */
            done += ran;
            stats->stopped = true;
            if (o->progress != NULL && ran > 0) {
                o->progress(o->progress_ctx, done, o->replicates);
            }
            break;
        }
        uint64_t kept = 0;
        if (s->defer) {
            RMC_TRY(until_se_round(s, done, &kept, stats, d));
        } else {
            for (int b = 0; b < s->size; b++) {
                kept += batch_size(s, done, b);
            }
            if (o->until_se > 0.0) {
                stats->max_se = max_p_match_se(s, done + kept);
                stats->se_reached = stats->max_se <= o->until_se && done + kept < o->replicates;
            }
        }
        done += kept;
        if (o->progress != NULL && s->rank == 0) {
            o->progress(o->progress_ctx, done, o->replicates);
        }
        if (stats->se_reached) {
            break;
        }
        if (o->checkpoint != NULL && o->checkpoint_every > 0 && done < o->replicates &&
            done / o->checkpoint_every > (done - kept) / o->checkpoint_every) {
            RMC_TRY(checkpoint(s, stats, d));
        }
    }
    stats->replicates = done;
    return RMC_OK;
}

/* What every rank reports alike, decided on rank 0. */
typedef struct shared_stats {
    uint64_t unconverged, unstable;
    int64_t first_unconverged, first_unstable;
    double max_se;
} shared_stats;

static rmc_status finish(sim_run *s, rmc_sim_stats *stats, rmc_diag *d)
{
    RMC_TRY(fold_partials(s, d));
    RMC_TRY(reduce_totals(s, stats, d));
    for (int t = 0; t < s->nt; t++) {
        for (int ph = 0; ph < RMC_SIM_N_PHASES; ph++) {
            stats->phase_seconds[ph] += s->ws[t]->phase[ph];
        }
    }
    shared_stats sh = {0, 0, -1, -1, stats->max_se};
    if (s->rank == 0) {
        sh.unconverged = rmc_accum_unconverged(s->total);
        sh.unstable = rmc_accum_unstable(s->total);
        sh.first_unconverged = rmc_accum_first_unconverged(s->total);
        sh.first_unstable = rmc_accum_first_unstable(s->total);
        if (s->ctx.o->until_se <= 0.0 && stats->replicates > 0) {
            sh.max_se = max_p_match_se(s, stats->replicates);
        }
        RMC_ASSERT(rmc_accum_replicates(s->total) == stats->replicates);
    }
    RMC_TRY(rmc_dist_bcast(s->g, &sh, sizeof sh, 0, d));
    stats->unconverged = sh.unconverged;
    stats->unstable = sh.unstable;
    stats->first_unconverged = sh.first_unconverged;
    stats->first_unstable = sh.first_unstable;
    stats->max_se = sh.max_se;
    return RMC_OK;
}

static rmc_status check_options(const rmc_model *m, const rmc_sim_options *o, rmc_diag *d)
{
    if (o->resume != NULL && (rmc_accum_replicates(o->resume) > o->replicates ||
                              rmc_accum_rank_hist(o->resume) == NULL)) {
        return RMC_FAIL(d, RMC_EUSAGE, "the checkpoint has more replicates than requested");
    }
    if (o->replicates < 1 || o->replicates > UINT32_MAX) {
        return RMC_FAIL(d, RMC_EUSAGE, "replicates must be between 1 and %u", UINT32_MAX);
    }
    if (!(o->until_se >= 0.0) || o->until_se > 1.0) {
        return RMC_FAIL(d, RMC_EUSAGE, "until_se must be in [0, 1]");
    }
    if (o->threads < 0) {
        return RMC_FAIL(d, RMC_EUSAGE, "threads must be >= 0");
    }
    if (m->n_app == 0 || m->n_prog == 0) {
        return RMC_FAIL(d, RMC_EUSAGE, "the model has no applicants or no programs");
    }
    if (o->focal_choice != NULL && rmc_dist_size(o->dist) > 1) {
        return RMC_FAIL(d, RMC_EUSAGE, "focal applicants are recorded by one process only");
    }
    for (size_t f = 0; o->focal_choice != NULL && f < o->n_focal; f++) {
        if (o->focal == NULL || o->focal[f] < 0 || (size_t)o->focal[f] >= m->n_app) {
            return RMC_FAIL(d, RMC_EUSAGE, "focal applicant %zu is not an applicant index", f);
        }
    }
    for (size_t x = 0; x < o->n_exclude; x++) {
        if (o->exclude == NULL || o->exclude[x] < 0 || (size_t)o->exclude[x] >= m->n_app) {
            return RMC_FAIL(d, RMC_EUSAGE, "excluded applicant %zu is not an applicant index", x);
        }
    }
    if (o->cutoff_iv != NULL && rmc_dist_size(o->dist) > 1) {
        return RMC_FAIL(d, RMC_EUSAGE, "program cutoffs are recorded by one process only");
    }
    for (size_t q = 0; o->cutoff_iv != NULL && q < o->n_cutoff; q++) {
        if (o->cutoff_prog == NULL || o->cutoff_prog[q] < 0 ||
            (size_t)o->cutoff_prog[q] >= m->n_prog) {
            return RMC_FAIL(d, RMC_EUSAGE, "cutoff program %zu is not a program index", q);
        }
    }
    return RMC_OK;
}

/* The room of generated joint lists (couple_plan), into s->cplan; sets
 * ctx.cp and ctx.n_crol. */
static rmc_status plan_couples(sim_run *s, rmc_diag *d)
{
    const rmc_model *m = s->ctx.m;
    const rmc_params *p = s->ctx.p;
    couple_plan *cp = &s->cplan;
    const size_t C = m->n_couples;
    cp->rules = couple_rules(p);
    RMC_TRY(rmc_calloc_array((void **)&cp->mem_off, 2 * C + 1, sizeof *cp->mem_off, d));
    RMC_TRY(rmc_calloc_array((void **)&cp->row_off, C + 1, sizeof *cp->row_off, d));
    cp->max_member = cp->max_scratch = cp->max_bound = 1;
    for (size_t c = 0; c < C; c++) {
        const bool gen = couple_generated(m, c);
        const size_t na = gen ? member_len(m, p, (size_t)m->couple_a[c]) : 0;
        const size_t nb = gen ? member_len(m, p, (size_t)m->couple_b[c]) : 0;
        cp->mem_off[2 * c + 1] = cp->mem_off[2 * c] + na;
        cp->mem_off[2 * c + 2] = cp->mem_off[2 * c + 1] + nb;
        const size_t len = couple_len(m, p, c);
        cp->row_off[c + 1] = cp->row_off[c] + len;
        if (gen) {
            const size_t big = na > nb ? na : nb, sc = rmc_joint_scratch(na, nb);
            cp->max_member = big > cp->max_member ? big : cp->max_member;
            cp->max_scratch = sc > cp->max_scratch ? sc : cp->max_scratch;
            cp->max_bound = len > cp->max_bound ? len : cp->max_bound;
        }
    }
    s->ctx.cp = cp;
    s->ctx.n_crol = cp->row_off[C];
    return RMC_OK;
}

/* Options, plan and allocation; the ranks agree on the outcome, so a rank
 * short of memory stops them all. */
static rmc_status prepare(sim_run *s, const rmc_model *m, const rmc_params *p,
                          const rmc_sim_options *o, rmc_accum_dims *dims, rmc_sim_stats *stats,
                          rmc_diag *d)
{
    rmc_status st = check_options(m, o, d);
    if (st == RMC_OK) {
        st = rmc_sim_plan(m, p, o, dims, &stats->memory_estimate, d);
    }
    if (st == RMC_OK) {
        s->ctx = (sim_ctx){m,     p,
                           o,     dims,
                           0,     longest_interview_list(m),
                           false, p->soap_enabled != 0 && !o->skip_soap,
                           false, NULL,
                           NULL};
        s->ctx.n_crol = m->n_couples > 0 ? m->crol_off[m->n_couples] : 0;
        s->ctx.tracks = dims->tracks != 0;
        s->ctx.narrow = dims->rank_bins + 1 <= UINT8_MAX + 1;
        s->nt = resolve_threads(o);
        s->start = o->resume != NULL ? rmc_accum_replicates(o->resume) : 0;
        s->defer = s->size > 1 && o->until_se > 0.0;
        s->prompt = s->size == 1;
        stats->threads = s->nt;
        st = m->n_couples_gen > 0 ? plan_couples(s, d) : RMC_OK;
        st = st == RMC_OK ? sim_run_alloc(s, d) : st;
    }
    return rmc_dist_agree(s->g, st, d);
}

rmc_status rmc_sim_run(const rmc_model *m, const rmc_params *p, const rmc_sim_options *o,
                       rmc_accum **out, rmc_sim_stats *stats, rmc_diag *d)
{
    *out = NULL;
    memset(stats, 0, sizeof *stats);
    stats->first_unconverged = -1;
    stats->first_unstable = -1;
    const double t0 = omp_get_wtime();
    rmc_accum_dims dims;
    sim_run s = {.g = o->dist, .rank = rmc_dist_rank(o->dist), .size = rmc_dist_size(o->dist)};
    stats->ranks = s.size;
    rmc_status st;
    RMC_TRY_GOTO(st, prepare(&s, m, p, o, &dims, stats, d), done);
    snprintf(stats->rng_name, sizeof stats->rng_name, "%s", rmc_rng_name(s.ws[0]->rng));
    RMC_TRY_GOTO(st, run_batches(&s, stats, d), done);
    RMC_TRY_GOTO(st, finish(&s, stats, d), done);
    if (s.rank == 0) {
        *out = s.total;
        s.total = NULL;
    }
done:
    sim_run_free(&s);
    stats->wall_seconds = omp_get_wtime() - t0;
    return st;
}

void rmc_par_for(size_t n, int threads, void (*body)(void *ctx, size_t i, int thread), void *ctx)
{
    const int nt = threads < 1 ? 1 : (size_t)threads > n ? (int)n : threads;
    if (nt <= 1) {
        for (size_t i = 0; i < n; i++) {
            body(ctx, i, 0);
        }
        return;
    }
#pragma omp parallel num_threads(nt) default(none) shared(n, body, ctx)
    {
        const int t = omp_get_thread_num();
#pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < n; i++) {
            body(ctx, i, t);
        }
    }
}
