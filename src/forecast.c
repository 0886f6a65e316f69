/* One applicant's forecast (rankmc/forecast.h, docs/forecast.md): K markets,
 * the engine's runs per market (sim.c owns the parallel loop), then the
 * applicant's own meetings replayed serially from the same streams for
 * their list positions, meeting moves, the fast method's admissions and the
 * what-ifs, and the statistics over markets.
 *
 * Replaying a meeting outside the engine gives the engine's own result:
 * every draw of program j's meeting in replicate r comes from streams named
 * (seed, r, purpose, j or interview), whoever runs it.
 */
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <string.h>

#include "forecast_int.h"
#include "rankmc/h5io.h"
#include "rankmc/sensitivity.h"
#include "rankmc/sim.h"
#include "rankmc/synth.h"
#include "together_int.h"

void rmc_forecast_options_default(rmc_forecast_options *o)
{
    memset(o, 0, sizeof *o);
    o->market = "nrmp2025";
    o->n_markets = 8;
    o->replicates = 100;
    o->seed = 1;
    o->fast = true;
    o->what_ifs = true;
}

uint64_t rmc_forecast_market_seed(uint64_t seed, size_t k)
{
    /* splitmix64 of seed and k: distinct, well-spread synth seeds */
    uint64_t z = seed * 0x9E3779B97F4A7C15ull + (uint64_t)k + 1;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* ---- statistics over markets ---- */

rmc_forecast_stat rmc_fc_stat(const uint32_t *x, size_t K, uint64_t N)
{
    rmc_forecast_stat s = {0};
    double sum = 0, vsum = 0;
    for (size_t k = 0; k < K; k++) {
        const double pk = (double)x[k] / (double)N;
        const double pt = ((double)x[k] + 1.0) / ((double)N + 2.0);
        sum += pk;
        vsum += pt * (1.0 - pt) / (double)N;
    }
    s.p = sum / (double)K;
    s.se_mc = sqrt(vsum) / (double)K;
    if (K == 1) {
        s.se = s.se_mc;
        rmc_wilson95(x[0], N, &s.lo, &s.hi);
        return s;
    }
    double ss = 0;
    for (size_t k = 0; k < K; k++) {
        const double e = (double)x[k] / (double)N - s.p;
        ss += e * e;
    }
    const double var = ss / (double)(K - 1);
    const double net = var - vsum / (double)K;
    s.spread = net > 0 ? sqrt(net) : 0.0;
    s.se = sqrt(var / (double)K);
    s.se = s.se > s.se_mc ? s.se : s.se_mc;
    const double t = gsl_cdf_tdist_Pinv(0.975, (double)(K - 1));
    const double half = t * sqrt(s.spread * s.spread * (1.0 + 1.0 / (double)K) + s.se_mc * s.se_mc);
    s.lo = s.p - half > 0 ? s.p - half : 0.0;
    s.hi = s.p + half < 1 ? s.p + half : 1.0;
    return s;
}

/* ---- the applicant's own meetings ---- */

/* A model to replay the applicant's meetings under (the market, or a
 * what-if variant of it) and which of their programs a change touches. */
typedef struct scenario {
    char desc[112];
    rmc_variant *v;     /* NULL: the market itself */
    const rmc_model *m; /* the model to replay */
    rmc_meeting_ws *ws;
    bool *touch;      /* [L] programs whose meeting differs from the market's */
    uint8_t *matched; /* [K][N] outcome with the change */
} scenario;

typedef struct fc_run {
    const rmc_profile_file *pf;
    const rmc_forecast_options *o;
    rmc_forecast_result *res;
    size_t K, L; /* L: slots, the applicant's programs then a partner's */
    size_t LA;   /* the applicant's programs (L for a single applicant) */
    bool couple;
    uint64_t N;
    rmc_rng *rng;
    double *day;   /* [n_app] of the current market */
    int32_t *rank; /* [n_iv] */
    float *moves;  /* [n_iv * RMC_N_FACTORS] */
    /* pooled over markets and replicates */
    uint8_t *admitted;                /* [K][N][L] fast method: ranked above the cutoff */
    int8_t *out_fast;                 /* [K][N] program index matched (fast), -1 unmatched */
    int8_t *out_exact;                /* [K][N] (exact) */
    int8_t *out_fast_b, *out_exact_b; /* [K][N] a couple: the partner's program (0-based), -1 */
    uint32_t *ranked;                 /* [L][K] */
    int32_t *pos;                     /* [L][K*N] 1-based positions, 0 = not ranked */
    int32_t *len;                     /* [L][K*N] the program's list length */
    double *move_sum;                 /* [L][F] over ranked replicates */
    scenario *sc;                     /* [n_sc] what-ifs that replay meetings */
    size_t n_sc;
} fc_run;

/* Replay program l's meeting of replicate r under model m / ws: the
 * applicant's rank (or -1) and whether it beats the cutoff. With
 * couples.rank_together on, a couple's two partners at one program are
 * moved together as the engine moves couples (the fast model holds them as
 * two singles, so the pair is found from the slots). */
static bool replay(fc_run *R, const rmc_fc_market *mk, const rmc_model *m, rmc_meeting_ws *ws,
                   size_t l, uint64_t r, rmc_id cut, int32_t *rank_out)
{
    const size_t j = (size_t)mk->prog[l];
    rmc_meeting_run(m, &m->params, j, R->day, R->rng, R->o->seed, r, ws, R->rank, R->moves);
    (void)rmc_together_program(m, &m->params, j, R->rank);
    if (R->couple) {
        const size_t lo = l < R->LA ? R->LA : 0, hi = l < R->LA ? R->L : R->LA;
        for (size_t l2 = lo; l2 < hi; l2++) {
            if ((size_t)mk->prog[l2] == j) {
                (void)rmc_together_pair(m, &m->params, j, mk->iv[l], mk->iv[l2], R->rank);
            }
        }
    }
    const int32_t ra = R->rank[mk->iv[l]];
    *rank_out = ra;
    return ra >= 0 && (cut == RMC_ID_NONE || ra < R->rank[cut]);
}

static rmc_status run_market_sims(fc_run *R, const rmc_fc_market *mk, rmc_id *cutoff,
                                  int32_t *focal, rmc_diag *d)
{
    const rmc_id who[2] = {mk->app, mk->partner};
    const size_t n_who = R->couple ? 2 : 1;
    const rmc_forecast_options *o = R->o;
    rmc_sim_options so;
    rmc_sim_options_default(&so);
    so.seed = o->seed;
    so.replicates = R->N;
    so.threads = o->threads;
    so.stop = o->stop;
    so.rank_bins = 1;    /* the histograms are not used: keep them small */
    so.skip_soap = true; /* a forecast reads the Main Match only */
    rmc_sim_stats st;
    rmc_accum *acc = NULL;
    if (o->fast) {
        rmc_sim_options f = so;
        f.n_exclude = n_who;
        f.exclude = who;
        f.n_cutoff = R->L;
        f.cutoff_prog = mk->prog;
        f.cutoff_iv = cutoff;
        RMC_TRY(rmc_sim_run(mk->m, &mk->m->params, &f, &acc, &st, d));
        rmc_accum_free(acc);
        R->res->fast.sim_seconds += st.wall_seconds;
        R->res->threads = st.threads;
        snprintf(R->res->rng_name, sizeof R->res->rng_name, "%s", st.rng_name);
        if (st.stopped) {
            return RMC_FAIL(d, RMC_EINTERRUPTED, "stopped");
        }
    }
    if (o->exact) {
        rmc_sim_options e = so;
        e.n_focal = n_who;
        e.focal = who;
        e.focal_choice = focal;
        const rmc_model *me = R->couple ? mk->m_couple : mk->m;
        RMC_TRY(rmc_sim_run(me, &me->params, &e, &acc, &st, d));
        rmc_accum_free(acc);
        R->res->joint_exact.unconverged += st.unconverged;
        R->res->exact.sim_seconds += st.wall_seconds;
        R->res->threads = st.threads;
        snprintf(R->res->rng_name, sizeof R->res->rng_name, "%s", st.rng_name);
        if (st.stopped) {
            return RMC_FAIL(d, RMC_EINTERRUPTED, "stopped");
        }
    }
    return RMC_OK;
}

/* A couple's outcome of replicate kr. Fast (with cutoffs): the first entry
 * of the joint list whose programs admit both partners (a member named
 * unmatched needs nothing; a pair at one program also needs two seats
 * there). Exact: the entry the engine matched them at (focal: the two
 * members' rows). Into entry_* and each partner's program. */
static void couple_outcome(fc_run *R, const rmc_fc_market *mk, size_t kr, const uint8_t *adm,
                           bool fast, const int32_t *focal)
{
    const size_t LA = R->LA;
    int e_sel = -1;
    for (size_t e = 0; fast && e < mk->n_joint && e_sel < 0; e++) {
        const int a = mk->joint[e].a, b = mk->joint[e].b;
        bool ok = (a < 0 || adm[a]) && (b < 0 || adm[LA + (size_t)b]);
        if (ok && a >= 0 && b >= 0 && mk->prog[a] == mk->prog[LA + (size_t)b]) {
            ok = mk->m->positions[mk->prog[a]] >= 2;
        }
        e_sel = ok ? (int)e : -1;
    }
    R->res->joint_fast.entry[kr] = (int16_t)e_sel;
    R->out_fast[kr] = (int8_t)(e_sel >= 0 ? mk->joint[e_sel].a : -1);
    R->out_fast_b[kr] = (int8_t)(e_sel >= 0 ? mk->joint[e_sel].b : -1);
    int ex = -1;
    if (focal != NULL) {
        ex = focal[0] >= 0 ? focal[0] : focal[1];
        RMC_ASSERT(ex < (int)mk->n_joint);
        RMC_ASSERT(ex < 0 || ((focal[0] >= 0) == (mk->joint[ex].a >= 0) &&
                              (focal[1] >= 0) == (mk->joint[ex].b >= 0)));
    }
    R->res->joint_exact.entry[kr] = (int16_t)ex;
    R->out_exact[kr] = (int8_t)(ex >= 0 ? mk->joint[ex].a : -1);
    R->out_exact_b[kr] = (int8_t)(ex >= 0 ? mk->joint[ex].b : -1);
}

/* Every replicate of market k: the applicant's meetings under the market
 * and each what-if. */
static void eval_market(fc_run *R, size_t k, const rmc_fc_market *mk, rmc_meeting_ws *ws,
                        const rmc_id *cutoff, const int32_t *focal)
{
    const size_t L = R->L, KN = R->K * (size_t)R->N;
    const rmc_model *m = mk->m;
    for (uint64_t r = 0; r < R->N; r++) {
        const size_t kr = k * (size_t)R->N + (size_t)r;
        rmc_meeting_draw_applicants(m, &m->params, R->rng, R->o->seed, r, R->day);
        uint8_t *adm = R->admitted + kr * L;
        int first = -1;
        for (size_t l = 0; l < L; l++) {
            const rmc_id cut = cutoff != NULL ? cutoff[(size_t)r * L + l] : RMC_ID_NONE;
            int32_t ra = -1;
            adm[l] = replay(R, mk, m, ws, l, r, cut, &ra) && cutoff != NULL;
            if (adm[l] && first < 0) {
                first = (int)l;
            }
            const size_t j = (size_t)mk->prog[l];
            int32_t n_ranked = 0;
            for (size_t e = m->prog_off[j]; e < m->prog_off[j + 1]; e++) {
                n_ranked += R->rank[m->iv_by_prog[e]] >= 0;
            }
            R->len[l * KN + kr] = n_ranked;
            R->pos[l * KN + kr] = ra >= 0 ? ra + 1 : 0;
            if (ra >= 0) {
                R->ranked[l * R->K + k]++;
                for (size_t f = 0; f < RMC_N_FACTORS; f++) {
                    R->move_sum[l * RMC_N_FACTORS + f] +=
                        (double)R->moves[(size_t)mk->iv[l] * RMC_N_FACTORS + f];
                }
            }
        }
        if (R->couple) {
            couple_outcome(R, mk, kr, adm, cutoff != NULL, focal != NULL ? focal + 2 * r : NULL);
            continue; /* no what-ifs for a couple */
        }
        R->out_fast[kr] = (int8_t)first;
        R->out_exact[kr] = (int8_t)(focal != NULL ? focal[r] : -1);
        for (size_t s = 0; s < R->n_sc; s++) {
            scenario *sc = &R->sc[s];
            bool matched = false;
            for (size_t l = 0; l < L && !matched; l++) {
                if (!sc->touch[l]) {
                    matched = adm[l] != 0;
                    continue;
                }
                int32_t ra = -1;
                matched = replay(R, mk, sc->m, sc->ws, l, r, cutoff[(size_t)r * L + l], &ra);
            }
            sc->matched[kr] = matched;
        }
    }
}

/* ---- what-ifs ---- */

static rmc_status add_scenario(fc_run *R, const rmc_fc_market *mk, scenario **out, rmc_diag *d)
{
    /* Markets build the same what-ifs in the same order: slot n_sc keeps
     * its outcomes ([K][N]) from market to market. */
    scenario *sc = &R->sc[R->n_sc];
    if (sc->touch == NULL) {
        RMC_TRY(rmc_calloc_array((void **)&sc->touch, R->L, sizeof *sc->touch, d));
        RMC_TRY(rmc_calloc_array((void **)&sc->matched, R->K * (size_t)R->N, 1, d));
    }
    memset(sc->touch, 0, R->L * sizeof *sc->touch);
    sc->desc[0] = '\0';
    R->n_sc++;
    RMC_TRY(rmc_variant_alloc(mk->m, &sc->v, d));
    sc->m = rmc_variant_model(sc->v);
    *out = sc;
    return RMC_OK;
}

static void scenario_release(scenario *sc)
{
    rmc_meeting_ws_free(sc->ws);
    sc->ws = NULL;
    rmc_variant_free(sc->v);
    sc->v = NULL;
    sc->m = NULL;
}

static void touch_all(fc_run *R, scenario *sc)
{
    for (size_t l = 0; l < R->L; l++) {
        sc->touch[l] = true;
    }
}

/* The what-ifs that change the applicant's meetings, as variants of this
 * market's model (rebuilt per market, same order every time). */
static rmc_status make_scenarios(fc_run *R, const rmc_fc_market *mk, rmc_diag *d)
{
    const rmc_profile_file *pf = R->pf;
    const size_t a = (size_t)mk->app;
    const rmc_model *m = mk->m;
    const rmc_params *p = &m->params;
    scenario *sc = NULL;
    R->n_sc = 0;
    if (pf->communication < 1.0) {
        RMC_TRY(add_scenario(R, mk, &sc, d));
        snprintf(sc->desc, sizeof sc->desc, "communication %.2f -> 1.00 (concern removed)",
                 pf->communication);
        RMC_TRY(rmc_variant_set_communication(sc->v, a, 1.0, d));
        touch_all(R, sc);
    }
    for (size_t l = 0; l < R->L; l++) {
        if (pf->programs[l].advocacy != RMC_ADVOCACY_NONE) {
            continue;
        }
        RMC_TRY(add_scenario(R, mk, &sc, d));
        snprintf(sc->desc, sizeof sc->desc, "an away rotation at %.80s", pf->programs[l].name);
        RMC_TRY(rmc_variant_set_advocacy(sc->v, (size_t)mk->iv[l], RMC_ADVOCACY_ROTATION, d));
        sc->touch[l] = true;
    }
    bool any_ties = false;
    for (size_t l = 0; l < R->L; l++) {
        any_ties = any_ties || pf->programs[l].ties == 0;
    }
    if (any_ties) {
        RMC_TRY(add_scenario(R, mk, &sc, d));
        snprintf(sc->desc, sizeof sc->desc, "ties to every program");
        for (size_t l = 0; l < R->L; l++) {
            if (pf->programs[l].ties == 0) {
                RMC_TRY(rmc_variant_set_ties(sc->v, (size_t)mk->iv[l], 1, d));
                sc->touch[l] = true;
            }
        }
    }
    for (int sign = 1; sign >= -1; sign -= 2) {
        RMC_TRY(add_scenario(R, mk, &sc, d));
        double pre = 0;
        if (pf->has_step2_ck) {
            double ck = pf->step2_ck + 10.0 * sign;
            ck = ck < 1 ? 1 : ck > 300 ? 300 : ck;
            pre = rmc_step2_ck_pre_score(p, pf->type, ck);
            snprintf(sc->desc, sizeof sc->desc, "Step 2 CK %.0f -> %.0f", pf->step2_ck, ck);
        } else {
            pre = mk->pre_score + sign * 10.0 * p->step2_ck_weight / p->step2_ck_sd;
            snprintf(sc->desc, sizeof sc->desc, "pre_score %.2f -> %.2f (10 Step 2 CK points)",
                     mk->pre_score, pre);
        }
        RMC_TRY(rmc_variant_set_pre_score(sc->v, a, pre, d));
        touch_all(R, sc);
    }
    if (pf->us_experience + 1 < RMC_N_USEXP) {
        RMC_TRY(add_scenario(R, mk, &sc, d));
        const rmc_usexp up = (rmc_usexp)(pf->us_experience + 1);
        snprintf(sc->desc, sizeof sc->desc, "US experience %s -> %s",
                 rmc_usexp_name(pf->us_experience), rmc_usexp_name(up));
        RMC_TRY(rmc_variant_set_us_experience(sc->v, a, up, d));
        touch_all(R, sc);
    }
    if (pf->visa != RMC_VISA_NONE) {
        RMC_TRY(add_scenario(R, mk, &sc, d));
        /* uncertain or H1B -> J1 (the route settled); J1 -> H1B (the J1 route lost) */
        const rmc_visa to = pf->visa == RMC_VISA_J1 ? RMC_VISA_H1B : RMC_VISA_J1;
        snprintf(sc->desc, sizeof sc->desc, "visa %s -> %s", rmc_visa_name(pf->visa),
                 rmc_visa_name(to));
        RMC_TRY(rmc_variant_set_visa(sc->v, a, to, d));
        touch_all(R, sc);
    }
    for (size_t s = 0; s < R->n_sc; s++) {
        RMC_TRY(rmc_meeting_ws_alloc(R->sc[s].m, &R->sc[s].ws, d));
    }
    return RMC_OK;
}

/* Paired statistics of a what-if against the forecast, market by market. */
static void paired(fc_run *R, const uint8_t *with, rmc_forecast_whatif *w)
{
    const size_t K = R->K;
    const uint64_t N = R->N;
    double p = 0, dp = 0, vsum = 0, dsum2 = 0;
    double dks[1024];
    w->n_gain = w->n_loss = 0;
    for (size_t k = 0; k < K; k++) {
        double s1 = 0, s2 = 0, pk = 0;
        for (uint64_t r = 0; r < N; r++) {
            const size_t kr = k * (size_t)N + (size_t)r;
            const int base = R->out_fast[kr] >= 0;
            const int diff = (int)with[kr] - base;
            s1 += diff;
            s2 += (double)diff * diff;
            pk += with[kr];
            w->n_gain += diff > 0;
            w->n_loss += diff < 0;
        }
        const double mean = s1 / (double)N;
        const double var = N > 1 ? (s2 - (double)N * mean * mean) / (double)(N - 1) : 0.0;
        vsum += var / (double)N;
        dks[k < 1024 ? k : 1023] = mean;
        dp += mean;
        p += pk / (double)N;
    }
    w->p = p / (double)K;
    w->dp = dp / (double)K;
    w->dp_se = sqrt(vsum) / (double)K;
    w->dp_spread = 0;
    if (K > 1 && K <= 1024) {
        for (size_t k = 0; k < K; k++) {
            dsum2 += (dks[k] - w->dp) * (dks[k] - w->dp);
        }
        const double net = dsum2 / (double)(K - 1) - vsum / (double)K;
        w->dp_spread = net > 0 ? sqrt(net) : 0.0;
    }
}

static int cmp_whatif(const void *a, const void *b)
{
    const rmc_forecast_whatif *x = a, *y = b;
    if (x->dp != y->dp) {
        return x->dp < y->dp ? 1 : -1;
    }
    return strcmp(x->desc, y->desc);
}

static int cmp_i32(const void *a, const void *b)
{
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank quantile of sorted v[0..n). */
static double nearest_rank(const int32_t *v, size_t n, double q)
{
    size_t i = (size_t)ceil(q * (double)n);
    i = i < 1 ? 1 : i > n ? n : i;
    return v[i - 1];
}

/* ---- results ---- */

static rmc_status alloc_method(rmc_forecast_method *me, size_t K, size_t L, rmc_diag *d)
{
    RMC_TRY(rmc_calloc_array((void **)&me->p_match_market, K, sizeof(double), d));
    RMC_TRY(rmc_calloc_array((void **)&me->p_here_market, K * L, sizeof(double), d));
    RMC_TRY(rmc_calloc_array((void **)&me->programs, L, sizeof *me->programs, d));
    return RMC_OK;
}

static void free_method(rmc_forecast_method *me)
{
    rmc_free(me->p_match_market);
    rmc_free(me->p_here_market);
    rmc_free(me->programs);
}

void rmc_forecast_result_free(rmc_forecast_result *r)
{
    if (r == NULL) {
        return;
    }
    free_method(&r->fast);
    free_method(&r->exact);
    free_method(&r->partner_fast);
    free_method(&r->partner_exact);
    rmc_free(r->joint_fast.count);
    rmc_free(r->joint_fast.entry);
    rmc_free(r->joint_exact.count);
    rmc_free(r->joint_exact.entry);
    rmc_free(r->joint_a);
    rmc_free(r->joint_b);
    rmc_free(r->market_seeds);
    rmc_free(r->whatifs);
    rmc_free(r->curve);
    rmc_free(r);
}

/* P(match) and per-program figures of one method from its outcomes: out
 * is the program (0-based in pf's list) per replicate, pf's programs are the
 * slots from slot0 on. */
static rmc_status summarise_method(fc_run *R, const int8_t *out, const rmc_profile_file *pf,
                                   size_t slot0, rmc_forecast_method *me, const rmc_fc_market *mk0,
                                   rmc_diag *d)
{
    const size_t K = R->K, L = pf->n_programs, KN = K * (size_t)R->N;
    uint32_t *x = NULL;
    RMC_TRY(rmc_calloc_array((void **)&x, K * (L + 1), sizeof *x, d));
    for (size_t k = 0; k < K; k++) {
        for (uint64_t r = 0; r < R->N; r++) {
            const int o = out[k * (size_t)R->N + (size_t)r];
            if (o >= 0) {
                x[k]++;
                x[K + (size_t)o * K + k]++;
            }
        }
    }
    me->p_match = rmc_fc_stat(x, K, R->N);
    for (size_t k = 0; k < K; k++) {
        me->p_match_market[k] = (double)x[k] / (double)R->N;
    }
    int32_t *tmp = NULL;
    rmc_status st = rmc_alloc_array((void **)&tmp, KN, sizeof *tmp, d);
    for (size_t l = 0; st == RMC_OK && l < L; l++) {
        const size_t sl = slot0 + l;
        rmc_forecast_program *pr = &me->programs[l];
        snprintf(pr->name, sizeof pr->name, "%s", pf->programs[l].name);
        snprintf(pr->replaced, sizeof pr->replaced, "%s", mk0->replaced[sl]);
        pr->p_here = rmc_fc_stat(x + K + l * K, K, R->N);
        for (size_t k = 0; k < K; k++) {
            me->p_here_market[k * L + l] = (double)x[K + l * K + k] / (double)R->N;
        }
        pr->p_ranked = rmc_fc_stat(R->ranked + sl * K, K, R->N);
        size_t n = 0;
        for (size_t i = 0; i < KN; i++) {
            if (R->pos[sl * KN + i] > 0) {
                tmp[n++] = R->pos[sl * KN + i];
            }
        }
        qsort(tmp, n, sizeof *tmp, cmp_i32);
        pr->pos_median = n > 0 ? nearest_rank(tmp, n, 0.5) : (double)NAN;
        pr->pos_p10 = n > 0 ? nearest_rank(tmp, n, 0.1) : (double)NAN;
        pr->pos_p90 = n > 0 ? nearest_rank(tmp, n, 0.9) : (double)NAN;
        memcpy(tmp, R->len + sl * KN, KN * sizeof *tmp);
        qsort(tmp, KN, sizeof *tmp, cmp_i32);
        pr->list_length = (int)nearest_rank(tmp, KN, 0.5);
        pr->top_factor = -1;
        pr->top_factor_move = 0;
        double best = 0;
        for (size_t f = 0; n > 0 && f < RMC_N_FACTORS; f++) {
            const double mean = R->move_sum[sl * RMC_N_FACTORS + f] / (double)n;
            if (fabs(mean) > best) {
                best = fabs(mean);
                pr->top_factor = (int)f;
                pr->top_factor_move = mean;
            }
        }
    }
    rmc_free(tmp);
    rmc_free(x);
    me->done = st == RMC_OK;
    return st;
}

/* The curve, "one fewer interview" and "only the top k", from the fast
 * method's admissions (no meeting changes). */
static rmc_status list_what_ifs(fc_run *R, rmc_forecast_whatif *w, size_t *n_w, rmc_diag *d)
{
    const size_t K = R->K, L = R->L, KN = K * (size_t)R->N;
    uint8_t *with = NULL;
    uint32_t *x = NULL;
    RMC_TRY(rmc_alloc_array((void **)&with, KN, 1, d));
    rmc_status st = rmc_calloc_array((void **)&x, K, sizeof *x, d);
    for (size_t top = 1; st == RMC_OK && top <= L; top++) {
        memset(x, 0, K * sizeof *x);
        for (size_t i = 0; i < KN; i++) {
            bool m = false;
            for (size_t l = 0; l < top && !m; l++) {
                m = R->admitted[i * L + l] != 0;
            }
            with[i] = m;
            x[i / (size_t)R->N] += m;
        }
        R->res->curve[top - 1] = rmc_fc_stat(x, K, R->N);
        if (top == (L + 1) / 2 && top < L) {
            rmc_forecast_whatif *o = &w[(*n_w)++];
            snprintf(o->desc, sizeof o->desc, "ranking only your top %zu", top);
            paired(R, with, o);
        }
    }
    if (st == RMC_OK && L > 1) {
        /* the weakest interview: the lowest pooled P(ranked above the cutoff) */
        size_t weakest = 0, best = SIZE_MAX;
        for (size_t l = 0; l < L; l++) {
            size_t n = 0;
            for (size_t i = 0; i < KN; i++) {
                n += R->admitted[i * L + l];
            }
            if (n <= best) {
                best = n;
                weakest = l;
            }
        }
        for (size_t i = 0; i < KN; i++) {
            bool m = false;
            for (size_t l = 0; l < L && !m; l++) {
                m = l != weakest && R->admitted[i * L + l] != 0;
            }
            with[i] = m;
        }
        rmc_forecast_whatif *o = &w[(*n_w)++];
        snprintf(o->desc, sizeof o->desc, "one fewer interview (the weakest: %.70s)",
                 R->pf->programs[weakest].name);
        paired(R, with, o);
    }
    rmc_free(x);
    rmc_free(with);
    return st;
}

/* ---- markets ---- */

rmc_status rmc_fc_parse_market(const char *s, rmc_fc_market_src *ms, rmc_diag *d)
{
    memset(ms, 0, sizeof *ms);
    ms->scale = 1.0;
    const char *colon = strrchr(s, ':');
    const size_t len = colon != NULL ? (size_t)(colon - s) : strlen(s);
    for (size_t i = 0; i < rmc_synth_n_presets(); i++) {
        const char *name = rmc_synth_preset_name(i);
        if (strlen(name) == len && strncmp(name, s, len) == 0) {
            snprintf(ms->preset, sizeof ms->preset, "%s", name);
            if (colon != NULL) {
                char *end = NULL;
                ms->scale = strtod(colon + 1, &end);
                if (end == colon + 1 || *end != '\0' || !(ms->scale > 0) || ms->scale > 10) {
                    return RMC_FAIL(d, RMC_EUSAGE, "--market %s: the scale must be in (0, 10]", s);
                }
            }
            return RMC_OK;
        }
    }
    ms->folder = true;
    return RMC_OK;
}

static rmc_status check_options(const rmc_profile_file *pf, const rmc_forecast_options *o,
                                rmc_diag *d)
{
    if (pf->n_programs == 0 || pf->n_programs > 127) {
        return RMC_FAIL(d, RMC_EUSAGE, "a forecast takes 1 .. 127 programs");
    }
    if (pf->partner != NULL && (pf->partner->n_programs == 0 || pf->partner->n_programs > 127)) {
        return RMC_FAIL(d, RMC_EUSAGE, "a forecast takes 1 .. 127 programs of the partner");
    }
    if (o->n_markets < 1 || o->n_markets > 1000) {
        return RMC_FAIL(d, RMC_EUSAGE, "markets must be between 1 and 1000");
    }
    if (o->replicates < 1 || o->replicates > 10000000) {
        return RMC_FAIL(d, RMC_EUSAGE, "replicates must be between 1 and 10000000");
    }
    if (!o->fast && !o->exact) {
        return RMC_FAIL(d, RMC_EUSAGE, "choose the fast method, the exact method or both");
    }
    if (o->work_dir == NULL || o->market == NULL) {
        return RMC_FAIL(d, RMC_EUSAGE, "a forecast needs a market and a work folder");
    }
    return RMC_OK;
}

static rmc_status alloc_run(fc_run *R, rmc_diag *d)
{
    const size_t K = R->K, L = R->L, KN = K * (size_t)R->N;
    rmc_forecast_result *res = R->res;
    RMC_TRY(rmc_calloc_array((void **)&res->market_seeds, K, sizeof *res->market_seeds, d));
    RMC_TRY(rmc_calloc_array((void **)&res->curve, L, sizeof *res->curve, d));
    RMC_TRY(rmc_calloc_array((void **)&res->whatifs, 3 * L + 16, sizeof *res->whatifs, d));
    RMC_TRY(alloc_method(&res->fast, K, R->LA, d));
    RMC_TRY(alloc_method(&res->exact, K, R->LA, d));
    if (R->couple) {
        const size_t LB = L - R->LA;
        RMC_TRY(alloc_method(&res->partner_fast, K, LB, d));
        RMC_TRY(alloc_method(&res->partner_exact, K, LB, d));
        rmc_forecast_joint *j[2] = {&res->joint_fast, &res->joint_exact};
        for (int m = 0; m < 2; m++) {
            RMC_TRY(rmc_calloc_array((void **)&j[m]->count, K * RMC_FORECAST_N_JOINT,
                                     sizeof *j[m]->count, d));
            RMC_TRY(rmc_alloc_array((void **)&j[m]->entry, KN, sizeof *j[m]->entry, d));
        }
        RMC_TRY(rmc_calloc_array((void **)&R->out_fast_b, KN, 1, d));
        RMC_TRY(rmc_calloc_array((void **)&R->out_exact_b, KN, 1, d));
    }
    RMC_TRY(rmc_calloc_array((void **)&R->admitted, KN * L, 1, d));
    RMC_TRY(rmc_calloc_array((void **)&R->out_fast, KN, 1, d));
    RMC_TRY(rmc_calloc_array((void **)&R->out_exact, KN, 1, d));
    RMC_TRY(rmc_calloc_array((void **)&R->ranked, L * K, sizeof *R->ranked, d));
    RMC_TRY(rmc_calloc_array((void **)&R->pos, L * KN, sizeof *R->pos, d));
    RMC_TRY(rmc_calloc_array((void **)&R->len, L * KN, sizeof *R->len, d));
    RMC_TRY(rmc_calloc_array((void **)&R->move_sum, L * RMC_N_FACTORS, sizeof(double), d));
    RMC_TRY(rmc_calloc_array((void **)&R->sc, 3 * L + 16, sizeof *R->sc, d));
    return rmc_rng_alloc(NULL, &R->rng, d);
}

static void free_run(fc_run *R)
{
    for (size_t s = 0; R->sc != NULL && s < 3 * R->L + 16; s++) {
        scenario_release(&R->sc[s]);
        rmc_free(R->sc[s].touch);
        rmc_free(R->sc[s].matched);
    }
    rmc_free(R->sc);
    rmc_free(R->admitted);
    rmc_free(R->out_fast);
    rmc_free(R->out_exact);
    rmc_free(R->out_fast_b);
    rmc_free(R->out_exact_b);
    rmc_free(R->ranked);
    rmc_free(R->pos);
    rmc_free(R->len);
    rmc_free(R->move_sum);
    rmc_free(R->day);
    rmc_free(R->rank);
    rmc_free(R->moves);
    rmc_rng_free(R->rng);
}

/* Per-market scratch arrays sized for the market's model. */
static rmc_status market_arrays(fc_run *R, const rmc_model *m, rmc_diag *d)
{
    rmc_free(R->day);
    rmc_free(R->rank);
    rmc_free(R->moves);
    R->day = NULL;
    R->rank = NULL;
    R->moves = NULL;
    RMC_TRY(rmc_alloc_array((void **)&R->day, m->n_app, sizeof *R->day, d));
    RMC_TRY(rmc_alloc_array((void **)&R->rank, m->n_iv, sizeof *R->rank, d));
    return rmc_alloc_array((void **)&R->moves, m->n_iv * RMC_N_FACTORS, sizeof *R->moves, d);
}

/* Market k built: synthesised into work_dir/synth<k> (removed after) and
 * the applicant placed into work_dir/market<k>, or the --market folder
 * placed. Touches nothing of R but reads, so several markets are built at
 * once (build_body). */
typedef struct fc_build {
    rmc_fc_market mk;
    rmc_status st;
    rmc_diag d;
    uint64_t seed; /* the synth seed (0 for a folder) */
} fc_build;

static void build_market(const fc_run *R, const rmc_fc_market_src *ms, size_t k, rmc_problems *pr,
                         fc_build *b)
{
    const rmc_forecast_options *o = R->o;
    char base[4096], placed[4096];
    snprintf(placed, sizeof placed, "%s/market%zu", o->work_dir, k);
    if (ms->folder) {
        snprintf(base, sizeof base, "%s", o->market);
        b->st = rmc_fc_market_build(R->pf, base, placed, R->couple && o->exact, pr, &b->mk, &b->d);
    } else {
        snprintf(base, sizeof base, "%s/synth%zu", o->work_dir, k);
        rmc_synth_options so;
        rmc_synth_options_default(&so);
        so.preset = ms->preset;
        so.scale = ms->scale;
        so.seed = rmc_forecast_market_seed(o->seed, k);
        so.tracks = 0; /* categorical markets (docs/synth.md "Tracks") */
        so.force = true;
        b->seed = so.seed;
        b->st = rmc_synth_write(&so, base, NULL, &b->d);
        if (b->st == RMC_OK) {
            b->st =
                rmc_fc_market_build(R->pf, base, placed, R->couple && o->exact, pr, &b->mk, &b->d);
        }
        rmc_fc_remove_model_dir(base);
    }
}

/* rmc_par_for's body: market first + i into builds[i]. */
typedef struct build_ctx {
    const fc_run *R;
    const rmc_fc_market_src *ms;
    size_t first;
    rmc_problems *pr; /* a lone build's (a wave of one); NULL when several run at once */
    fc_build *builds;
} build_ctx;

static void build_body(void *ctx, size_t i, int thread)
{
    (void)thread;
    const build_ctx *c = ctx;
    build_market(c->R, c->ms, c->first + i, c->pr, &c->builds[i]);
}

/* Run the engine on built market k (mk) and replay the applicant's
 * meetings. */
static rmc_status run_market(fc_run *R, size_t k, rmc_fc_market *mk, rmc_diag *d)
{
    const rmc_forecast_options *o = R->o;
    rmc_status st;
    double t0;
    if (k == 0) {
        rmc_forecast_result *res = R->res;
        res->pre_score = mk->pre_score;
        res->partner_pre_score = mk->partner_pre_score;
        if (R->couple) {
            RMC_TRY(rmc_alloc_array((void **)&res->joint_a, mk->n_joint, sizeof *res->joint_a, d));
            RMC_TRY(rmc_alloc_array((void **)&res->joint_b, mk->n_joint, sizeof *res->joint_b, d));
            res->n_joint = mk->n_joint;
            for (size_t e = 0; e < mk->n_joint; e++) {
                res->joint_a[e] = mk->joint[e].a;
                res->joint_b[e] = mk->joint[e].b;
            }
        }
        res->market_applicants = mk->m->n_app;
        res->market_programs = mk->m->n_prog;
        res->market_interviews = mk->m->n_iv;
        snprintf(res->market_sha256, sizeof res->market_sha256, "%s", mk->m->sha256);
    }
    rmc_id *cutoff = NULL;
    int32_t *focal = NULL;
    rmc_meeting_ws *ws = NULL;
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&cutoff, (size_t)R->N * R->L, sizeof *cutoff, d),
                 done);
    RMC_TRY_GOTO(
        st, rmc_alloc_array((void **)&focal, (size_t)R->N * (R->couple ? 2 : 1), sizeof *focal, d),
        done);
    RMC_TRY_GOTO(st, run_market_sims(R, mk, cutoff, focal, d), done);
    t0 = omp_get_wtime();
    RMC_TRY_GOTO(st, market_arrays(R, mk->m, d), done);
    RMC_TRY_GOTO(st, rmc_meeting_ws_alloc(mk->m, &ws, d), done);
    if (o->fast && o->what_ifs && !R->couple) {
        RMC_TRY_GOTO(st, make_scenarios(R, mk, d), done);
    }
    eval_market(R, k, mk, ws, o->fast ? cutoff : NULL, o->exact ? focal : NULL);
    R->res->eval_seconds += omp_get_wtime() - t0;
done:
    for (size_t s = 0; s < R->n_sc; s++) {
        scenario_release(&R->sc[s]);
    }
    rmc_meeting_ws_free(ws);
    rmc_free(focal);
    rmc_free(cutoff);
    return st;
}

const char *rmc_forecast_joint_name(rmc_forecast_joint_outcome o)
{
    static const char *const names[RMC_FORECAST_N_JOINT] = {"both", "same_city", "same_region",
                                                            "one", "neither"};
    return (unsigned)o < RMC_FORECAST_N_JOINT ? names[o] : "?";
}

/* A couple's joint chances from its entries: outcome counts by market and
 * their statistics. The cities and regions are the profile's. */
static rmc_status summarise_joint(fc_run *R, const rmc_fc_market *mk0, rmc_forecast_joint *j,
                                  rmc_diag *d)
{
    const size_t K = R->K;
    const rmc_profile_file *pf = R->pf, *pb = pf->partner;
    for (size_t k = 0; k < K; k++) {
        uint32_t *c = j->count + k * RMC_FORECAST_N_JOINT;
        for (uint64_t r = 0; r < R->N; r++) {
            const int e = j->entry[k * (size_t)R->N + (size_t)r];
            const int a = e >= 0 ? mk0->joint[e].a : -1, b = e >= 0 ? mk0->joint[e].b : -1;
            if (a >= 0 && b >= 0) {
                const rmc_profile_program *pa = &pf->programs[a], *pp = &pb->programs[b];
                c[RMC_FORECAST_BOTH]++;
                c[RMC_FORECAST_SAME_REGION] += pa->region == pp->region;
                c[RMC_FORECAST_SAME_CITY] += pa->region == pp->region && pa->city[0] != '\0' &&
                                             strcmp(pa->city, pp->city) == 0;
            } else if (a >= 0 || b >= 0) {
                c[RMC_FORECAST_ONE]++;
            } else {
                c[RMC_FORECAST_NEITHER]++;
            }
        }
    }
    uint32_t *x = NULL;
    RMC_TRY(rmc_alloc_array((void **)&x, K, sizeof *x, d));
    for (int o = 0; o < RMC_FORECAST_N_JOINT; o++) {
        for (size_t k = 0; k < K; k++) {
            x[k] = j->count[k * RMC_FORECAST_N_JOINT + (size_t)o];
        }
        j->p[o] = rmc_fc_stat(x, K, R->N);
    }
    rmc_free(x);
    j->done = true;
    return RMC_OK;
}

static rmc_status finish(fc_run *R, const rmc_fc_market *mk0, rmc_diag *d)
{
    rmc_forecast_result *res = R->res;
    const size_t KN = R->K * (size_t)R->N;
    if (R->o->fast) {
        RMC_TRY(summarise_method(R, R->out_fast, R->pf, 0, &res->fast, mk0, d));
    }
    if (R->o->exact) {
        RMC_TRY(summarise_method(R, R->out_exact, R->pf, 0, &res->exact, mk0, d));
    }
    if (R->couple) {
        const rmc_profile_file *pb = R->pf->partner;
        if (R->o->fast) {
            RMC_TRY(summarise_method(R, R->out_fast_b, pb, R->LA, &res->partner_fast, mk0, d));
            RMC_TRY(summarise_joint(R, mk0, &res->joint_fast, d));
        }
        if (R->o->exact) {
            RMC_TRY(summarise_method(R, R->out_exact_b, pb, R->LA, &res->partner_exact, mk0, d));
            RMC_TRY(summarise_joint(R, mk0, &res->joint_exact, d));
        }
    }
    if (R->o->fast && R->o->exact) {
        res->compared = KN;
        for (size_t i = 0; i < KN; i++) {
            res->disagreements += R->couple ? res->joint_fast.entry[i] != res->joint_exact.entry[i]
                                            : R->out_fast[i] != R->out_exact[i];
        }
    }
    if (R->o->fast && R->o->what_ifs && !R->couple) {
        size_t n = 0;
        for (size_t s = 0; s < R->n_sc; s++) {
            snprintf(res->whatifs[n].desc, sizeof res->whatifs[n].desc, "%s", R->sc[s].desc);
            paired(R, R->sc[s].matched, &res->whatifs[n]);
            n++;
        }
        RMC_TRY(list_what_ifs(R, res->whatifs, &n, d));
        res->n_whatifs = n;
        qsort(res->whatifs, n, sizeof *res->whatifs, cmp_whatif);
    }
    return RMC_OK;
}

rmc_status rmc_forecast_run(const rmc_profile_file *pf, const rmc_forecast_options *o,
                            rmc_problems *problems, rmc_forecast_result **out, rmc_diag *d)
{
    *out = NULL;
    const double t0 = omp_get_wtime();
    RMC_TRY(check_options(pf, o, d));
    rmc_fc_market_src ms;
    RMC_TRY(rmc_fc_parse_market(o->market, &ms, d));
    fc_run R = {.pf = pf,
                .o = o,
                .K = ms.folder ? 1 : o->n_markets,
                .L = rmc_fc_slots(pf),
                .LA = pf->n_programs,
                .couple = pf->partner != NULL};
    R.N = o->replicates;
    rmc_status st = rmc_calloc_array((void **)&R.res, 1, sizeof *R.res, d);
    if (st != RMC_OK) {
        return st;
    }
    rmc_forecast_result *res = R.res;
    res->n_markets = R.K;
    res->n_programs = R.LA;
    res->couple = R.couple;
    res->n_partner_programs = R.L - R.LA;
    res->replicates = R.N;
    res->seed = o->seed;
    snprintf(res->market, sizeof res->market, "%s", o->market);
    rmc_fc_market mk0 = {0};
    /* Markets are built a wave at a time, one a thread (synth and the
     * placement are serial code; each market depends only on its seed), and
     * then run one after the other on every thread. */
    const int threads = o->threads > 0 ? o->threads : omp_get_max_threads();
    const size_t wave = threads > 1 ? ((size_t)threads < R.K ? (size_t)threads : R.K) : 1;
    fc_build *builds = NULL;
    RMC_TRY_GOTO(st, alloc_run(&R, d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&builds, wave, sizeof *builds, d), done);
    for (size_t k0 = 0; k0 < R.K && st == RMC_OK; k0 += wave) {
        const size_t m = R.K - k0 < wave ? R.K - k0 : wave;
        memset(builds, 0, wave * sizeof *builds);
        build_ctx bc = {&R, &ms, k0, m == 1 ? problems : NULL, builds};
        const double tb = omp_get_wtime();
        rmc_par_for(m, (int)m, build_body, &bc);
        res->build_seconds += omp_get_wtime() - tb; /* wall time, the wave's builds together */
        for (size_t i = 0; i < m; i++) {
            const size_t k = k0 + i;
            fc_build *b = &builds[i];
            res->market_seeds[k] = b->seed;
            if (st == RMC_OK && b->st != RMC_OK && bc.pr == NULL && problems != NULL) {
                /* built again alone, to collect its problems (FILE:LINE) */
                rmc_fc_market_free(&b->mk);
                memset(b, 0, sizeof *b);
                build_market(&R, &ms, k, problems, b);
            }
            if (st == RMC_OK && b->st != RMC_OK) {
                st = b->st; /* the lowest market that failed */
                if (d != NULL) {
                    *d = b->d;
                }
            }
            if (st == RMC_OK) {
                st = run_market(&R, k, &b->mk, d);
            }
            if (k == 0 && st == RMC_OK) {
                mk0 = b->mk; /* kept for the replaced ids and joint list, not its models */
                rmc_model_free(mk0.m);
                mk0.m = NULL;
                rmc_model_free(mk0.m_couple);
                mk0.m_couple = NULL;
            } else {
                rmc_fc_market_free(&b->mk);
            }
            if (st == RMC_OK && o->progress != NULL) {
                o->progress(o->progress_ctx, k + 1, R.K);
            }
        }
    }
    rmc_free(builds);
    if (st != RMC_OK) {
        goto done;
    }
    RMC_TRY_GOTO(st, finish(&R, &mk0, d), done);
    res->wall_seconds = omp_get_wtime() - t0;
    *out = res;
    res = NULL;
done:
    rmc_fc_market_free(&mk0);
    free_run(&R);
    rmc_forecast_result_free(res);
    return st;
}
