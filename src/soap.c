/* SOAP after the Match (see rankmc/soap.h; the rules and their sources are
 * in docs/soap.md).
 *
 * One replicate: (1) the eligible applicants, unmatched or partially
 * matched, each passing a per-type eligibility share; (2) each applies to
 * up to soap.applications programs with places it may take, drawn without
 * replacement with weight places x exp(desirability / preferences.sigma)
 * (integers) per applicant class (visa need, partially matched): by
 * rejection on an alias table, or from a Fenwick tree restored exactly
 * after each applicant when rejections pile up; the draw order is the
 * applicant's preference order (a Plackett-Luce ranking); (3) each program orders its
 * applicants: the names its own meeting ranked in the Main Match first, in
 * that order, then the rest by a screen score drawn like the meeting's
 * spreadsheet score S0; (4) the offer rounds (rmc_soap_rounds).
 *
 * Draws: applicant a's come from (seed, r, RMC_STREAM_SOAP, a) in a fixed
 * order (eligibility, the rounds' declines, the applications, then per
 * application its screen draws), so a program's list depends only on the
 * replicate, never on threads.
 */
#include <math.h>
#include <string.h>

#include "meeting_int.h"
#include "rankmc/match.h"
#include "rankmc/soap.h"
#include "rng_int.h"

/* Applicant classes: bit 0 needs a visa, bit 1 partially matched. */
#define N_CLASSES 4
/* iv_at's mark for a program the applicant did not interview at. */
#define NOT_INTERVIEWED UINT32_MAX

/* One column of an alias table, in one 16-byte entry so that a draw reads
 * one cache line: pick[0] (the column's own program) when the second draw
 * is below thr, else pick[1] (its alias). */
typedef struct {
    uint64_t thr;
    rmc_id pick[2];
} alias_col;

struct rmc_soap_rounds_ws {
    size_t n_app, n_prog;
    size_t *next;      /* [n_prog] next list entry to consider */
    int32_t *left;     /* [n_prog] places left */
    int32_t *best;     /* [n_app] best offer's position in the applicant's list, this round */
    rmc_id *best_prog; /* [n_app] its program */
    rmc_id *offered;   /* [n_app] applicants with an offer this round */
};

struct rmc_soap_ws {
    const rmc_model *m;
    size_t cap;           /* n_app x applications */
    int32_t applications; /* the largest soap.applications this was made for */
    rmc_soap_rounds_ws *rw;
    size_t *app_off;    /* [n_app + 1] */
    rmc_id *app_prog;   /* [cap] applications, preference order */
    uint64_t *words;    /* [cap] (program key, applicant) per kept application */
    uint64_t *tmp;      /* [cap] sort buffer */
    rmc_id *word_prog;  /* [cap] the program of each word */
    size_t *prog_off;   /* [n_prog + 1] */
    size_t *prog_fill;  /* [n_prog] scatter cursor */
    rmc_id *prog_app;   /* [cap] programs' lists */
    int32_t *places;    /* [n_prog] places in SOAP */
    size_t *prog_end;   /* [n_prog] end of the ordered head of each program's list */
    size_t head;        /* heads' length: SIZE_MAX = the default rule; 0 = whole lists */
    uint64_t *declines; /* [n_app] */
    /* The per-run plan: what depends only on the model and the keys below,
     * made by the first rmc_soap_run and again when those keys change */
    bool plan_ok;
    double plan_keys[4];       /* preferences.sigma, interview.w_int, sigma_day, sigma_noise */
    uint64_t *unit;            /* [n_prog] exp weight of one place, >= 1 */
    uint8_t *may_take;         /* [n_prog] bit c: class c may take a place there */
    uint64_t *tree[N_CLASSES]; /* [n_prog] Fenwick trees (1-based in effect) */
    uint64_t *wt[N_CLASSES];   /* [n_prog] their weights */
    uint64_t total[N_CLASSES];
    /* Walker/Vose alias table of each class over its n_cand programs with
     * places (integer thresholds out of total) */
    size_t n_cand[N_CLASSES];
    alias_col *al[N_CLASSES];
    uint64_t *al_q;              /* [n_prog] build scratch */
    size_t *al_small, *al_large; /* [n_prog] build scratch */
    uint32_t *seen;              /* [n_prog] stamp of the last applicant that drew the program */
    uint32_t stamp;              /* the current applicant's stamp (never 0 once drawing) */
    double *sd;                  /* [n_prog] screen-score noise SD (plan) */
    uint32_t *iv_at;             /* [n_prog] where the current applicant interviewed there, the
                                    interview's place e in its row of iv_by_app (from m->app_off[a]),
                                    else NOT_INTERVIEWED; reset after each applicant */
    size_t top_bit;              /* highest power of two <= n_prog */
};

/* ---- the rounds ------------------------------------------------------- */

rmc_status rmc_soap_rounds_ws_alloc(size_t n_app, size_t n_prog, rmc_soap_rounds_ws **out,
                                    rmc_diag *d)
{
    *out = NULL;
    rmc_soap_rounds_ws *w = NULL;
    RMC_TRY(rmc_alloc_aligned((void **)&w, 1, sizeof *w, d));
    rmc_status st;
    w->n_app = n_app;
    w->n_prog = n_prog;
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->next, n_prog, sizeof *w->next, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->left, n_prog, sizeof *w->left, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->best, n_app, sizeof *w->best, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->best_prog, n_app, sizeof *w->best_prog, d),
                 fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->offered, n_app, sizeof *w->offered, d), fail);
    *out = w;
    return RMC_OK;
fail:
    rmc_soap_rounds_ws_free(w);
    return st;
}

void rmc_soap_rounds_ws_free(rmc_soap_rounds_ws *w)
{
    if (w == NULL) {
        return;
    }
    rmc_free(w->offered);
    rmc_free(w->best_prog);
    rmc_free(w->best);
    rmc_free(w->left);
    rmc_free(w->next);
    rmc_free(w);
}

/* Position of program j in applicant a's list, or -1. */
static int32_t list_pos(const rmc_soap_lists *L, size_t a, rmc_id j)
{
    for (size_t e = L->app_off[a]; e < L->app_off[a + 1]; e++) {
        if (L->app_prog[e] == j) {
            return (int32_t)(e - L->app_off[a]);
        }
    }
    return -1;
}

/* Round t's offers of program j: the next left[j] unplaced names it has
 * not offered before. Returns the offers made. */
static size_t offer_round(const rmc_soap_lists *L, rmc_soap_rounds_ws *w, const rmc_id *placed,
                          size_t j, size_t *n_offered, int32_t t, rmc_soap_offer *log,
                          size_t log_cap, size_t n_log)
{
    size_t made = 0;
    const size_t end = L->prog_end != NULL ? L->prog_end[j] : L->prog_off[j + 1];
    while (made < (size_t)w->left[j] && w->next[j] < end) {
        const rmc_id a = L->prog_app[w->next[j]++];
        if (placed[a] != RMC_ID_NONE) {
            continue;
        }
        const int32_t pos = list_pos(L, (size_t)a, (rmc_id)j);
        RMC_ASSERT(pos >= 0);
        if (w->best[a] == INT32_MAX) {
            w->offered[(*n_offered)++] = a;
        }
        if (pos < w->best[a]) {
            w->best[a] = pos;
            w->best_prog[a] = (rmc_id)j;
        }
        if (log != NULL && n_log + made < log_cap) {
            log[n_log + made] = (rmc_soap_offer){t, (rmc_id)j, a, 0};
        }
        made++;
    }
    return made;
}

/* Mark the accepted offers in a round's part of the log (an offer goes
 * only to an unplaced name, so placed there now means accepted now). */
static void log_accepts(rmc_soap_offer *log, size_t from, size_t to, const rmc_id *placed)
{
    for (size_t e = from; e < to; e++) {
        log[e].accepted = placed[log[e].applicant] == log[e].program;
    }
}

size_t rmc_soap_rounds(const rmc_soap_lists *L, rmc_soap_rounds_ws *w, rmc_id *placed,
                       int32_t *round_of, rmc_soap_offer *log, size_t log_cap, size_t *n_log)
{
    RMC_ASSERT(L->n_app <= w->n_app && L->n_prog <= w->n_prog);
    RMC_ASSERT(L->rounds >= 1 && L->rounds <= 64);
    for (size_t a = 0; a < L->n_app; a++) {
        placed[a] = RMC_ID_NONE;
        w->best[a] = INT32_MAX;
        if (round_of != NULL) {
            round_of[a] = 0;
        }
    }
    for (size_t j = 0; j < L->n_prog; j++) {
        w->next[j] = L->prog_off[j];
        w->left[j] = L->places[j];
    }
    size_t n_placed = 0, offers = 0;
    for (int32_t t = 1; t <= L->rounds; t++) {
        size_t n_offered = 0;
        const size_t round_start = offers;
        for (size_t j = 0; j < L->n_prog; j++) {
            if (w->left[j] > 0) {
                offers += offer_round(L, w, placed, j, &n_offered, t, log, log_cap, offers);
            }
        }
        if (n_offered == 0) {
            break;
        }
        const uint64_t bit = (uint64_t)1 << (t - 1);
        for (size_t e = 0; e < n_offered; e++) {
            const rmc_id a = w->offered[e];
            if (L->declines == NULL || (L->declines[a] & bit) == 0) {
                const rmc_id j = w->best_prog[a];
                RMC_ASSERT(w->left[j] > 0);
                placed[a] = j;
                w->left[j]--;
                n_placed++;
                if (round_of != NULL) {
                    round_of[a] = t;
                }
            }
            w->best[a] = INT32_MAX;
        }
        if (log != NULL && round_start < log_cap) {
            log_accepts(log, round_start, offers < log_cap ? offers : log_cap, placed);
        }
    }
    if (n_log != NULL) {
        *n_log = offers;
    }
    return n_placed;
}

/* ---- one replicate on a model ------------------------------------------ */

void rmc_soap_ws_free(rmc_soap_ws *w)
{
    if (w == NULL) {
        return;
    }
    rmc_free(w->seen);
    rmc_free(w->al_q);
    rmc_free(w->al_small);
    rmc_free(w->al_large);
    for (int c = 0; c < N_CLASSES; c++) {
        rmc_free(w->al[c]);
        rmc_free(w->wt[c]);
        rmc_free(w->tree[c]);
    }
    rmc_free(w->iv_at);
    rmc_free(w->sd);
    rmc_free(w->unit);
    rmc_free(w->may_take);
    rmc_free(w->declines);
    rmc_free(w->prog_end);
    rmc_free(w->places);
    rmc_free(w->prog_app);
    rmc_free(w->prog_fill);
    rmc_free(w->prog_off);
    rmc_free(w->word_prog);
    rmc_free(w->tmp);
    rmc_free(w->words);
    rmc_free(w->app_prog);
    rmc_free(w->app_off);
    rmc_soap_rounds_ws_free(w->rw);
    rmc_free(w);
}

static rmc_status ws_arrays(rmc_soap_ws *w, const rmc_model *m, rmc_diag *d)
{
    const size_t na = m->n_app, np = m->n_prog, cap = w->cap;
    RMC_TRY(rmc_soap_rounds_ws_alloc(na, np, &w->rw, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->app_off, na + 1, sizeof *w->app_off, d));
    /* The arrays of every application have room for all applicants' (cap)
     * but a replicate uses only its candidates' (about a fifth in the
     * national market): calloc'd, so the pages never written are never
     * made resident (rmc_alloc_aligned's memset would touch them all). */
    RMC_TRY(rmc_calloc_array((void **)&w->app_prog, cap, sizeof *w->app_prog, d));
    RMC_TRY(rmc_calloc_array((void **)&w->words, cap, sizeof *w->words, d));
    RMC_TRY(rmc_calloc_array((void **)&w->tmp, cap, sizeof *w->tmp, d));
    RMC_TRY(rmc_calloc_array((void **)&w->word_prog, cap, sizeof *w->word_prog, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->prog_off, np + 1, sizeof *w->prog_off, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->prog_fill, np, sizeof *w->prog_fill, d));
    RMC_TRY(rmc_calloc_array((void **)&w->prog_app, cap, sizeof *w->prog_app, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->places, np, sizeof *w->places, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->prog_end, np, sizeof *w->prog_end, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->declines, na, sizeof *w->declines, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->unit, np, sizeof *w->unit, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->may_take, np, sizeof *w->may_take, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->sd, np, sizeof *w->sd, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->iv_at, np, sizeof *w->iv_at, d));
    for (size_t j = 0; j < np; j++) {
        w->iv_at[j] = NOT_INTERVIEWED;
    }
    for (int c = 0; c < N_CLASSES; c++) {
        RMC_TRY(rmc_alloc_aligned((void **)&w->tree[c], np, sizeof *w->tree[c], d));
        RMC_TRY(rmc_alloc_aligned((void **)&w->wt[c], np, sizeof *w->wt[c], d));
        RMC_TRY(rmc_alloc_aligned((void **)&w->al[c], np, sizeof *w->al[c], d));
    }
    RMC_TRY(rmc_alloc_aligned((void **)&w->seen, np, sizeof *w->seen, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->al_q, np, sizeof *w->al_q, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->al_small, np, sizeof *w->al_small, d));
    RMC_TRY(rmc_alloc_aligned((void **)&w->al_large, np, sizeof *w->al_large, d));
    return RMC_OK;
}

rmc_status rmc_soap_ws_alloc(const rmc_model *m, const rmc_params *p, rmc_soap_ws **out,
                             rmc_diag *d)
{
    *out = NULL;
    rmc_soap_ws *w = NULL;
    RMC_TRY(rmc_alloc_aligned((void **)&w, 1, sizeof *w, d));
    w->m = m;
    w->applications = p->soap_applications > 0 ? p->soap_applications : 1;
    if (!rmc_mul_ok(m->n_app, (size_t)w->applications, &w->cap)) {
        rmc_soap_ws_free(w);
        return RMC_FAIL(d, RMC_ENOMEM, "the SOAP workspace is too large");
    }
    const rmc_status st = ws_arrays(w, m, d);
    if (st != RMC_OK) {
        rmc_soap_ws_free(w);
        return st;
    }
    w->head = SIZE_MAX;
    w->top_bit = 1;
    while (w->top_bit * 2 <= m->n_prog) {
        w->top_bit *= 2;
    }
    *out = w;
    return RMC_OK;
}

/* Fenwick tree over weights wt[0 .. n): tree[i] (0-based) holds the sum of
 * wt over (i + 1 - lowbit(i + 1), i + 1]. */
static void tree_build(uint64_t *tree, const uint64_t *wt, size_t n)
{
    memcpy(tree, wt, n * sizeof *tree);
    for (size_t i = 1; i <= n; i++) {
        const size_t parent = i + (i & (~i + 1));
        if (parent <= n) {
            tree[parent - 1] += tree[i - 1];
        }
    }
}

static void tree_add(uint64_t *tree, size_t n, size_t j, uint64_t v, bool subtract)
{
    for (size_t i = j + 1; i <= n; i += i & (~i + 1)) {
        tree[i - 1] = subtract ? tree[i - 1] - v : tree[i - 1] + v;
    }
}

/* The index j whose cumulative range holds target (< the tree's total). */
static size_t tree_find(const uint64_t *tree, size_t n, size_t top_bit, uint64_t target)
{
    size_t pos = 0;
    for (size_t step = top_bit; step > 0; step >>= 1) {
        const size_t next = pos + step;
        if (next <= n && tree[next - 1] <= target) {
            pos = next;
            target -= tree[next - 1];
        }
    }
    return pos; /* 0-based index of the element */
}

/* Whether applicant class c may take a SOAP place at program j. */
static bool class_may_take(const rmc_model *m, int c, size_t j)
{
    const uint8_t track = rmc_model_track_of(m, j);
    if ((c & 1) && m->sponsors[j] == RMC_SPONSORS_NONE) {
        return false;
    }
    return (c & 2) ? track == RMC_TRACK_PRELIMINARY : track != RMC_TRACK_ADVANCED;
}

/* Class c's alias table (Vose's method in integers: every column holds
 * total; a column's own program keeps q of it, its alias the rest). */
static void alias_build(const rmc_model *m, rmc_soap_ws *w, int c)
{
    const uint64_t *wt = w->wt[c], total = w->total[c];
    alias_col *const al = w->al[c];
    size_t n = 0, ns = 0, nl = 0;
    for (size_t j = 0; j < m->n_prog; j++) {
        if (wt[j] > 0) {
            al[n++].pick[0] = (rmc_id)j;
        }
    }
    w->n_cand[c] = n;
    for (size_t e = 0; e < n; e++) {
        w->al_q[e] = wt[al[e].pick[0]] * n;
        if (w->al_q[e] < total) {
            w->al_small[ns++] = e;
        } else {
            w->al_large[nl++] = e;
        }
    }
    while (ns > 0 && nl > 0) {
        const size_t sm = w->al_small[--ns], lg = w->al_large[nl - 1];
        al[sm].thr = w->al_q[sm];
        al[sm].pick[1] = al[lg].pick[0];
        w->al_q[lg] -= total - w->al_q[sm];
        if (w->al_q[lg] < total) {
            nl--;
            w->al_small[ns++] = lg;
        }
    }
    while (ns > 0) { /* only when the arithmetic leaves no large: cannot with integers */
        const size_t e = w->al_small[--ns];
        al[e].thr = total;
        al[e].pick[1] = al[e].pick[0];
    }
    while (nl > 0) {
        const size_t e = w->al_large[--nl];
        al[e].thr = total;
        al[e].pick[1] = al[e].pick[0];
    }
}

/* The per-run plan (unless made for these keys already): the weight of
 * one place and the screen noise of each program, and which classes may
 * take its places; nothing here depends on the replicate. */
static void make_plan(const rmc_model *m, const rmc_params *p, rmc_soap_ws *w)
{
    const double keys[4] = {p->preferences_sigma, p->interview_w_int, p->interview_sigma_day,
                            p->interview_sigma_noise};
    if (w->plan_ok && memcmp(keys, w->plan_keys, sizeof keys) == 0) {
        return;
    }
    double dmax = -(double)INFINITY;
    for (size_t j = 0; j < m->n_prog; j++) {
        dmax = m->desirability[j] > dmax ? m->desirability[j] : dmax;
    }
    const double sigma = p->preferences_sigma > 1e-6 ? p->preferences_sigma : 1e-6;
    const double var = p->interview_sigma_day * p->interview_sigma_day;
    const double noise = p->interview_sigma_noise * p->interview_sigma_noise;
    for (size_t j = 0; j < m->n_prog; j++) {
        const double u = ldexp(exp((m->desirability[j] - dmax) / sigma), 20);
        w->unit[j] = u >= 1.0 ? (uint64_t)u : 1;
        const double k = m->interviewers[j] > 0 ? (double)m->interviewers[j] : 1.0;
        w->sd[j] = p->interview_w_int * sqrt(var + noise / k);
        uint8_t mask = 0;
        for (int c = 0; c < N_CLASSES; c++) {
            mask |= (uint8_t)(class_may_take(m, c, j) ? 1u << c : 0u);
        }
        w->may_take[j] = mask;
    }
    memcpy(w->plan_keys, keys, sizeof keys);
    w->plan_ok = true;
}

/* Places in SOAP and the class trees (the plan made first). Returns the
 * places. */
static size_t prepare_programs(const rmc_model *m, const rmc_params *p, const rmc_soap_state *s,
                               rmc_soap_ws *w)
{
    make_plan(m, p, w);
    size_t n_places = 0;
    for (size_t j = 0; j < m->n_prog; j++) {
        const int32_t cap = s->capacity != NULL ? s->capacity[j] : m->positions[j];
        const int32_t left = cap - s->fill[j];
        const bool advanced = rmc_model_track_of(m, j) == RMC_TRACK_ADVANCED;
        w->places[j] = left > 0 && !advanced ? left : 0;
        n_places += (size_t)w->places[j];
    }
    for (int c = 0; c < N_CLASSES; c++) {
        uint64_t total = 0;
        for (size_t j = 0; j < m->n_prog; j++) {
            const unsigned may_take = w->may_take[j];
            const bool ok = w->places[j] > 0 && ((may_take >> c) & 1u) != 0;
            w->wt[c][j] = ok ? (uint64_t)w->places[j] * w->unit[j] : 0;
            total += w->wt[c][j];
        }
        w->total[c] = total;
        tree_build(w->tree[c], w->wt[c], m->n_prog);
        alias_build(m, w, c);
    }
    return n_places;
}

__extension__ typedef unsigned __int128 u128;

/* A uniform integer in [0, n) from two words: floor(x n / 2^64) for a
 * uniform 64-bit x (bias below n / 2^64). */
static uint64_t draw_below(rmc_philox *g, uint64_t n)
{
    const uint64_t hi = rmc_philox_word(g), lo = rmc_philox_word(g);
    const u128 x = (u128)(hi << 32 | lo) * n;
    return (uint64_t)(x >> 64);
}

/* A fresh stamp for the next applicant's draws: w->seen[j] == the stamp
 * marks the programs it has drawn, so nothing is reset after each
 * applicant (all stamps are cleared when the counter wraps). */
static uint32_t next_stamp(rmc_soap_ws *w)
{
    if (++w->stamp == 0) {
        memset(w->seen, 0, w->m->n_prog * sizeof *w->seen);
        w->stamp = 1;
    }
    return w->stamp;
}

/* Applicant a's applications into app_prog from off: up to A programs of
 * its class without replacement, each draw from the weights of the
 * programs not yet drawn. Mostly by rejection on the class's alias table (a
 * draw of a program already drawn is repeated); after
 * REJECT_LIMIT rejections in a row the rest come from the Fenwick tree with
 * the drawn programs removed (restored after). Either way each draw has the
 * same conditional law, so the result is the sequential (Plackett-Luce)
 * law; only the words used differ, and they are a fixed function of the
 * stream. The class's tables are read through locals: the stores of the
 * loop could otherwise alias them. Returns how many. */
#define REJECT_LIMIT 16
static size_t draw_applications(const rmc_model *m, rmc_soap_ws *w, rmc_philox *g, int c, size_t A,
                                size_t off)
{
    const size_t np = m->n_prog;
    const uint64_t *const wt = w->wt[c];
    const alias_col *const al = w->al[c];
    const uint64_t n_cand = w->n_cand[c], class_total = w->total[c];
    uint32_t *const seen = w->seen;
    const uint32_t stamp = next_stamp(w);
    rmc_id *const out = w->app_prog + off;
    uint64_t total = class_total;
    size_t n = 0, misses = 0;
    while (n < A && total > 0 && misses < REJECT_LIMIT) {
        /* A program drawn with probability weight / total from the alias
         * table: one 64-bit word pair x picks column floor(x n / 2^64); the
         * product's low 64 bits, scaled to total, decide between the
         * column's program and its alias (bias below n / 2^64 + total /
         * 2^64), by index rather than by branch. */
        const uint64_t hi = rmc_philox_word(g), lo = rmc_philox_word(g);
        const u128 prod = (u128)(hi << 32 | lo) * n_cand;
        const size_t col = (size_t)(prod >> 64);
        const uint64_t u = (uint64_t)(((u128)(uint64_t)prod * class_total) >> 64);
        const size_t j = (size_t)al[col].pick[u >= al[col].thr];
        RMC_ASSERT(j < np && wt[j] > 0);
        if (seen[j] == stamp) {
            misses++;
            continue;
        }
        misses = 0;
        seen[j] = stamp;
        total -= wt[j];
        out[n++] = (rmc_id)j;
    }
    if (n < A && total > 0) {
        uint64_t *tree = w->tree[c];
        for (size_t e = 0; e < n; e++) {
            tree_add(tree, np, (size_t)out[e], wt[out[e]], true);
        }
        while (n < A && total > 0) {
            const size_t j = tree_find(tree, np, w->top_bit, draw_below(g, total));
            RMC_ASSERT(j < np && wt[j] > 0 && seen[j] != stamp);
            tree_add(tree, np, j, wt[j], true);
            total -= wt[j];
            seen[j] = stamp;
            out[n++] = (rmc_id)j;
        }
        for (size_t e = 0; e < n; e++) {
            tree_add(tree, np, (size_t)out[e], wt[out[e]], false);
        }
    }
    return n;
}

/* The words of applicant a's n applications from app_prog[off ..): the
 * key of a on each program's SOAP list (ascending = preferred) packed with
 * a, into tmp (counted per program in prog_fill), and the program into
 * word_prog; returns the new word count. Names j's meeting ranked come
 * first, in its order; names it did not rank are left off; the rest are
 * screened, and left off where the key is NaN. w->iv_at holds a's
 * interviews (their ranks s->rank are read only for the programs it
 * applied to). The screen score's applicant part is the same for every
 * program, so it is computed once (the same operations in the same order
 * as the whole expression, so the same doubles). */
static size_t application_words(const rmc_model *m, const rmc_params *p, const rmc_soap_state *s,
                                rmc_soap_ws *w, rmc_philox *g, size_t a, size_t off, size_t n,
                                size_t nw)
{
    const double base =
        (p->interview_w_pre + p->interview_w_int) * m->pre_score[a] -
        p->interview_w_int * p->interview_gamma_communication * (1.0 - m->communication[a]);
    const uint8_t visa = m->visa[a];
    const double h1b_drop = p->visa_h1b_at_j1_only_drop;
    const rmc_id *const progs = w->app_prog + off;
    const rmc_id *const row = m->iv_by_app + m->app_off[a];
    const uint32_t *const iv_at = w->iv_at;
    const double *const sd = w->sd;
    const uint8_t *const sponsors = m->sponsors;
    uint64_t *const tmp = w->tmp;
    rmc_id *const word_prog = w->word_prog;
    size_t *const fill = w->prog_fill;
    for (size_t e = 0; e < n; e++) {
        const size_t j = (size_t)progs[e];
        const uint32_t at = iv_at[j];
        float key;
        if (at != NOT_INTERVIEWED) {
            const int32_t rank = s->rank[row[at]];
            if (rank < 0) {
                continue;
            }
            key = -1.0e6f + (float)rank;
        } else {
            if (rmc_visa_refused(visa, sponsors[j], h1b_drop, g)) {
                continue;
            }
            const double score = base + sd[j] * rmc_philox_normal(g);
            key = (float)-score;
            if (isnan(key)) {
                continue;
            }
        }
        tmp[nw] = rmc_pack_key(key, (uint32_t)a);
        word_prog[nw++] = (rmc_id)j;
        fill[j]++;
    }
    return nw;
}

/* Mark (or unmark) applicant a's interviews in w->iv_at: each program of
 * its row gets the interview's place in the row (a later interview at the
 * same program wins, as when the ranks themselves were marked). */
static void mark_interviews(const rmc_model *m, rmc_soap_ws *w, size_t a, bool on)
{
    const size_t b = m->app_off[a], n = m->app_off[a + 1] - b;
    const rmc_id *const row = m->prog_by_app + b; /* read in one or two lines */
    uint32_t *const iv_at = w->iv_at;
    for (size_t e = 0; e < n; e++) {
        iv_at[row[e]] = on ? (uint32_t)e : NOT_INTERVIEWED;
    }
}

/* Whether applicant a enters SOAP, and its class. */
static bool eligible(const rmc_model *m, const rmc_params *p, const rmc_soap_state *s, size_t a,
                     double u, int *c)
{
    const bool partial = s->partial != NULL && s->partial[a];
    if ((s->skip != NULL && s->skip[a]) || (s->app_prog[a] != RMC_ID_NONE && !partial)) {
        return false;
    }
    const rmc_type t = (rmc_type)m->app_type[a];
    const double share =
        t == RMC_TYPE_US_MD || t == RMC_TYPE_US_DO ? p->soap_eligible_us : p->soap_eligible_img;
    *c = (m->visa[a] != RMC_VISA_NONE ? 1 : 0) | (partial ? 2 : 0);
    return u < share;
}

/* Applications, declines and the programs' words of every eligible
 * applicant (the words in w->tmp, counted per program in w->prog_fill).
 * Returns the eligible count; *n_words the words kept. */
static size_t build_applications(const rmc_model *m, const rmc_params *p, const rmc_soap_state *s,
                                 rmc_rng *rng, uint64_t seed, uint64_t r, rmc_soap_ws *w,
                                 size_t *n_words)
{
    const size_t A = (size_t)p->soap_applications;
    RMC_ASSERT(p->soap_applications <= w->applications);
    size_t n_elig = 0, nw = 0;
    memset(w->prog_fill, 0, m->n_prog * sizeof *w->prog_fill);
    w->app_off[0] = 0;
    for (size_t a = 0; a < m->n_app; a++) {
        const size_t off = w->app_off[a];
        size_t n = 0;
        w->declines[a] = 0;
        const bool candidate =
            (s->skip == NULL || !s->skip[a]) &&
            (s->app_prog[a] == RMC_ID_NONE || (s->partial != NULL && s->partial[a]));
        if (candidate) {
            rmc_rng_seek(rng, seed, r, RMC_STREAM_SOAP, (uint32_t)a);
            rmc_philox *g = rmc_rng_philox(rng);
            int c = 0;
            const double u = rmc_philox_uniform(g);
            for (int t = 0; t < p->soap_rounds; t++) {
                if (rmc_philox_uniform(g) < p->soap_decline) {
                    w->declines[a] |= (uint64_t)1 << t;
                }
            }
            if (eligible(m, p, s, a, u, &c)) {
                n_elig++;
                n = draw_applications(m, w, g, c, A, off);
                mark_interviews(m, w, a, true);
                nw = application_words(m, p, s, w, g, a, off, n, nw);
                mark_interviews(m, w, a, false);
            }
        }
        w->app_off[a + 1] = off + n;
    }
    *n_words = nw;
    return n_elig;
}

/* Rearrange a[0 .. n) so that its k smallest words come first (in any
 * order), k < n: quickselect, median-of-three pivots (words distinct). */
static void select_smallest(uint64_t *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (hi > lo) {
        const size_t mid = lo + (hi - lo) / 2;
        uint64_t x = a[lo], y = a[mid], z = a[hi];
        const uint64_t pivot =
            x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) {
                i++;
            }
            while (a[j] > pivot) {
                j--;
            }
            if (i <= j) {
                const uint64_t t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                if (j == 0) {
                    break;
                }
                j--;
            }
        }
        if (k <= j) {
            hi = j;
        } else if (k >= i) {
            lo = i;
        } else {
            return;
        }
    }
}

/* A head of about k of a[0 .. n)'s smallest words, k < n, moved to the
 * front (in any order); returns its length h (the rest are all larger).
 * Long lists by one pass: a pivot from an evenly spaced sample of
 * HEAD_SAMPLE words, at the sample rank where about k words fall below it,
 * and a branch-free partition around it; h is kept when it lies in
 * [k / 2, 2k] (a head of k / 2 still reaches far beyond where the offers
 * usually stop), trimmed to k by quickselect above that; else, and for
 * short lists, quickselect finds the k smallest. Any h gives the same
 * result (rmc_soap_run orders the rest when the rounds need it). */
enum { HEAD_SAMPLE = 32 };
static size_t select_head(uint64_t *a, size_t n, size_t k)
{
    if (n >= 4 * HEAD_SAMPLE) {
        /* about (t + 1) n / (HEAD_SAMPLE + 1) words are at most the
         * sample's t-th (from 0): at most about k */
        size_t t = k * (HEAD_SAMPLE + 1) / n;
        t -= t > 0;
        if (t < HEAD_SAMPLE) {
            uint64_t sample[HEAD_SAMPLE], scratch[HEAD_SAMPLE];
            for (size_t i = 0; i < HEAD_SAMPLE; i++) {
                sample[i] = a[i * n / HEAD_SAMPLE];
            }
            rmc_sort_u64(sample, scratch, HEAD_SAMPLE);
            const uint64_t pivot = sample[t];
            size_t h = 0;
            for (size_t i = 0; i < n; i++) { /* a[0 .. h) <= pivot < a[h .. i] */
                const uint64_t x = a[i];
                a[i] = a[h];
                a[h] = x;
                h += x <= pivot;
            }
            if (h > 2 * k) {
                select_smallest(a, h, k);
                return k;
            }
            if (2 * h >= k) {
                return h;
            }
        }
    }
    select_smallest(a, n, k);
    return k;
}

/* Order entries [from, to) of program j's list and write their applicants. */
static void order_part(rmc_soap_ws *w, size_t from, size_t to)
{
    rmc_sort_u64(w->words + from, w->tmp, to - from);
    for (size_t e = from; e < to; e++) {
        w->prog_app[e] = (rmc_id)rmc_pack_index(w->words[e]);
    }
}

/* The head of each program's list that its offers can reach in the common
 * case: 8 x rounds x places + 32 names. */
static size_t head_length(const rmc_params *p, const rmc_soap_ws *w, size_t j)
{
    if (w->head != SIZE_MAX) {
        return w->head > 0 ? w->head : SIZE_MAX;
    }
    return 8 * (size_t)p->soap_rounds * (size_t)w->places[j] + 32;
}

void rmc_soap_ws_set_head(rmc_soap_ws *w, size_t head)
{
    w->head = head;
}

void rmc_soap_ws_set_stamp(rmc_soap_ws *w, uint32_t stamp)
{
    w->stamp = stamp;
}

/* Bucket the words (w->tmp, counted per program in w->prog_fill) by
 * program into w->words and order the head of each program's list (the
 * rest stays unordered until the rounds need it: rmc_soap_run). */
static void build_program_lists(const rmc_model *m, const rmc_params *p, rmc_soap_ws *w, size_t nw)
{
    const size_t np = m->n_prog;
    w->prog_off[0] = 0;
    for (size_t j = 0; j < np; j++) {
        w->prog_off[j + 1] = w->prog_off[j] + w->prog_fill[j];
        w->prog_fill[j] = w->prog_off[j];
    }
    const uint64_t *const tmp = w->tmp;
    const rmc_id *const word_prog = w->word_prog;
    uint64_t *const words = w->words;
    size_t *const fill = w->prog_fill;
    for (size_t e = 0; e < nw; e++) {
        words[fill[word_prog[e]]++] = tmp[e];
    }
    for (size_t j = 0; j < np; j++) {
        const size_t b = w->prog_off[j], n = w->prog_off[j + 1] - b;
        const size_t k = head_length(p, w, j);
        w->prog_end[j] = b + (k < n ? select_head(w->words + b, n, k) : n);
        order_part(w, b, w->prog_end[j]);
    }
}

/* After the rounds on the lists' heads: order the rest of every list whose
 * program reached the end of its head with places left (it would have read
 * on). Returns whether any was. The head holds the list's smallest words, so
 * ordering the rest after them orders the whole list. */
static bool extend_heads(const rmc_model *m, rmc_soap_ws *w)
{
    bool any = false;
    for (size_t j = 0; j < m->n_prog; j++) {
        const size_t end = w->prog_off[j + 1];
        if (w->prog_end[j] < end && w->rw->next[j] == w->prog_end[j] && w->rw->left[j] > 0) {
            order_part(w, w->prog_end[j], end);
            w->prog_end[j] = end;
            any = true;
        }
    }
    return any;
}

void rmc_soap_run(const rmc_model *m, const rmc_params *p, const rmc_soap_state *s, rmc_rng *rng,
                  uint64_t seed, uint64_t r, rmc_soap_ws *w, rmc_soap_result *out)
{
    RMC_ASSERT(w->m == m);
    out->n_places = prepare_programs(m, p, s, w);
    size_t nw = 0;
    out->n_eligible = build_applications(m, p, s, rng, seed, r, w, &nw);
    build_program_lists(m, p, w, nw);
    const rmc_soap_lists L = {m->n_app,    m->n_prog,   p->soap_rounds, w->app_off,  w->app_prog,
                              w->prog_off, w->prog_app, w->places,      w->declines, w->prog_end};
    /* The rounds read each list only as far as its program offers; when a
     * program needed more than its ordered head, order its whole list and
     * run the rounds again (they draw nothing): the same result as on
     * fully ordered lists. */
    do {
        out->n_placed = rmc_soap_rounds(&L, w->rw, out->soap_prog, NULL, NULL, 0, NULL);
    } while (extend_heads(m, w));
    for (size_t j = 0; j < m->n_prog; j++) {
        out->fill_after[j] = s->fill[j];
    }
    for (size_t a = 0; a < m->n_app; a++) {
        if (out->soap_prog[a] != RMC_ID_NONE) {
            out->fill_after[out->soap_prog[a]]++;
        }
    }
}

const rmc_id *rmc_soap_ws_applications(const rmc_soap_ws *w, size_t a, size_t *n)
{
    RMC_ASSERT(a < w->m->n_app);
    *n = w->app_off[a + 1] - w->app_off[a];
    return w->app_prog + w->app_off[a];
}
