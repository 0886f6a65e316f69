/* Where to apply (rankmc/apply.h, docs/apply.md): K markets, each with the
 * applicant interviewing at every candidate (forecast placement); the
 * engine's runs with the applicant left out of the Match record every
 * candidate's admission cutoff (sim.c owns the parallel loop); then, per
 * replicate, the applicant's own meetings replayed from the same streams
 * (admissions) and the synth offer model drawn from its own streams
 * (offers, cap). The optimiser and the baselines then only combine those
 * draws, so every comparison uses common random numbers.
 *
 * Replicates 0 .. N-1 of each market are the evaluation replicates (every
 * figure reported), N .. 2N-1 the selection replicates (the greedy choice
 * only), so a reported gain is not inflated by having been chosen as the
 * largest on the same draws.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forecast_int.h"
#include "rankmc/apply.h"
#include "rankmc/rng.h"
#include "rankmc/sensitivity.h"
#include "rankmc/sim.h"
#include "rankmc/stats.h"
#include "synth_int.h"
#include "together_int.h"

void rmc_apply_options_default(rmc_apply_options *o)
{
    memset(o, 0, sizeof *o);
    o->market = "nrmp2025";
    o->n_markets = 4;
    o->replicates = 100;
    o->seed = 1;
    o->max_applications = 40;
}

/* ---- outcomes of a portfolio ---- */

int rmc_apply_outcome(const rmc_apply_draws *dr, size_t r, const size_t *set, size_t n,
                      int32_t *attended)
{
    const uint8_t *off = dr->offer + r * dr->C, *adm = dr->admit + r * dr->C;
    const int32_t cap = dr->cap[r];
    /* The attended interviews are the `cap` most preferred offers; matched
     * when one of them admits. Count offers preferred to each offer. */
    int32_t n_att = 0;
    int matched = 0;
    for (size_t a = 0; a < n; a++) {
        const size_t c = set[a];
        if (!off[c]) {
            continue;
        }
        int32_t better = 0;
        for (size_t b = 0; b < n; b++) {
            better += off[set[b]] && dr->pref[set[b]] < dr->pref[c];
        }
        if (better < cap) {
            n_att++;
            matched |= adm[c] != 0;
        }
    }
    if (attended != NULL) {
        *attended = n_att;
    }
    return matched;
}

/* One replicate's offered applications so far, most preferred first. */
typedef struct held {
    int32_t *pref; /* [cap_max] preference ranks, ascending */
    size_t *cand;  /* [cap_max] */
    size_t n;
    int32_t n_adm; /* admitting among the first min(cap, n) */
} held;

static void held_add(const rmc_apply_draws *dr, size_t r, held *h, size_t c)
{
    if (!dr->offer[r * dr->C + c]) {
        return;
    }
    size_t i = h->n;
    while (i > 0 && h->pref[i - 1] > dr->pref[c]) {
        h->pref[i] = h->pref[i - 1];
        h->cand[i] = h->cand[i - 1];
        i--;
    }
    h->pref[i] = dr->pref[c];
    h->cand[i] = c;
    h->n++;
    const size_t top = h->n < (size_t)dr->cap[r] ? h->n : (size_t)dr->cap[r];
    h->n_adm = 0;
    for (size_t t = 0; t < top; t++) {
        h->n_adm += dr->admit[r * dr->C + h->cand[t]] != 0;
    }
}

/* Matched in replicate r if c were added to h (h unchanged). */
static int held_with(const rmc_apply_draws *dr, size_t r, const held *h, size_t c)
{
    const uint8_t *adm = dr->admit + r * dr->C;
    if (!dr->offer[r * dr->C + c]) {
        return h->n_adm > 0;
    }
    const size_t cap = (size_t)dr->cap[r];
    if (h->n < cap) {
        return h->n_adm + adm[c] > 0;
    }
    const size_t w = h->cand[cap - 1]; /* the least preferred attended interview */
    if (dr->pref[c] < dr->pref[w]) {
        return h->n_adm - adm[w] + adm[c] > 0;
    }
    return h->n_adm > 0;
}

rmc_status rmc_apply_greedy(const rmc_apply_draws *dr, size_t r0, size_t r1, size_t M,
                            size_t *order, rmc_diag *d)
{
    const size_t C = dr->C, nr = r1 - r0;
    if (M > C) {
        return RMC_FAIL(d, RMC_EUSAGE, "%zu applications asked for, %zu candidates", M, C);
    }
    held *h = NULL;
    int32_t *pref = NULL;
    size_t *cand = NULL, *score = NULL, *alone = NULL;
    uint8_t *used = NULL;
    rmc_status st = RMC_OK;
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&h, nr, sizeof *h, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&pref, nr * (M + 1), sizeof *pref, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&cand, nr * (M + 1), sizeof *cand, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&score, C, sizeof *score, d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&used, C, 1, d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&alone, C, sizeof *alone, d), done);
    for (size_t i = 0; i < nr; i++) {
        h[i].pref = pref + i * (M + 1);
        h[i].cand = cand + i * (M + 1);
    }
    for (size_t i = 0; i < nr; i++) {
        for (size_t c = 0; c < C; c++) {
            alone[c] += dr->offer[(r0 + i) * C + c] && dr->admit[(r0 + i) * C + c];
        }
    }
    for (size_t k = 0; k < M; k++) {
        memset(score, 0, C * sizeof *score);
        for (size_t i = 0; i < nr; i++) {
            for (size_t c = 0; c < C; c++) {
                score[c] += (size_t)held_with(dr, r0 + i, &h[i], c);
            }
        }
        /* ties (often all zero gains once P(match) is 1 on these
         * replicates) go to the larger stand-alone P(offer and admitted),
         * then to the lower index */
        size_t best = C;
        for (size_t c = 0; c < C; c++) {
            if (!used[c] && (best == C || score[c] > score[best] ||
                             (score[c] == score[best] && alone[c] > alone[best]))) {
                best = c;
            }
        }
        used[best] = 1;
        order[k] = best;
        for (size_t i = 0; i < nr; i++) {
            held_add(dr, r0 + i, &h[i], best);
        }
    }
done:
    rmc_free(alone);
    rmc_free(used);
    rmc_free(score);
    rmc_free(cand);
    rmc_free(pref);
    rmc_free(h);
    return st;
}

/* ---- statistics (the forecast's, rmc_fc_stat; docs/forecast.md) ---- */

/* Mean and paired Monte Carlo SE of per-replicate differences a - b over
 * K markets of N replicates (a, b: [K*N] 0/1): sqrt(sum_k var_k / N) / K. */
static void paired_of(const uint8_t *a, const uint8_t *b, size_t K, uint64_t N, double *mean,
                      double *se)
{
    double m = 0, v = 0;
    for (size_t k = 0; k < K; k++) {
        double s = 0, s2 = 0;
        for (uint64_t r = 0; r < N; r++) {
            const double x = (double)a[k * N + r] - (double)b[k * N + r];
            s += x;
            s2 += x * x;
        }
        const double mk = s / (double)N;
        m += mk;
        if (N > 1) {
            v += (s2 - (double)N * mk * mk) / (double)(N - 1) / (double)N;
        }
    }
    *mean = m / (double)K;
    *se = sqrt(v) / (double)K;
}

/* ---- the run ---- */

typedef struct ap_run {
    const rmc_profile_file *pf;
    const rmc_apply_options *o;
    const rmc_synth_preset *pre;
    rmc_apply_result *res;
    rmc_profile_file desc; /* the applicant with one program per candidate */
    size_t K, C, M;
    uint64_t N; /* evaluation replicates; 2N run per market */
    rmc_synth_group group;
    rmc_rng *rng;
    /* draws: evaluation replicates k*N + r, then selection ones K*N + k*N + r */
    uint8_t *offer, *admit; /* [2KN][C] */
    int32_t *cap;           /* [2KN] */
    int32_t *pref;          /* [C] */
    struct ap_whatif *wi;   /* [n_wi] */
    size_t n_wi;
} ap_run;

enum { WI_CK, WI_COMM, WI_USEXP, WI_VISA, WI_MAX = 8 };

/* A what-if's change and its draws ([2KN][C], rows as the base draws). */
typedef struct ap_whatif {
    char desc[112];
    int kind;     /* WI_* */
    double value; /* Step 2 CK points (WI_CK), the new rmc_usexp / rmc_visa */
    uint8_t *offer, *admit;
} ap_whatif;

/* "SPECIALTY SETTING k" (synth names): the specialty and setting. */
static bool synth_name(const char *name, char *spec, size_t cap, rmc_setting *set)
{
    const char *sp = strchr(name, ' ');
    if (sp == NULL || (size_t)(sp - name) >= cap) {
        return false;
    }
    memcpy(spec, name, (size_t)(sp - name));
    spec[sp - name] = '\0';
    *set = strncmp(sp + 1, "academic ", 9) == 0     ? RMC_SETTING_ACADEMIC
           : strncmp(sp + 1, "community ", 10) == 0 ? RMC_SETTING_COMMUNITY
                                                    : RMC_SETTING_ANY;
    return *set != RMC_SETTING_ANY;
}

/* The candidate ids of a --candidates file: one a line, '#' comments. */
static rmc_status read_ids(const char *path, rmc_problems *pr, char (**ids)[64], long **lines,
                           size_t *n, rmc_diag *d)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return RMC_FAIL_AT(d, RMC_EIO, path, 0, "cannot open the candidates file");
    }
    char buf[512];
    size_t cap = 1;
    while (fgets(buf, sizeof buf, f) != NULL) {
        cap++;
    }
    rewind(f);
    rmc_status st = rmc_alloc_array((void **)ids, cap, sizeof **ids, d);
    if (st == RMC_OK) {
        st = rmc_alloc_array((void **)lines, cap, sizeof **lines, d);
    }
    long line = 0;
    *n = 0;
    while (st == RMC_OK && *n < cap && fgets(buf, sizeof buf, f) != NULL) {
        line++;
        char *hash = strchr(buf, '#');
        if (hash != NULL) {
            *hash = '\0';
        }
        char *s = buf;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        size_t len = strlen(s);
        while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' ' ||
                           s[len - 1] == '\t' || s[len - 1] == ',')) {
            s[--len] = '\0';
        }
        if (len == 0) {
            continue;
        }
        if (len >= 64) {
            rmc_problems_add(pr, path, line, "a program id of %zu characters (at most 63)", len);
            continue;
        }
        memcpy((*ids)[*n], s, len + 1); /* len < 64, checked above */
        (*lines)[*n] = line;
        (*n)++;
    }
    fclose(f);
    if (st == RMC_OK && *n == 0) {
        rmc_problems_add(pr, path, 0, "no program id (one a line)");
    }
    return st;
}

static bool sponsors_visa(int sponsors, rmc_visa v)
{
    if (v == RMC_VISA_NONE) {
        return sponsors != RMC_SPONSORS_NONE; /* "IMG-friendly" */
    }
    return v == RMC_VISA_H1B ? sponsors == RMC_SPONSORS_J1_H1B : sponsors != RMC_SPONSORS_NONE;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The profile's described programs are the candidates. */
static rmc_status from_profile(ap_run *A, rmc_diag *d)
{
    const rmc_profile_file *pf = A->pf;
    rmc_apply_result *res = A->res;
    RMC_TRY(
        rmc_alloc_array((void **)&A->desc.programs, pf->n_programs, sizeof *A->desc.programs, d));
    RMC_TRY(
        rmc_calloc_array((void **)&res->candidates, pf->n_programs, sizeof *res->candidates, d));
    for (size_t l = 0; l < pf->n_programs; l++) {
        A->desc.programs[l] = pf->programs[l];
        rmc_apply_candidate *c = &res->candidates[l];
        snprintf(c->id, sizeof c->id, "%.63s", pf->programs[l].name);
        snprintf(c->name, sizeof c->name, "%s", pf->programs[l].name);
        c->positions = pf->programs[l].positions;
        c->sponsors = (int)pf->programs[l].sponsors; /* desirability: as placed, later */
    }
    A->desc.n_programs = pf->n_programs;
    A->C = pf->n_programs;
    return RMC_OK;
}

static bool in_specialty(const rmc_model *m0, size_t j, const char *specialty, rmc_setting *set)
{
    char spec[64];
    return synth_name(m0->prog_name[j], spec, sizeof spec, set) && strcmp(spec, specialty) == 0;
}

/* want[j]: market-0 program j of the specialty passes the filters
 * (--min-desirability, --setting); *n_spec the specialty's programs. */
static rmc_status filter(const ap_run *A, const rmc_model *m0, bool *want, size_t *n_spec,
                         rmc_diag *d)
{
    const rmc_apply_options *o = A->o;
    double *sorted = NULL;
    RMC_TRY(rmc_alloc_array((void **)&sorted, m0->n_prog, sizeof *sorted, d));
    size_t n = 0;
    rmc_setting set;
    for (size_t j = 0; j < m0->n_prog; j++) {
        if (in_specialty(m0, j, A->pf->specialty, &set)) {
            sorted[n++] = m0->desirability[j];
        }
    }
    qsort(sorted, n, sizeof *sorted, cmp_double);
    for (size_t j = 0; j < m0->n_prog; j++) {
        if (!in_specialty(m0, j, A->pf->specialty, &set)) {
            continue;
        }
        /* the share of the specialty's programs below j (docs/forecast.md) */
        size_t below = 0;
        while (below < n && sorted[below] < m0->desirability[j]) {
            below++;
        }
        const double q = n > 1 ? (double)below / (double)(n - 1) : 0.5;
        want[j] = o->candidates == NULL && q >= o->min_quantile &&
                  (o->setting == RMC_SETTING_ANY || o->setting == set);
    }
    rmc_free(sorted);
    *n_spec = n;
    return RMC_OK;
}

/* want[j] for the ids of a --candidates file; problems at their lines. */
static rmc_status listed(const ap_run *A, const rmc_model *m0, bool *want, rmc_problems *pr,
                         rmc_diag *d)
{
    const rmc_apply_options *o = A->o;
    char(*ids)[64] = NULL;
    long *lines = NULL;
    size_t n_ids = 0;
    rmc_status st = read_ids(o->candidates, pr, &ids, &lines, &n_ids, d);
    bool bad = st == RMC_OK && n_ids == 0;
    rmc_setting set;
    for (size_t t = 0; st == RMC_OK && t < n_ids; t++) {
        const rmc_id j = rmc_model_find_program(m0, ids[t]);
        if (j == RMC_ID_NONE || !in_specialty(m0, (size_t)j, A->pf->specialty, &set)) {
            rmc_problems_add(pr, o->candidates, lines[t],
                             "'%s' is not a program of specialty '%s' in market 0 of %s", ids[t],
                             A->pf->specialty, o->market);
            bad = true;
        } else if (want[j]) {
            rmc_problems_add(pr, o->candidates, lines[t], "'%s' listed twice", ids[t]);
            bad = true;
        } else {
            want[j] = true;
        }
    }
    rmc_free(ids);
    rmc_free(lines);
    return st == RMC_OK && bad ? RMC_EINPUT : st;
}

/* One description per wanted program, in market-0 order: placed in market
 * 0, each takes exactly its own program (distance 0, every lower one
 * already taken). */
static rmc_status describe(ap_run *A, const rmc_model *m0, const bool *want, size_t n, rmc_diag *d)
{
    rmc_apply_result *res = A->res;
    RMC_TRY(rmc_calloc_array((void **)&A->desc.programs, n, sizeof *A->desc.programs, d));
    RMC_TRY(rmc_calloc_array((void **)&res->candidates, n, sizeof *res->candidates, d));
    rmc_setting set;
    for (size_t j = 0, l = 0; j < m0->n_prog; j++) {
        if (!want[j]) {
            continue;
        }
        in_specialty(m0, j, A->pf->specialty, &set);
        rmc_profile_program *pp = &A->desc.programs[l];
        snprintf(pp->name, sizeof pp->name, "%s", m0->prog_name[j]);
        pp->positions = m0->positions[j];
        pp->setting = set;
        pp->sponsors = (rmc_sponsors)m0->sponsors[j];
        pp->tier = RMC_TIER_Z;
        pp->desirability = m0->desirability[j];
        pp->advocacy = RMC_ADVOCACY_NONE;
        pp->interest = RMC_INTEREST_NORMAL;
        rmc_apply_candidate *c = &res->candidates[l++];
        snprintf(c->id, sizeof c->id, "%s", m0->prog_id[j]);
        snprintf(c->name, sizeof c->name, "%s", m0->prog_name[j]);
        c->positions = pp->positions;
        c->sponsors = (int)pp->sponsors;
    }
    A->desc.n_programs = n;
    A->C = n;
    return RMC_OK;
}

/* The candidates from market 0 (or the profile's programs): descriptions
 * for placement and the result's candidate table. */
static rmc_status make_candidates(ap_run *A, const char *base0, rmc_problems *pr, rmc_diag *d)
{
    const rmc_profile_file *pf = A->pf;
    A->desc = *pf;
    A->desc.partner = NULL; /* apply places one applicant: a [partner] is not read */
    A->desc.programs = NULL;
    A->desc.n_programs = 0;
    if (pf->n_programs > 0) {
        return from_profile(A, d);
    }
    rmc_model *m0 = NULL;
    bool *want = NULL;
    size_t n_spec = 0, n = 0;
    rmc_status st = RMC_OK;
    RMC_TRY_GOTO(st, rmc_model_load(base0, pr, d, &m0), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&want, m0->n_prog, sizeof *want, d), done);
    RMC_TRY_GOTO(st, filter(A, m0, want, &n_spec, d), done);
    if (n_spec == 0) {
        rmc_problems_add(pr, pf->path, pf->specialty_line,
                         "unknown specialty '%s' in market %s (synth names: internal_medicine, "
                         "family_medicine, pediatrics, ...)",
                         pf->specialty, A->o->market);
        st = RMC_EINPUT;
        goto done;
    }
    if (A->o->candidates != NULL) {
        RMC_TRY_GOTO(st, listed(A, m0, want, pr, d), done);
    }
    for (size_t j = 0; j < m0->n_prog; j++) {
        n += want[j];
    }
    if (n == 0) {
        rmc_problems_add(pr, pf->path, pf->specialty_line,
                         "no program of specialty '%s' in market 0 passes the candidate filters "
                         "(--min-desirability, --setting)",
                         pf->specialty);
        st = RMC_EINPUT;
        goto done;
    }
    st = describe(A, m0, want, n, d);
done:
    rmc_free(want);
    rmc_model_free(m0);
    return st;
}

/* A synth program id "p0012" -> its index 11 (docs/synth.md: rows in index
 * order, ids zero-padded). */
static size_t synth_index(const char *id, size_t n)
{
    char *end = NULL;
    const unsigned long v = id[0] == 'p' ? strtoul(id + 1, &end, 10) : 0;
    (void)n;
    RMC_ASSERT(end != NULL && *end == '\0' && v >= 1 && v <= n);
    return (size_t)v - 1;
}

/* Row of market k, engine replicate r in the draws. */
static size_t row_of(const ap_run *A, size_t k, uint64_t r)
{
    const size_t KN = A->K * (size_t)A->N;
    return r < A->N ? k * (size_t)A->N + (size_t)r : KN + k * (size_t)A->N + (size_t)(r - A->N);
}

/* The engine on market k's 2N replicates, the applicant left out of the
 * Match: cutoff[r * C + l] gets candidate l's admission cutoff. */
static rmc_status run_engine(ap_run *A, const rmc_fc_market *mk, rmc_id *cutoff, rmc_diag *d)
{
    const rmc_apply_options *o = A->o;
    rmc_sim_options so;
    rmc_sim_options_default(&so);
    so.seed = o->seed;
    so.replicates = 2 * A->N;
    so.threads = o->threads;
    so.stop = o->stop;
    so.rank_bins = 1;
    so.skip_soap = true; /* apply reads the Main Match only */
    so.n_exclude = 1;
    so.exclude = &mk->app;
    so.n_cutoff = A->C;
    so.cutoff_prog = mk->prog;
    so.cutoff_iv = cutoff;
    rmc_sim_stats ss;
    rmc_accum *acc = NULL;
    RMC_TRY(rmc_sim_run(mk->m, &mk->m->params, &so, &acc, &ss, d));
    rmc_accum_free(acc);
    A->res->sim_seconds += ss.wall_seconds;
    A->res->threads = ss.threads;
    snprintf(A->res->rng_name, sizeof A->res->rng_name, "%s", ss.rng_name);
    return ss.stopped ? RMC_FAIL(d, RMC_EINTERRUPTED, "stopped") : RMC_OK;
}

/* What one pass over a market's replicates needs. */
typedef struct replay_ctx {
    const rmc_fc_market *mk;
    const rmc_model *m;   /* the market, or a what-if variant of it */
    rmc_meeting_ws *ws;   /* for m */
    const rmc_id *cutoff; /* [2N][C] Match cutoffs */
    const double *cut;    /* [C] offer cutoffs */
    double *day;          /* scratch [n_app], [n_iv], [n_iv * F] */
    int32_t *rank;
    float *moves;
    double pre;     /* the applicant's pre_score for the offer score */
    rmc_visa visa;  /* their visa for the screen */
    uint8_t *offer; /* out [2KN][C] */
    uint8_t *admit;
    bool draw_cap; /* also A->cap */
} replay_ctx;

/* Every replicate of market k: offers from the applicant's own streams,
 * then their meetings where an offer makes them matter (an admission
 * without an offer never counts, and a program's meeting draws only from
 * its own streams, so skipping one changes no other), and the cap. */
static void replay_rows(ap_run *A, size_t k, const replay_ctx *c)
{
    const size_t C = A->C;
    const uint64_t mseed = A->res->market_seeds[k], seed = A->o->seed;
    const rmc_model *m = c->m;
    for (uint64_t r = 0; r < 2 * A->N; r++) {
        const size_t row = row_of(A, k, r);
        uint8_t *adm = c->admit + row * C, *off = c->offer + row * C;
        for (size_t l = 0; l < C; l++) {
            rmc_rng_seek(A->rng, mseed, r, RMC_STREAM_APPLY, (uint32_t)l);
            const gsl_rng *g = rmc_rng_gsl(A->rng);
            const bool considered =
                rmc_synth_considers(g, A->pre, (int)c->visa, (int)m->sponsors[c->mk->prog[l]]);
            const double score = rmc_synth_offer_score(g, A->pre, (int)A->group, c->pre);
            off[l] = considered && score > c->cut[l];
        }
        rmc_meeting_draw_applicants(m, &m->params, A->rng, seed, r, c->day);
        for (size_t l = 0; l < C; l++) {
            adm[l] = 0;
            if (!off[l]) {
                continue;
            }
            rmc_meeting_run(m, &m->params, (size_t)c->mk->prog[l], c->day, A->rng, seed, r, c->ws,
                            c->rank, c->moves);
            (void)rmc_together_program(m, &m->params, (size_t)c->mk->prog[l], c->rank);
            const int32_t ra = c->rank[c->mk->iv[l]];
            const rmc_id cu = c->cutoff[(size_t)r * C + l];
            adm[l] = ra >= 0 && (cu == RMC_ID_NONE || ra < c->rank[cu]);
        }
        if (c->draw_cap) {
            rmc_rng_seek(A->rng, mseed, r, RMC_STREAM_APPLY, (uint32_t)C);
            A->cap[row] = rmc_synth_draw_cap(rmc_rng_gsl(A->rng), &A->pre->groups[A->group]);
        }
    }
}

/* What-if w's draws in market k: the applicant changed in a variant of the
 * market, the same streams (common random numbers), the same cutoffs. */
static rmc_status whatif_rows(ap_run *A, size_t k, const replay_ctx *base, ap_whatif *w,
                              rmc_diag *d)
{
    const rmc_profile_file *pf = A->pf;
    const rmc_model *m = base->m;
    const size_t a = (size_t)base->mk->app;
    rmc_variant *v = NULL;
    rmc_meeting_ws *ws = NULL;
    replay_ctx c = *base;
    c.offer = w->offer;
    c.admit = w->admit;
    c.draw_cap = false;
    rmc_status st = rmc_variant_alloc(m, &v, d);
    if (st == RMC_OK && w->kind == WI_CK) {
        if (pf->has_step2_ck) {
            const double ck = fmin(300.0, fmax(1.0, pf->step2_ck + w->value));
            c.pre = rmc_step2_ck_pre_score(&m->params, pf->type, ck);
        } else {
            c.pre = base->pre + w->value * m->params.step2_ck_weight / m->params.step2_ck_sd;
        }
        st = rmc_variant_set_pre_score(v, a, c.pre, d);
    } else if (st == RMC_OK && w->kind == WI_COMM) {
        st = rmc_variant_set_communication(v, a, 1.0, d);
    } else if (st == RMC_OK && w->kind == WI_USEXP) {
        st = rmc_variant_set_us_experience(v, a, (rmc_usexp)w->value, d);
    } else if (st == RMC_OK) {
        c.visa = (rmc_visa)w->value;
        st = rmc_variant_set_visa(v, a, c.visa, d);
    }
    if (st == RMC_OK) {
        c.m = rmc_variant_model(v);
        st = rmc_meeting_ws_alloc(c.m, &ws, d);
    }
    if (st == RMC_OK) {
        c.ws = ws;
        replay_rows(A, k, &c);
    }
    rmc_meeting_ws_free(ws);
    rmc_variant_free(v);
    return st;
}

/* The what-ifs of this applicant (as the forecast's, docs/apply.md). */
static rmc_status make_whatifs(ap_run *A, rmc_diag *d)
{
    const rmc_profile_file *pf = A->pf;
    RMC_TRY(rmc_calloc_array((void **)&A->wi, WI_MAX, sizeof *A->wi, d));
    ap_whatif *w = A->wi;
    for (int sign = 1; sign >= -1; sign -= 2) {
        w->kind = WI_CK;
        w->value = 10.0 * sign;
        if (pf->has_step2_ck) {
            snprintf(w->desc, sizeof w->desc, "Step 2 CK %.0f -> %.0f", pf->step2_ck,
                     fmin(300.0, fmax(1.0, pf->step2_ck + w->value)));
        } else {
            snprintf(w->desc, sizeof w->desc, "pre_score %+.0f Step 2 CK points", w->value);
        }
        w++;
    }
    if (pf->communication < 1.0) {
        *w = (ap_whatif){.kind = WI_COMM};
        snprintf(w->desc, sizeof w->desc, "communication %.2f -> 1.00 (concern removed)",
                 pf->communication);
        w++;
    }
    if (pf->us_experience + 1 < RMC_N_USEXP) {
        *w = (ap_whatif){.kind = WI_USEXP, .value = (double)(pf->us_experience + 1)};
        snprintf(w->desc, sizeof w->desc, "US experience %s -> %s",
                 rmc_usexp_name(pf->us_experience),
                 rmc_usexp_name((rmc_usexp)(pf->us_experience + 1)));
        w++;
    }
    if (pf->visa != RMC_VISA_NONE) {
        const rmc_visa to = pf->visa == RMC_VISA_J1 ? RMC_VISA_H1B : RMC_VISA_J1;
        *w = (ap_whatif){.kind = WI_VISA, .value = (double)to};
        snprintf(w->desc, sizeof w->desc, "visa %s -> %s", rmc_visa_name(pf->visa),
                 rmc_visa_name(to));
        w++;
    }
    A->n_wi = (size_t)(w - A->wi);
    const size_t cells = 2 * A->K * (size_t)A->N * A->C;
    for (size_t i = 0; i < A->n_wi; i++) {
        RMC_TRY(rmc_alloc_array((void **)&A->wi[i].offer, cells, 1, d));
        RMC_TRY(rmc_alloc_array((void **)&A->wi[i].admit, cells, 1, d));
    }
    return RMC_OK;
}

/* The engine, then every replicate's admissions, offers and cap. */
static rmc_status draw_market(ap_run *A, size_t k, const rmc_fc_market *mk, const double *offer_cut,
                              size_t n_cut, rmc_diag *d)
{
    const size_t C = A->C;
    const uint64_t R2 = 2 * A->N;
    const rmc_model *m = mk->m;
    rmc_id *cutoff = NULL;
    double *cut = NULL, *day = NULL;
    int32_t *rank = NULL;
    float *moves = NULL;
    rmc_meeting_ws *ws = NULL;
    rmc_status st = RMC_OK;
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&cutoff, (size_t)R2 * C, sizeof *cutoff, d), done);
    RMC_TRY_GOTO(st, run_engine(A, mk, cutoff, d), done);
    const double t0 = omp_get_wtime();
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&cut, C, sizeof *cut, d), done);
    for (size_t l = 0; l < C; l++) {
        cut[l] = offer_cut[synth_index(mk->replaced[l], n_cut)];
        if (k == 0) {
            A->res->candidates[l].offer_cutoff = cut[l];
        }
    }
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&day, m->n_app, sizeof *day, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&rank, m->n_iv, sizeof *rank, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&moves, m->n_iv * RMC_N_FACTORS, sizeof *moves, d),
                 done);
    RMC_TRY_GOTO(st, rmc_meeting_ws_alloc(m, &ws, d), done);
    replay_ctx rc = {mk,          m,        ws,       cutoff, cut, day, rank, moves, mk->pre_score,
                     A->pf->visa, A->offer, A->admit, true};
    replay_rows(A, k, &rc);
    for (size_t w = 0; w < A->n_wi; w++) {
        RMC_TRY_GOTO(st, whatif_rows(A, k, &rc, &A->wi[w], d), done);
    }
    A->res->eval_seconds += omp_get_wtime() - t0;
done:
    rmc_meeting_ws_free(ws);
    rmc_free(moves);
    rmc_free(rank);
    rmc_free(day);
    rmc_free(cut);
    rmc_free(cutoff);
    return st;
}

/* A visa applicant needs at least one candidate that can rank them. */
static bool visa_possible(const ap_run *A, rmc_problems *pr)
{
    if (A->pf->visa == RMC_VISA_NONE) {
        return true;
    }
    for (size_t c = 0; c < A->C; c++) {
        if (A->res->candidates[c].sponsors != RMC_SPONSORS_NONE) {
            return true;
        }
    }
    rmc_problems_add(pr, A->pf->path, 0,
                     "no candidate program sponsors a visa, so none can consider you (visa %s): "
                     "choose candidates that sponsor J1%s",
                     rmc_visa_name(A->pf->visa), A->pf->visa == RMC_VISA_H1B ? " or H1B" : "");
    return false;
}

/* After the candidates are known (market 0): the visa, M, the steps. */
static rmc_status check_candidates(ap_run *A, rmc_problems *pr, rmc_diag *d)
{
    A->res->n_candidates = A->C;
    if (!visa_possible(A, pr)) {
        return RMC_EINPUT;
    }
    if (A->o->max_applications > A->C) {
        return RMC_FAIL(d, RMC_EUSAGE, "--max-applications %zu: only %zu candidate programs",
                        A->o->max_applications, A->C);
    }
    A->M = A->o->max_applications;
    A->res->n_steps = A->M;
    if (A->o->what_ifs) {
        RMC_TRY(make_whatifs(A, d));
    }
    return rmc_calloc_array((void **)&A->res->steps, A->M, sizeof *A->res->steps, d);
}

/* Market k synthesised with its offer cutoffs into work_dir/synth<k>
 * (removed after) and the applicant placed into work_dir/market<k>.
 * Market 0 also makes the candidate list (A->desc); the others only read
 * A, so they are built several at once (build_body). */
typedef struct ap_build {
    rmc_fc_market mk;
    double *offer_cut;
    size_t n_cut;
    rmc_status st;
    rmc_diag d;
} ap_build;

static void build_market(ap_run *A, const char *preset, double scale, size_t k, rmc_problems *pr,
                         ap_build *b)
{
    const rmc_apply_options *o = A->o;
    char base[4096], placed[4096];
    snprintf(base, sizeof base, "%s/synth%zu", o->work_dir, k);
    snprintf(placed, sizeof placed, "%s/market%zu", o->work_dir, k);
    rmc_synth_options so;
    rmc_synth_options_default(&so);
    so.preset = preset;
    so.scale = scale;
    so.seed = rmc_forecast_market_seed(o->seed, k);
    so.tracks = 0; /* categorical markets: the offer model has no tracks (docs/synth.md) */
    so.force = true;
    A->res->market_seeds[k] = so.seed; /* market k's own slot */
    b->st = rmc_synth_write_offers(&so, base, NULL, &b->offer_cut, &b->n_cut, &b->d);
    if (b->st == RMC_OK && k == 0) {
        b->st = make_candidates(A, base, pr, &b->d);
        if (b->st == RMC_OK) {
            b->st = check_candidates(A, pr, &b->d);
        }
    }
    if (b->st == RMC_OK) {
        b->st = rmc_fc_market_build(&A->desc, base, placed, false, pr, &b->mk, &b->d);
    }
    rmc_fc_remove_model_dir(base);
}

static void ap_build_free(ap_build *b)
{
    rmc_fc_market_free(&b->mk);
    rmc_free(b->offer_cut);
    memset(b, 0, sizeof *b);
}

/* rmc_par_for's body: market first + i into builds[i]. */
typedef struct ap_build_ctx {
    ap_run *A;
    const char *preset;
    double scale;
    size_t first;
    rmc_problems *pr; /* a lone build's; NULL when several run at once */
    ap_build *builds;
} ap_build_ctx;

static void build_body(void *ctx, size_t i, int thread)
{
    (void)thread;
    const ap_build_ctx *c = ctx;
    build_market(c->A, c->preset, c->scale, c->first + i, c->pr, &c->builds[i]);
}

/* The draws of built market k (b). */
static rmc_status run_market(ap_run *A, size_t k, const ap_build *b, rmc_diag *d)
{
    const rmc_fc_market *mk = &b->mk;
    if (k == 0) {
        snprintf(A->res->market_sha256, sizeof A->res->market_sha256, "%s", mk->m->sha256);
        A->res->pre_score = mk->pre_score;
        for (size_t l = 0; l < A->C; l++) { /* as placed: a tier word is a z value now */
            A->res->candidates[l].desirability = mk->m->desirability[mk->prog[l]];
        }
        RMC_TRY(rmc_alloc_array((void **)&A->offer, 2 * A->K * (size_t)A->N * A->C, 1, d));
        RMC_TRY(rmc_alloc_array((void **)&A->admit, 2 * A->K * (size_t)A->N * A->C, 1, d));
        RMC_TRY(rmc_alloc_array((void **)&A->cap, 2 * A->K * (size_t)A->N, sizeof *A->cap, d));
    }
    return draw_market(A, k, mk, b->offer_cut, b->n_cut, d);
}

/* Every market: market 0 alone (it makes the candidates), then the rest a
 * wave of one a thread at a time, each drawn in turn on every thread. A
 * market that fails in a wave is built again alone for its problems. */
static rmc_status all_markets(ap_run *A, const char *preset, double scale, rmc_problems *problems,
                              rmc_diag *d)
{
    const rmc_apply_options *o = A->o;
    const int threads = o->threads > 0 ? o->threads : omp_get_max_threads();
    const size_t most = threads > 1 ? (size_t)threads : 1;
    ap_build *builds = NULL;
    RMC_TRY(rmc_calloc_array((void **)&builds, most, sizeof *builds, d));
    rmc_status st = RMC_OK;
    for (size_t k0 = 0; k0 < A->K && st == RMC_OK;) {
        const size_t left = A->K - k0, m = k0 == 0 ? 1 : (left < most ? left : most);
        ap_build_ctx bc = {A, preset, scale, k0, m == 1 ? problems : NULL, builds};
        const double t0 = omp_get_wtime();
        rmc_par_for(m, (int)m, build_body, &bc);
        A->res->build_seconds += omp_get_wtime() - t0; /* wall time, the wave's builds together */
        for (size_t i = 0; i < m; i++) {
            ap_build *b = &builds[i];
            if (st == RMC_OK && b->st != RMC_OK && bc.pr == NULL && problems != NULL) {
                ap_build_free(b);
                build_market(A, preset, scale, k0 + i, problems, b);
            }
            if (st == RMC_OK && b->st != RMC_OK) {
                st = b->st; /* the lowest market that failed */
                if (d != NULL) {
                    *d = b->d;
                }
            }
            if (st == RMC_OK) {
                st = run_market(A, k0 + i, b, d);
            }
            ap_build_free(b);
            if (st == RMC_OK && o->progress != NULL) {
                o->progress(o->progress_ctx, k0 + i + 1, A->K);
            }
        }
        k0 += m;
    }
    rmc_free(builds);
    return st;
}

/* ---- after the draws ---- */

/* matched[k*N + r] of the evaluation replicates for the first `upto`
 * applications of order (order_of(r) gives replicate r's order). */
typedef const size_t *(*order_fn)(void *ctx, size_t row);

/* Walk every evaluation replicate along its order: out[s][row] matched
 * with the first s + 1 applications, att[s] summed attended. */
typedef struct walk_order {
    order_fn fn; /* replicate row -> its order */
    void *ctx;
    size_t len; /* applications in each order (<= M; the outcome stays after that) */
} walk_order;

static rmc_status walk_rows(const ap_run *A, const rmc_apply_draws *dr, const walk_order *wo,
                            uint8_t *out, double *att, rmc_diag *d)
{
    const order_fn fn = wo->fn;
    void *ctx = wo->ctx;
    const size_t len = wo->len;
    const size_t KN = A->K * (size_t)A->N, M = A->M;
    int32_t *pref = NULL;
    size_t *cand = NULL;
    RMC_TRY(rmc_alloc_array((void **)&pref, M + 1, sizeof *pref, d));
    rmc_status st = rmc_alloc_array((void **)&cand, M + 1, sizeof *cand, d);
    for (size_t row = 0; st == RMC_OK && row < KN; row++) {
        held h = {.pref = pref, .cand = cand};
        const size_t *ord = fn(ctx, row);
        for (size_t s = 0; s < M; s++) {
            if (s < len) {
                held_add(dr, row, &h, ord[s]);
            }
            out[s * KN + row] = h.n_adm > 0;
            if (att != NULL) {
                att[s] += (double)(h.n < (size_t)dr->cap[row] ? h.n : (size_t)dr->cap[row]);
            }
        }
    }
    rmc_free(cand);
    rmc_free(pref);
    return st;
}

static const size_t *same_order(void *ctx, size_t row)
{
    (void)row;
    return ctx;
}

typedef struct per_row {
    const size_t *orders; /* [KN][M] */
    size_t M;
} per_row;

static const size_t *row_order(void *ctx, size_t row)
{
    const per_row *p = ctx;
    return p->orders + row * p->M;
}

static rmc_forecast_stat stat_rows(const ap_run *A, const uint8_t *x)
{
    uint32_t cnt[1024];
    for (size_t k = 0; k < A->K; k++) {
        cnt[k] = 0;
        for (uint64_t r = 0; r < A->N; r++) {
            cnt[k] += x[k * A->N + r];
        }
    }
    return rmc_fc_stat(cnt, A->K, A->N);
}

/* Random orders (per replicate) of the candidates allowed by ok (NULL: all),
 * at most M of them; *avail gets how many were allowed. */
static rmc_status random_orders(ap_run *A, const bool *ok, size_t **orders, size_t *len,
                                uint32_t sub, rmc_diag *d)
{
    const size_t KN = A->K * (size_t)A->N, C = A->C, M = A->M;
    size_t *pool = NULL, n = 0;
    RMC_TRY(rmc_alloc_array((void **)&pool, C, sizeof *pool, d));
    rmc_status st = rmc_alloc_array((void **)orders, KN * M, sizeof **orders, d);
    for (size_t c = 0; c < C; c++) {
        if (ok == NULL || ok[c]) {
            pool[n++] = c;
        }
    }
    *len = n < M ? n : M;
    size_t *work = NULL;
    if (st == RMC_OK) {
        st = rmc_alloc_array((void **)&work, n > 0 ? n : 1, sizeof *work, d);
    }
    for (size_t row = 0; st == RMC_OK && row < KN; row++) {
        const size_t k = row / (size_t)A->N;
        const uint64_t r = row % A->N;
        rmc_rng_seek(A->rng, A->res->market_seeds[k], r, RMC_STREAM_APPLY, (uint32_t)C + sub);
        memcpy(work, pool, n * sizeof *work);
        for (size_t s = 0; s < *len; s++) { /* partial Fisher-Yates */
            const size_t t = s + gsl_rng_uniform_int(rmc_rng_gsl(A->rng), n - s);
            const size_t tmp = work[s];
            work[s] = work[t];
            work[t] = tmp;
            (*orders)[row * M + s] = work[s];
        }
    }
    rmc_free(work);
    rmc_free(pool);
    return st;
}

static int cmp_pref(const void *a, const void *b, void *ctx);

/* Candidates' P(offer) and P(alone) on the evaluation replicates (col:
 * [KN] scratch). */
static void candidate_stats(ap_run *A, uint8_t *col)
{
    const size_t C = A->C, KN = A->K * (size_t)A->N;
    for (size_t c = 0; c < C; c++) {
        for (size_t row = 0; row < KN; row++) {
            col[row] = A->offer[row * C + c];
        }
        A->res->candidates[c].p_offer = stat_rows(A, col);
        for (size_t row = 0; row < KN; row++) {
            col[row] = A->admit[row * C + c]; /* admitted only where offered */
        }
        A->res->candidates[c].p_alone = stat_rows(A, col);
    }
}

/* Baseline b on the evaluation replicates (base: [M][KN] scratch), each
 * step paired with the optimiser's outcomes opt. */
typedef struct bl_work {
    const uint8_t *opt;     /* [M][KN] the optimiser's outcomes */
    uint8_t *base;          /* [M][KN] scratch */
    const bool *ok;         /* [C] sponsors the applicant's visa */
    const size_t *by_desir; /* [C] candidates, most desirable first */
} bl_work;

static rmc_status one_baseline(ap_run *A, const rmc_apply_draws *dr, int b, const bl_work *w,
                               rmc_diag *d)
{
    const uint8_t *opt = w->opt;
    uint8_t *base = w->base;
    const bool *ok = w->ok;
    static const char *const names[RMC_APPLY_N_BASELINES] = {"random", "most_desirable",
                                                             "visa_sponsoring"};
    const size_t C = A->C, M = A->M, KN = A->K * (size_t)A->N;
    rmc_apply_baseline *bl = &A->res->baselines[b];
    snprintf(bl->name, sizeof bl->name, "%s", names[b]);
    RMC_TRY(rmc_alloc_array((void **)&bl->p_match, M, sizeof *bl->p_match, d));
    RMC_TRY(rmc_alloc_array((void **)&bl->diff, M, sizeof *bl->diff, d));
    RMC_TRY(rmc_alloc_array((void **)&bl->diff_se, M, sizeof *bl->diff_se, d));
    if (b == RMC_APPLY_DESIRABLE) {
        bl->available = C;
        const walk_order wo = {same_order, (void *)(uintptr_t)w->by_desir, M};
        RMC_TRY(walk_rows(A, dr, &wo, base, NULL, d));
    } else {
        size_t *orders = NULL, len = M;
        const bool *allow = b == RMC_APPLY_RANDOM ? NULL : ok;
        rmc_status st = random_orders(A, allow, &orders, &len, (uint32_t)b + 1, d);
        bl->available = 0;
        for (size_t c = 0; c < C; c++) {
            bl->available += allow == NULL || allow[c];
        }
        per_row rows = {orders, M};
        if (st == RMC_OK) {
            const walk_order wo = {row_order, &rows, len};
            st = walk_rows(A, dr, &wo, base, NULL, d);
        }
        rmc_free(orders);
        RMC_TRY(st);
    }
    for (size_t s = 0; s < M; s++) {
        bl->p_match[s] = stat_rows(A, base + s * KN);
        paired_of(opt + s * KN, base + s * KN, A->K, A->N, &bl->diff[s], &bl->diff_se[s]);
    }
    return RMC_OK;
}

/* The recommended order's steps from its outcomes opt ([M][KN]) and summed
 * attended interviews att; the point of diminishing returns. */
static void make_steps(ap_run *A, const size_t *order, const uint8_t *opt, const double *att,
                       uint8_t *zero)
{
    rmc_apply_result *res = A->res;
    const size_t M = A->M, KN = A->K * (size_t)A->N;
    memset(zero, 0, KN);
    for (size_t s = 0; s < M; s++) {
        rmc_apply_step *p = &res->steps[s];
        p->cand = order[s];
        p->p_match = stat_rows(A, opt + s * KN);
        p->interviews = att[s] / (double)KN;
        const uint8_t *before = s == 0 ? zero : opt + (s - 1) * KN;
        paired_of(opt + s * KN, before, A->K, A->N, &p->gain, &p->gain_se);
    }
    for (size_t s = 0; s + 5 < M; s++) {
        if (res->steps[s + 5].p_match.p - res->steps[s].p_match.p < 0.01) {
            res->diminishing_k = s + 1;
            break;
        }
    }
}

static int cmp_whatif(const void *a, const void *b)
{
    const rmc_apply_whatif *x = a, *y = b;
    if (x->dp_reopt != y->dp_reopt) {
        return x->dp_reopt > y->dp_reopt ? -1 : 1;
    }
    return strcmp(x->desc, y->desc);
}

/* Each what-if: the recommended M applications under the change, and M
 * chosen anew under it (selection rows), against the recommendation's
 * outcomes opt_last ([KN], k = M), paired. */
static rmc_status whatif_stats(ap_run *A, const size_t *order, const uint8_t *opt_last, rmc_diag *d)
{
    const size_t C = A->C, M = A->M, KN = A->K * (size_t)A->N;
    rmc_apply_result *res = A->res;
    RMC_TRY(rmc_calloc_array((void **)&res->whatifs, A->n_wi > 0 ? A->n_wi : 1,
                             sizeof *res->whatifs, d));
    uint8_t *out = NULL;
    size_t *order2 = NULL;
    rmc_status st = rmc_alloc_array((void **)&out, M * KN, 1, d);
    if (st == RMC_OK) {
        st = rmc_alloc_array((void **)&order2, M, sizeof *order2, d);
    }
    for (size_t i = 0; st == RMC_OK && i < A->n_wi; i++) {
        const ap_whatif *w = &A->wi[i];
        rmc_apply_whatif *x = &res->whatifs[i];
        const rmc_apply_draws dr = {2 * KN, C, w->offer, w->admit, A->cap, A->pref};
        snprintf(x->desc, sizeof x->desc, "%s", w->desc);
        const walk_order list = {same_order, (void *)(uintptr_t)order, M};
        st = walk_rows(A, &dr, &list, out, NULL, d);
        if (st != RMC_OK) {
            break;
        }
        x->p_list = stat_rows(A, out + (M - 1) * KN).p;
        paired_of(out + (M - 1) * KN, opt_last, A->K, A->N, &x->dp_list, &x->dp_list_se);
        st = rmc_apply_greedy(&dr, KN, 2 * KN, M, order2, d);
        const walk_order anew = {same_order, order2, M};
        if (st == RMC_OK) {
            st = walk_rows(A, &dr, &anew, out, NULL, d);
        }
        if (st != RMC_OK) {
            break;
        }
        x->p_reopt = stat_rows(A, out + (M - 1) * KN).p;
        paired_of(out + (M - 1) * KN, opt_last, A->K, A->N, &x->dp_reopt, &x->dp_reopt_se);
        for (size_t s = 0; s < M; s++) {
            for (size_t t = 0; t < M; t++) {
                x->overlap += order2[s] == order[t];
            }
        }
    }
    res->n_whatifs = A->n_wi;
    qsort(res->whatifs, res->n_whatifs, sizeof *res->whatifs, cmp_whatif);
    rmc_free(order2);
    rmc_free(out);
    return st;
}

static rmc_status analyse(ap_run *A, rmc_diag *d)
{
    const size_t C = A->C, M = A->M, KN = A->K * (size_t)A->N;
    const rmc_apply_draws dr = {2 * KN, C, A->offer, A->admit, A->cap, A->pref};
    size_t *order = NULL, *by_desir = NULL;
    uint8_t *opt = NULL, *base = NULL, *col = NULL;
    double *att = NULL;
    bool *ok = NULL;
    rmc_status st = RMC_OK;
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&col, KN, 1, d), done);
    candidate_stats(A, col);
    /* the optimiser, on the selection replicates */
    const double t0 = omp_get_wtime();
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&order, M, sizeof *order, d), done);
    RMC_TRY_GOTO(st, rmc_apply_greedy(&dr, KN, 2 * KN, M, order, d), done);
    A->res->optimise_seconds = omp_get_wtime() - t0;
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&opt, M * KN, 1, d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&att, M, sizeof *att, d), done);
    const walk_order wo = {same_order, order, M};
    RMC_TRY_GOTO(st, walk_rows(A, &dr, &wo, opt, att, d), done);
    make_steps(A, order, opt, att, col);
    RMC_TRY_GOTO(st, whatif_stats(A, order, opt + (M - 1) * KN, d), done);
    /* baselines on the same evaluation replicates */
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&base, M * KN, 1, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&ok, C, sizeof *ok, d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&by_desir, C, sizeof *by_desir, d), done);
    for (size_t c = 0; c < C; c++) {
        by_desir[A->pref[c]] = c;
        ok[c] = sponsors_visa(A->res->candidates[c].sponsors, A->pf->visa);
    }
    const bl_work w = {opt, base, ok, by_desir};
    for (int b = 0; b < RMC_APPLY_N_BASELINES; b++) {
        RMC_TRY_GOTO(st, one_baseline(A, &dr, b, &w, d), done);
    }
done:
    rmc_free(ok);
    rmc_free(by_desir);
    rmc_free(att);
    rmc_free(base);
    rmc_free(opt);
    rmc_free(order);
    rmc_free(col);
    return st;
}

static int cmp_pref(const void *a, const void *b, void *ctx)
{
    const rmc_apply_candidate *c = ctx;
    const size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (c[i].desirability != c[j].desirability) {
        return c[i].desirability > c[j].desirability ? -1 : 1;
    }
    return (i > j) - (i < j);
}

/* pref[c]: rank of candidate c by desirability, most desirable 0 (ties to
 * the lower index), the applicant's own order (as synth's applicants). */
static rmc_status make_pref(ap_run *A, rmc_diag *d)
{
    size_t *idx = NULL;
    RMC_TRY(rmc_alloc_array((void **)&idx, A->C, sizeof *idx, d));
    for (size_t c = 0; c < A->C; c++) {
        idx[c] = c;
    }
    /* insertion sort: C is at most a few thousand and this runs once */
    for (size_t i = 1; i < A->C; i++) {
        const size_t v = idx[i];
        size_t t = i;
        while (t > 0 && cmp_pref(&idx[t - 1], &v, A->res->candidates) > 0) {
            idx[t] = idx[t - 1];
            t--;
        }
        idx[t] = v;
    }
    rmc_status st = rmc_alloc_array((void **)&A->pref, A->C, sizeof *A->pref, d);
    for (size_t t = 0; st == RMC_OK && t < A->C; t++) {
        A->pref[idx[t]] = (int32_t)t;
    }
    rmc_free(idx);
    return st;
}

static rmc_status check_options(const rmc_apply_options *o, rmc_diag *d)
{
    if (o->n_markets < 1 || o->n_markets > 1000) {
        return RMC_FAIL(d, RMC_EUSAGE, "markets must be between 1 and 1000");
    }
    if (o->replicates < 2 || o->replicates > 1000000) {
        return RMC_FAIL(d, RMC_EUSAGE, "replicates must be between 2 and 1000000");
    }
    if (o->max_applications < 1 || o->max_applications > 1000) {
        return RMC_FAIL(d, RMC_EUSAGE, "--max-applications must be between 1 and 1000");
    }
    if (!(o->min_quantile >= 0) || !(o->min_quantile < 1)) {
        return RMC_FAIL(d, RMC_EUSAGE, "--min-desirability needs a quantile in [0, 1)");
    }
    if (!(o->cost_per_application >= 0) || o->cost_per_application > 1e6) {
        return RMC_FAIL(d, RMC_EUSAGE, "--cost-per-application must be between 0 and 1000000");
    }
    if (o->work_dir == NULL || o->market == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "rankmc apply needs a market and a work folder");
    }
    return RMC_OK;
}

void rmc_apply_result_free(rmc_apply_result *r)
{
    if (r == NULL) {
        return;
    }
    for (int b = 0; b < RMC_APPLY_N_BASELINES; b++) {
        rmc_free(r->baselines[b].p_match);
        rmc_free(r->baselines[b].diff);
        rmc_free(r->baselines[b].diff_se);
    }
    rmc_free((void *)(uintptr_t)r->draws.offer);
    rmc_free((void *)(uintptr_t)r->draws.admit);
    rmc_free((void *)(uintptr_t)r->draws.cap);
    rmc_free((void *)(uintptr_t)r->draws.pref);
    rmc_free(r->whatifs);
    rmc_free(r->market_seeds);
    rmc_free(r->candidates);
    rmc_free(r->steps);
    rmc_free(r);
}

rmc_status rmc_apply_run(const rmc_profile_file *pf, const rmc_apply_options *o,
                         rmc_problems *problems, rmc_apply_result **out, rmc_diag *d)
{
    *out = NULL;
    const double t0 = omp_get_wtime();
    RMC_TRY(check_options(o, d));
    if (pf->n_programs > 0 &&
        (o->candidates != NULL || o->min_quantile > 0 || o->setting != RMC_SETTING_ANY)) {
        return RMC_FAIL(d, RMC_EUSAGE,
                        "%s has [program] sections, which are the candidates: --candidates, "
                        "--min-desirability and --setting (or the profile's [apply] section) "
                        "choose among the market's programs instead (use one or the other)",
                        pf->path);
    }
    rmc_fc_market_src ms;
    RMC_TRY(rmc_fc_parse_market(o->market, &ms, d));
    if (ms.folder) {
        return RMC_FAIL(d, RMC_EUSAGE,
                        "--market %s: rankmc apply needs a synth preset (nrmp2025, im, "
                        "im-regional; PRESET:SCALE): the interview-offer model lives there",
                        o->market);
    }
    ap_run A = {.pf = pf, .o = o, .K = o->n_markets, .N = o->replicates};
    A.pre = rmc_synth_preset_find(ms.preset);
    A.group = rmc_synth_group_of_type(pf->type);
    rmc_status st = rmc_calloc_array((void **)&A.res, 1, sizeof *A.res, d);
    if (st != RMC_OK) {
        return st;
    }
    rmc_apply_result *res = A.res;
    res->n_markets = A.K;
    res->replicates = A.N;
    res->seed = o->seed;
    res->cost_per_application = o->cost_per_application;
    snprintf(res->market, sizeof res->market, "%s", o->market);
    snprintf(res->group, sizeof res->group, "%s", rmc_synth_group_name(A.group));
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&res->market_seeds, A.K, sizeof(uint64_t), d), done);
    RMC_TRY_GOTO(st, rmc_rng_alloc(NULL, &A.rng, d), done);
    RMC_TRY_GOTO(st, all_markets(&A, ms.preset, ms.scale, problems, d), done);
    RMC_TRY_GOTO(st, make_pref(&A, d), done);
    RMC_TRY_GOTO(st, analyse(&A, d), done);
    res->draws = (rmc_apply_draws){2 * A.K * (size_t)A.N, A.C, A.offer, A.admit, A.cap, A.pref};
    A.offer = A.admit = NULL;
    A.cap = A.pref = NULL;
    res->wall_seconds = omp_get_wtime() - t0;
    *out = res;
    res = NULL;
done:
    for (size_t w = 0; A.wi != NULL && w < WI_MAX; w++) {
        rmc_free(A.wi[w].offer);
        rmc_free(A.wi[w].admit);
    }
    rmc_free(A.wi);
    rmc_free(A.desc.programs);
    rmc_free(A.offer);
    rmc_free(A.admit);
    rmc_free(A.cap);
    rmc_free(A.pref);
    rmc_rng_free(A.rng);
    rmc_apply_result_free(res);
    return st;
}
