/* The rank meeting of one program in one replicate (DESIGN 2).
 *
 * 1. Interview day: every interviewer scores every interviewee,
 *    s_aj = pre_a + u_a + b_pj + eps_aj - gamma_c (1 - communication_a).
 *    Only the mean over the k interviewers enters the spreadsheet, so it is
 *    drawn directly: mean_j b_pj ~ N(0, sigma_b^2 / k) once per program (it is
 *    shared by every name), the normal part of mean_j eps_aj ~ N(0,
 *    sigma_eps^2 / k) once per name, and the awkward shocks (probability
 *    p_awkward per score, minus an exponential) by geometric skips over the
 *    n x k score grid, so a replicate draws one uniform per awkward
 *    interview instead of one per score.
 * 2. S0 = w_pre pre + w_int mean_j s_aj; the initial order sorts S0
 *    descending (ties: interviews.csv order).
 * 3. Each name is discussed with probability pi(x) (x = initial position);
 *    pi = discuss_prob, tilted toward the line positions x line_ratio when
 *    discuss_prob < 1 (see discussion_probs). A discussed name gets the
 *    room's statements (docs/meeting.md, "4. Statements"): each factor's
 *    statement is said with its probability, decided by one recycled
 *    uniform per name, and moves the name by spots (given on a reference
 *    list, scaled by n_p / reference_list) or by a tier. Tiers split the
 *    initial order into meeting.tiers near-equal runs with integer
 *    boundaries (meeting_int.h); a tier statement sends a name to the same
 *    place in the target tier (a chief up, flight risk and consistent
 *    awkward interviews down). An IMG no statement put in the regular tier
 *    is compared within its own tier: its upward spots stop at its top.
 *    Visa exclusions (any visa need at a program that sponsors none; H1B at
 *    a J1-only program with probability h1b_at_j1_only_drop) apply to every
 *    name, discussed or not: they are the spreadsheet's filter.
 * 4. Final key = x - total move; sort ascending, ties by x (that is, by S0).
 *
 * Moves go out as floats (rmc_meeting_run) or, for the engine, straight
 * into its fixed-point move sums (rmc_meeting_run_sums, meeting_int.h).
 *
 * Lists are sorted as packed (float key, index) words without a comparator
 * (meeting_int.h, sort_u64.c). Draws come from the stream (seed, replicate,
 * RMC_STREAM_MEETING, program) in initial-position order, so a program's
 * list does not depend on which thread runs it or on other programs.
 */
#include <float.h>
#include <math.h>

/* GSL's documented switch: gsl_rng_uniform and friends inline. */
#define HAVE_INLINE 1
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "accum_int.h"
#include "meeting_int.h"
#include "rankmc/match.h"
#include "rng_int.h"

static const char *const factor_names[RMC_N_FACTORS] = {
    "resident_feedback", "advocacy", "communication", "service_readiness",
    "us_familiarity",    "visa",     "commitment",    "profile",
};

const char *rmc_factor_name(rmc_factor f)
{
    return (unsigned)f < RMC_N_FACTORS ? factor_names[f] : "unknown";
}

/* ---- workspace ----------------------------------------------------------- */

/* Copy the model's meeting inputs into the workspace's packed tables. */
static void pack_inputs(const rmc_model *m, rmc_meeting_ws *w)
{
    for (size_t i = 0; i < m->n_app; i++) {
        w->app[i] = (rmc_app_pack){
            .pre = m->pre_score[i],
            .comm = m->communication[i],
            .type = m->app_type[i],
            .us_exp = m->us_exp[i],
            .visa = m->visa[i],
            .profile = m->profile[i],
        };
    }
    for (size_t e = 0; e < m->n_iv; e++) {
        const size_t k = (size_t)m->iv_by_prog[e];
        w->iv[e] = (rmc_iv_pack){
            .app = m->iv_app[k],
            .advocacy = m->advocacy[k],
            .ties = m->ties[k],
            .interest = m->interest[k],
            .loi = m->loi != NULL ? m->loi[k] : 0,
        };
    }
}

rmc_status rmc_meeting_ws_alloc(const rmc_model *m, rmc_meeting_ws **out, rmc_diag *d)
{
    *out = NULL;
    size_t cp = 1, ca = 1;
    for (size_t j = 0; j < m->n_prog; j++) {
        const size_t n = m->prog_off[j + 1] - m->prog_off[j];
        cp = n > cp ? n : cp;
    }
    for (size_t i = 0; i < m->n_app; i++) {
        const size_t n = m->app_off[i + 1] - m->app_off[i];
        ca = n > ca ? n : ca;
    }
    if (cp > INT32_MAX || ca > INT32_MAX) {
        return RMC_FAIL(d, RMC_ELIMIT, "a program or applicant has more than 2^31 interviews");
    }
    rmc_meeting_ws *w = NULL;
    RMC_TRY(rmc_alloc_aligned((void **)&w, 1, sizeof *w, d));
    w->cap_prog = cp;
    w->cap_app = ca;
    const size_t ck = cp > ca ? cp : ca;
    w->m = m;
    rmc_status st;
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->app, m->n_app, sizeof *w->app, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->iv, m->n_iv, sizeof *w->iv, d), fail);
    pack_inputs(m, w);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->keys, ck, sizeof *w->keys, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->tmp, ck, sizeof *w->tmp, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->order, cp, sizeof *w->order, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->awk, cp, sizeof *w->awk, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->awk_n, cp, sizeof *w->awk_n, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->far, cp, sizeof *w->far, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->pi, cp, sizeof *w->pi, d), fail);
    RMC_TRY_GOTO(st, rmc_alloc_aligned((void **)&w->eps, cp, sizeof *w->eps, d), fail);
    RMC_TRY_GOTO(
        st, rmc_alloc_aligned((void **)&w->heads, cp * RMC_PHILOX_HEAD_WORDS, sizeof *w->heads, d),
        fail);
    RMC_TRY_GOTO(st,
                 rmc_alloc_aligned((void **)&w->rol_heads,
                                   (size_t)RMC_ROL_HEAD_APPS * 4 * RMC_PHILOX_ROL_BLOCKS,
                                   sizeof *w->rol_heads, d),
                 fail);
    w->rol_n = 0;
    RMC_TRY_GOTO(
        st,
        rmc_alloc_aligned((void **)&w->race_w, m->n_prog > 0 ? m->n_prog : 1, sizeof *w->race_w, d),
        fail);
    w->race_valid = false;
    w->app_valid = false;
    *out = w;
    return RMC_OK;
fail:
    rmc_meeting_ws_free(w);
    return st;
}

void rmc_meeting_ws_free(rmc_meeting_ws *w)
{
    if (w == NULL) {
        return;
    }
    rmc_free(w->race_w);
    rmc_free(w->rol_heads);
    rmc_free(w->heads);
    rmc_free(w->eps);
    rmc_free(w->pi);
    rmc_free(w->far);
    rmc_free(w->awk_n);
    rmc_free(w->awk);
    rmc_free(w->order);
    rmc_free(w->tmp);
    rmc_free(w->keys);
    rmc_free(w->iv);
    rmc_free(w->app);
    rmc_free(w);
}

/* ---- interview day ------------------------------------------------------- */

void rmc_meeting_draw_applicants(const rmc_model *m, const rmc_params *p, rmc_rng *r, uint64_t seed,
                                 uint64_t replicate, double *day)
{
    rmc_rng_seek(r, seed, replicate, RMC_STREAM_APPLICANT, 0);
    rmc_philox *const s = rmc_rng_philox(r);
    const double sigma = p->interview_sigma_day;
    for (size_t i = 0; i < m->n_app; i++) {
        day[i] = sigma > 0 ? sigma * rmc_philox_normal(s) : 0.0;
    }
}

/* Names ahead whose scattered applicant rows and output slots are
 * prefetched: a meeting's interviewees are spread over the whole model. */
enum { PREFETCH = 6 };

/* A statement probability fixed by the parameters, with the factors that
 * recycle the deciding uniform (said_fixed). */
typedef struct chance {
    double p, inv_p, inv_q; /* p, 1 / p, 1 / (1 - p) (0 where undefined) */
} chance;

static chance chance_of(double p)
{
    return (chance){p, p > 0 ? 1.0 / p : 0.0, p < 1 ? 1.0 / (1.0 - p) : 0.0};
}

/* What one meeting needs at hand. */
typedef struct meeting_ctx {
    const rmc_model *m;
    const rmc_params *p;
    gsl_rng *g;
    rmc_philox *s;             /* g's state, for inline uniforms */
    size_t j;                  /* program */
    size_t n;                  /* its interviewees */
    const rmc_id *ivs;         /* its interview indices, [n] */
    const rmc_iv_pack *iv;     /* their packed inputs, [n] */
    const rmc_app_pack *app;   /* every applicant's packed inputs */
    double scale;              /* n / reference_list */
    double service_load;       /* the program's service_load */
    uint8_t sponsors;          /* the program's visa sponsorship */
    unsigned n_res;            /* residents who may comment */
    const double *comment_cdf; /* Binomial(n_res, p_comment) cdf, or NULL */
    const double *comment_inv; /* its cells' inverse widths (rmc_meeting_ws.comment_inv) */
    const uint8_t *awk_n;      /* awkward interviews of each name, [n] (capped at 255) */
    rmc_rng *r;                /* the generator behind g and s, for per-name seeks */
    uint64_t seed, replicate;  /* the stream names of this meeting */
    chance fam, ties, flight_low, flight_normal, std_j1, std_h1b, impress;
    const rmc_lanes_ops *lanes; /* the vector code across names, or NULL */
    rmc_lanes_ctx lc;           /* its constants (when lanes is set) */
    /* the engine's move sums (rmc_meeting_run_sums), else NULL: the
     * program's rows of the int32 sums ([n][RMC_N_FACTORS], local index
     * order) and the total's int64 sums (interview order) */
    int32_t *sum;
    int64_t *spill;
} meeting_ctx;

/* Sum of each name's awkward shocks into awk[0 .. n) and their number
 * into awk_n: geometric gaps between awkward scores over the n x k grid
 * (name-major). */
static void draw_awkward(const meeting_ctx *c, size_t k, float *awk, uint8_t *awk_n)
{
    memset(awk, 0, c->n * sizeof *awk);
    memset(awk_n, 0, c->n * sizeof *awk_n);
    const double q = c->p->interview_p_awkward;
    const double mean = c->p->interview_awkward_mean;
    const size_t total = c->n * k;
    if (q <= 0 || total == 0) {
        return;
    }
    const double inv_log = q < 1 ? 1.0 / log1p(-q) : 0.0;
    size_t idx = 0;
    while (idx < total) {
        /* P(gap >= g) = (1 - q)^g */
        const double gap = q < 1 ? floor(log(rmc_philox_uniform_pos(c->s)) * inv_log) : 0.0;
        if (gap >= (double)(total - idx)) {
            break;
        }
        idx += (size_t)gap;
        awk[idx / k] += (float)(mean * rmc_philox_exp1(c->s));
        awk_n[idx / k] = (uint8_t)(awk_n[idx / k] + (awk_n[idx / k] < UINT8_MAX));
        idx++;
    }
}

/* S0 of every name, packed with its local index into w->keys; sorted, this
 * gives the initial order. The names' noise normals are drawn first, in
 * name order from the meeting's stream (the same draws in the same order
 * as when each name drew its own in the score loop), into w->eps, and
 * each name's scattered applicant row and day form are prefetched as its
 * normal is drawn, so the score loop, drawing nothing, finds them there. */
static void score_names(const meeting_ctx *c, const double *day, rmc_meeting_ws *w)
{
    const rmc_model *m = c->m;
    const rmc_params *p = c->p;
    const size_t n = c->n;
    const size_t k = (size_t)(m->interviewers[c->j] > 0 ? m->interviewers[c->j] : 1);
    const double sk = 1.0 / sqrt((double)k);
    const double sd_eps = p->interview_sigma_noise * sk;
    const double bbar = p->interview_sigma_leniency > 0
                            ? p->interview_sigma_leniency * sk * rmc_philox_normal(c->s)
                            : 0.0;
    draw_awkward(c, k, w->awk, w->awk_n);
    const rmc_iv_pack *restrict const iv = c->iv;
    const rmc_app_pack *restrict const app = c->app;
    double *restrict const eps = w->eps;
    rmc_philox *const s = c->s;
    for (size_t t = 0; t < n; t++) {
        const size_t a = (size_t)iv[t].app;
        __builtin_prefetch(&app[a]);
        __builtin_prefetch(&day[a]);
        eps[t] = sd_eps > 0 ? sd_eps * rmc_philox_normal(s) : 0.0;
    }
    const double kd = (double)k, gamma = p->interview_gamma_communication;
    const double w_pre = p->interview_w_pre, w_int = p->interview_w_int;
    const float *restrict const awk = w->awk;
    uint64_t *restrict const keys = w->keys;
    for (size_t t = 0; t < n; t++) {
        const size_t a = (size_t)iv[t].app;
        const rmc_app_pack *ap = &app[a];
        const double awk_k = (double)awk[t] / kd;
        const double sc = ap->pre + day[a] + bbar + eps[t] - awk_k - gamma * (1.0 - ap->comm);
        const double s0 = w_pre * ap->pre + w_int * sc;
        keys[t] = rmc_pack_key((float)-s0, (uint32_t)t);
    }
}

/* Discussion probability by initial position: discuss_prob plus a zero-mean
 * tilt toward the line L = positions x line_ratio, using the triangular
 * weight v(x) = max(0, 1 - |x - L| / (discuss_width n)):
 *   pi(x) = q + lambda (v(x) - mean v),
 * lambda = discuss_focus x the largest value keeping every pi in [0, 1]. The
 * list's mean of pi is q exactly. */
static void discussion_probs(const meeting_ctx *c, float *pi)
{
    const rmc_params *p = c->p;
    const double q = p->meeting_discuss_prob;
    const double n = (double)c->n;
    double line = (double)c->m->positions[c->j] * p->meeting_line_ratio;
    line = line < n - 1 ? line : n - 1;
    const double h = p->meeting_discuss_width * n;
    double sum = 0, vmin = 1, vmax = 0;
    for (size_t x = 0; x < c->n; x++) {
        const double v = fmax(0.0, 1.0 - fabs((double)x - line) / h);
        pi[x] = (float)v;
        sum += v;
        vmin = fmin(vmin, v);
        vmax = fmax(vmax, v);
    }
    const double vbar = sum / n;
    double lambda = 0;
    if (vmax > vbar && vbar > vmin) {
        lambda = fmin((1 - q) / (vmax - vbar), q / (vbar - vmin)) * p->meeting_discuss_focus;
    }
    for (size_t x = 0; x < c->n; x++) {
        pi[x] = (float)fmin(1.0, fmax(0.0, q + lambda * ((double)pi[x] - vbar)));
    }
}

/* Binomial(n, p) by inversion from one uniform: a meeting's resident counts
 * are small (n = residents), where this takes about 20% fewer instructions
 * than gsl_ran_binomial (callgrind). p > 1/2 draws the complement so that
 * q^n stays well away from underflow; n > 64 goes to GSL. */
static unsigned binomial_small(gsl_rng *g, rmc_philox *s, double p, unsigned n)
{
    if (n == 0 || p <= 0) {
        return 0;
    }
    if (p >= 1) {
        return n;
    }
    if (n > 64) {
        return gsl_ran_binomial(g, p, n);
    }
    const bool flip = p > 0.5;
    const double pp = flip ? 1 - p : p, q = 1 - pp, ratio = pp / q;
    double pmf = 1;
    for (unsigned t = 0; t < n; t++) {
        pmf *= q;
    }
    double u = rmc_philox_uniform(s);
    unsigned x = 0;
    while (u >= pmf && x < n) {
        u -= pmf;
        pmf *= ratio * (double)(n - x) / (double)(x + 1);
        x++;
    }
    return flip ? n - x : x;
}

/* The largest double below 1: recycled uniforms are clamped to it
 * (without fmin, which is a libm call here). */
#define BELOW_ONE RMC_BELOW_ONE
static inline double below_one(double v)
{
    return v < BELOW_ONE ? v : BELOW_ONE;
}

/* Binomial(n, logistic(like)) by inversion from the uniform u, for n <=
 * RMC_MAX_TABLE_RESIDENTS, without divisions: with e = exp(-|like|) the
 * rarer outcome has probability e / (1 + e), the odds ratio of one step is
 * e, and P(0 of the rarer) = (1 + e)^-n. Draws the rarer outcome's count
 * and returns the positives. */
static unsigned binomial_logit(double u, double like, unsigned n)
{
    const double e = exp(-fabs(like)), q = 1.0 / (1.0 + e);
    double pmf = 1;
    for (unsigned t = 0; t < n; t++) {
        pmf *= q;
    }
    unsigned x = 0;
    while (u >= pmf && x < n) {
        u -= pmf;
        pmf *= e * (double)(n - x) * rmc_inv_int[x + 1];
        x++;
    }
    /* like > 0: positives are the common outcome and x counts negatives */
    return like > 0 ? n - x : x;
}

/* exp(-y) = 2^-(m/32) exp(r) with y = m ln2/32 - r, |r| <= ln2/64 (ln2/32
 * split in two so that m ln2_hi is exact), exp(r) by its Taylor polynomial
 * of degree 5 (remainder below 0.0109^6 / 6! < 2.3e-15 of it) evaluated in
 * two halves (a short dependence chain), 2^-(m/32) from the table and the
 * exponent bits. For 0 <= y <= RMC_EXP_NEG_MAX (the result stays a normal
 * number). */
static inline double exp_neg(double y)
{
    const double ln2_hi = 0x1.62e42feep-6, ln2_lo = 0x1.a39ef35793c76p-38; /* ln2 / 32 */
    const int m = (int)(y * 0x1.71547652b82fep+5 + 0.5);
    const double md = (double)m;
    const double r = (md * ln2_hi - y) + md * ln2_lo;
    const double r2 = r * r;
    const double lo = 1.0 + r, mid = 0.5 + r * (1.0 / 6), hi = 1.0 / 24 + r * (1.0 / 120);
    const double poly = lo + r2 * (mid + r2 * hi);
    const uint64_t bits = (uint64_t)(1023 - (m >> 5)) << 52;
    double scale;
    memcpy(&scale, &bits, sizeof scale);
    return poly * rmc_exp2_neg32[m & 31] * scale;
}

double rmc_exp_neg(double y)
{
    return exp_neg(y);
}

/* How far every comparison of binomial_logit's inversion must be from a
 * tie for its result to be known from the approximations comment_split
 * uses. With e within a relative d = 2^-40 of libm's exp (rmc_exp_neg:
 * 2^-44, tested) and v within 4 ulp-of-1 (a multiplication by the cell's
 * inverse width instead of the division), every pmf of the inversion,
 * after at most n + x + 2 <= 130 rounded operations, is within 130 (d + 8
 * 2^-53) < 1.2e-10 of binomial_logit's, and the remainder of u after x <=
 * 64 subtractions within 64 (1.2e-10 + 2^-52) + 4 2^-53 < 7.7e-9: a
 * difference of the two larger than 2^-26 (1.5e-8) has the same sign in
 * both. */
#define SPLIT_MARGIN RMC_SPLIT_MARGIN

/* Resident feedback's split of n comments at likability like from u in
 * [lo, hi): binomial_logit at v = (u - lo) / (hi - lo), computed without
 * libm's exp or the division where every comparison of the inversion is
 * clearly on one side (all but about 1e-7 of draws), else by the
 * definition (rmc_comment_split_exact). The same result for every input. */
static inline unsigned comment_split(double u, double lo, double hi, double inv, double like,
                                     unsigned n)
{
    const double y = fabs(like);
    if (y <= RMC_EXP_NEG_MAX && inv > 0 && n <= RMC_MAX_TABLE_RESIDENTS) {
        const double e = exp_neg(y), q = 1.0 / (1.0 + e);
        double v = below_one((u - lo) * inv);
        double pmf = 1;
        for (unsigned t = 0; t < n; t++) {
            pmf *= q;
        }
        unsigned x = 0;
        bool sure = true;
        while (x < n) {
            const double d = v - pmf;
            if (!(fabs(d) > SPLIT_MARGIN)) {
                sure = false;
                break;
            }
            if (d < 0) {
                break;
            }
            v = d;
            pmf *= e * (double)(n - x) * rmc_inv_int[x + 1];
            x++;
        }
        if (sure) {
            return like > 0 ? n - x : x;
        }
    }
    return binomial_logit(below_one((u - lo) / (hi - lo)), like, n);
}

unsigned rmc_comment_split(double u, double lo, double hi, double inv, double like, unsigned n)
{
    return comment_split(u, lo, hi, inv, like, n);
}

unsigned rmc_comment_split_exact(double u, double lo, double hi, double like, unsigned n)
{
    return binomial_logit(below_one((u - lo) / (hi - lo)), like, n);
}

/* Resident feedback in reference spots ("I'd be happy to have him on my
 * team" / "not sure he'd fit our culture"). Each resident comments w.p. p_comment, positively w.p.
 * logistic(likability): the number of comments C ~ Binomial(R, p_comment)
 * (from the meeting's table), then #positive ~ Binomial(C, p+) and the rest
 * negative, which is the multinomial (positive, negative, silent). C and the
 * split share one uniform u: C by inversion of the table, the split from
 * u's place inside C's cell, (u - F(C - 1)) / P(C), which is again U(0, 1)
 * and independent of C. The likability is drawn only when someone
 * comments. */
static double resident_move(const meeting_ctx *c, double communication)
{
    const rmc_params *p = c->p;
    const unsigned n_res = c->n_res;
    if (n_res == 0 || p->residents_p_comment <= 0) {
        return 0;
    }
    unsigned n_comments = 0;
    double u = -1, lo = 0, hi = 1;
    if (c->comment_cdf != NULL) {
        u = rmc_philox_uniform(c->s);
        while (n_comments < n_res && u >= c->comment_cdf[n_comments]) {
            n_comments++;
        }
        lo = n_comments > 0 ? c->comment_cdf[n_comments - 1] : 0.0;
        hi = c->comment_cdf[n_comments];
    } else {
        n_comments = binomial_small(c->g, c->s, p->residents_p_comment, n_res);
    }
    if (n_comments == 0) {
        return 0;
    }
    double like = p->residents_like_base + p->residents_like_communication * (communication - 0.5);
    if (p->residents_sigma_like > 0) {
        like += p->residents_sigma_like * rmc_philox_normal(c->s);
    }
    unsigned pos;
    if (n_comments <= RMC_MAX_TABLE_RESIDENTS) {
        /* the split from u's place inside its cell, (u - lo) / (hi - lo),
         * or a uniform of its own without the table */
        if (u >= 0) {
            pos = comment_split(u, lo, hi, c->comment_inv[n_comments], like, n_comments);
        } else {
            pos = binomial_logit(rmc_philox_uniform(c->s), like, n_comments);
        }
    } else {
        pos = binomial_small(c->g, c->s, 1.0 / (1.0 + exp(-like)), n_comments);
    }
    const unsigned neg = n_comments - pos;
    return pos * p->residents_spots_positive - neg * p->residents_spots_negative;
}

/* The distribution function of Binomial(R, p_comment) into cdf[0 .. R], or
 * false when the table does not apply (p_comment 0 or 1, R too large). */
static bool comment_table(const rmc_params *p, unsigned n_res, double *cdf, double *inv)
{
    const double pc = p->residents_p_comment;
    if (!(pc > 0 && pc < 1) || n_res == 0 || n_res > RMC_MAX_TABLE_RESIDENTS) {
        return false;
    }
    const double ratio = pc / (1 - pc);
    double pmf = 1;
    for (unsigned t = 0; t < n_res; t++) {
        pmf *= 1 - pc;
    }
    double sum = 0;
    for (unsigned i = 0; i <= n_res; i++) {
        sum += pmf;
        cdf[i] = sum;
        pmf *= ratio * (double)(n_res - i) / (double)(i + 1);
    }
    for (unsigned i = 0; i <= n_res; i++) {
        const double width = cdf[i] - (i > 0 ? cdf[i - 1] : 0.0);
        const double v = width > 0 ? 1.0 / width : 0.0;
        inv[i] = v <= DBL_MAX ? v : 0.0;
    }
    return true;
}

/* The place a tier statement sends the name at position x to: `up` tiers
 * up (negative: down), at the same offset in the target tier, clamped to
 * that tier's last place; past the top tier the top (0), past the bottom
 * tier the last place (n - 1). */
static size_t tier_target(const meeting_ctx *c, size_t x, int up)
{
    const size_t tiers = (size_t)c->p->meeting_tiers;
    const long t = (long)rmc_tier_of(x, c->n, tiers);
    const long nt = (long)rmc_tier_count(c->n, tiers);
    const long to = t - up;
    if (to < 0) {
        return 0;
    }
    if (to >= nt) {
        return c->n - 1;
    }
    const size_t b_from = rmc_tier_start((size_t)t, c->n, tiers);
    const size_t b_to = rmc_tier_start((size_t)to, c->n, tiers);
    const size_t size_to = rmc_tier_start((size_t)to + 1, c->n, tiers) - b_to;
    const size_t offset = x - b_from;
    return b_to + (offset < size_to ? offset : size_to - 1);
}

/* a < b ? x : y, without a branch: for statements said with a
 * probability far from 0 and 1, a coin flip that the branch predictor
 * cannot learn (GCC / clang vector extensions; lane 0 is the value). */
typedef double rmc_v2d __attribute__((vector_size(2 * sizeof(double))));
typedef int64_t rmc_v2l __attribute__((vector_size(2 * sizeof(int64_t))));
static inline double lt_pick(double a, double b, double x, double y)
{
    const rmc_v2l m = (rmc_v2d){a, 0.0} < (rmc_v2d){b, 0.0};
    const rmc_v2l r = (m & (rmc_v2l)(rmc_v2d){x, 0.0}) | (~m & (rmc_v2l)(rmc_v2d){y, 0.0});
    return ((rmc_v2d)r)[0];
}

/* yes ? x : y, without a branch (the same bits). */
static inline double pick(bool yes, double x, double y)
{
    const rmc_v2l m = {-(int64_t)yes, 0};
    const rmc_v2l r = (m & (rmc_v2l)(rmc_v2d){x, 0.0}) | (~m & (rmc_v2l)(rmc_v2d){y, 0.0});
    return ((rmc_v2d)r)[0];
}

/* A statement made with probability p, decided by the uniform *u, which is
 * then replaced by its place inside the branch taken: u / p or (u - p) /
 * (1 - p), again U(0, 1) and independent of the decision. So one uniform
 * decides a name's whole chain of statements, and the last one's size. */
static inline bool said(double *u, double p)
{
    if (*u < p) {
        *u = below_one(*u / p);
        return true;
    }
    if (p > 0) {
        *u = below_one((*u - p) / (1 - p));
    }
    return false;
}

/* A statement's size relative to its key: 1 + spread (2 d - 1) with d one
 * of 32 evenly spaced values (the midpoints of 32 bins), from the top five
 * bits of *u, which keeps the rest: 32 u - floor(32 u) is again U(0, 1)
 * and independent of d. */
static inline double spread(double *u, double width)
{
    const double v = *u * 32.0, digit = floor(v);
    *u = v - digit;
    return 1.0 + width * (2.0 * (digit + 0.5) / 32.0 - 1.0);
}

/* said() for a probability fixed by the parameters: multiplications by
 * the precomputed reciprocals instead of divisions (the same value up to
 * rounding). */
static inline bool said_fixed(double *u, const chance *c)
{
    if (*u < c->p) {
        *u = below_one(*u * c->inv_p);
        return true;
    }
    *u = below_one((*u - c->p) * c->inv_q);
    return false;
}

/* said_fixed() without a branch, for a statement whose probability is far
 * from 0 and 1: a coin flip the branch predictor cannot learn (where it
 * can, the branch is faster: the picks lengthen u's chain). */
static inline bool said_fixed_flip(double *u, const chance *c)
{
    const double v = *u;
    *u = below_one(lt_pick(v, c->p, v, v - c->p) * lt_pick(v, c->p, c->inv_p, c->inv_q));
    return v < c->p;
}

static inline bool is_img(uint8_t type)
{
    return type == RMC_TYPE_US_IMG || type == RMC_TYPE_IMG;
}

/* A name's moves, one lane per factor (RMC_N_FACTORS): GCC / clang vector
 * extensions, so each lane's arithmetic is the scalar IEEE operation of
 * that lane, whatever vector width the target compiles it to. */
typedef double rmc_v8d __attribute__((vector_size(RMC_N_FACTORS * sizeof(double))));
typedef float rmc_v8f __attribute__((vector_size(RMC_N_FACTORS * sizeof(float))));
typedef int64_t rmc_v8l __attribute__((vector_size(RMC_N_FACTORS * sizeof(int64_t))));

/* ((v0 + v1) + (v2 + v3)) + ((v4 + v5) + (v6 + v7)): the pairwise sum every
 * total of a name's moves uses (eight dependent adds were a latency
 * chain). By pointer: a 64-byte vector passed by value draws a -Wpsabi
 * note from GCC and a warning from clang. */
static inline double sum8(const rmc_v8d *v)
{
    return (((*v)[0] + (*v)[1]) + ((*v)[2] + (*v)[3])) +
           (((*v)[4] + (*v)[5]) + ((*v)[6] + (*v)[7]));
}

/* A discussed name's moves, one field per factor, until they are gathered
 * into one vector (moves_vector): written one at a time into a vector in
 * memory and read back whole, they stalled the store forwarding. */
typedef struct name_moves {
    double residents, advocacy, communication, service, familiarity, visa, commitment, profile;
} name_moves;

/* The moves of m as one vector, in rmc_factor order (a macro: a function
 * returning a 64-byte vector would change the ABI without AVX-512). */
#define MOVES_VECTOR(m)                                                                            \
    ((rmc_v8d){(m).residents, (m).advocacy, (m).communication, (m).service, (m).familiarity,       \
               (m).visa, (m).commitment, (m).profile})
_Static_assert(RMC_FACTOR_RESIDENTS == 0 && RMC_FACTOR_ADVOCACY == 1 &&
                   RMC_FACTOR_COMMUNICATION == 2 && RMC_FACTOR_SERVICE == 3 &&
                   RMC_FACTOR_FAMILIARITY == 4 && RMC_FACTOR_VISA == 5 &&
                   RMC_FACTOR_COMMITMENT == 6 && RMC_FACTOR_PROFILE == 7,
               "name_moves lists the factors in rmc_factor order");

/* What a discussed name's statements decided beyond their spots. */
typedef struct said_flags {
    bool regular; /* an IMG put in the regular tier: concern gone or a strong advocate */
    bool flight;  /* "not sure he really wants to be here" */
} said_flags;

/* Statements in reference spots (unscaled) into mv, decided by one chain
 * uniform u (said()) and the advocacy uniform a: communication (IMGs),
 * US-system familiarity, ties and flight risk, visa, a rotation's verdict,
 * service readiness (last: its size takes what is left of u). Over 80
 * lines on purpose: one statement after another in the order the chain
 * uniform is spent, kept in one piece so that order reads top to bottom. */
static void statements(const meeting_ctx *c, const rmc_app_pack *ap, const rmc_iv_pack *iv,
                       double u, double a, name_moves *mv, said_flags *fl)
{
    const rmc_params *p = c->p;
    if (is_img(ap->type)) {
        /* "whatever concern I had about communication is gone" */
        const double cm = ap->comm, th = p->communication_threshold;
        if (said(&u, (double)ap->p_gone)) {
            mv->communication = p->communication_bonus * spread(&u, p->meeting_statement_spread);
            fl->regular = true;
        } else if (cm < th) {
            mv->communication = -p->communication_penalty * (th - cm) / th;
        }
    }
    /* "she knows how EPIC works, she's done signout" (or has never) */
    {
        const double fam[RMC_N_USEXP + 1] = {p->familiarity_none, p->familiarity_observership,
                                             p->familiarity_hands_on, p->familiarity_sub_i, 0.0};
        const double f = fam[ap->us_exp < RMC_N_USEXP ? ap->us_exp : RMC_N_USEXP];
        mv->familiarity = pick(said_fixed_flip(&u, &c->fam), f, 0.0);
    }
    /* "she has family in this region ... she's staying if she matches" */
    double cmt = iv->interest == RMC_INTEREST_LOW    ? p->commitment_low_interest
                 : iv->interest == RMC_INTEREST_HIGH ? p->commitment_high_interest
                                                     : 0.0;
    const bool ties_said = iv->ties && said_fixed(&u, &c->ties);
    cmt += ties_said ? p->commitment_ties : 0.0;
    mv->commitment = cmt;
    /* "I'm not sure he really wants to be here": no ties said, no letter
     * confirming the commitment, interest not high */
    if (!ties_said && !iv->loi && iv->interest != RMC_INTEREST_HIGH) {
        fl->flight =
            said_fixed(&u, iv->interest == RMC_INTEREST_LOW ? &c->flight_low : &c->flight_normal);
    }
    /* "What's their visa situation?" */
    const uint8_t visa = ap->visa, sp = c->sponsors;
    if (visa == RMC_VISA_J1 || (visa == RMC_VISA_UNCERTAIN && iv->loi)) {
        /* a letter confirming the J1 makes it standard */
        mv->visa = (iv->loi || said_fixed(&u, &c->std_j1))
                       ? p->visa_routine_j1 * spread(&u, p->meeting_statement_spread)
                       : p->visa_messy;
    } else if (visa == RMC_VISA_H1B && sp == RMC_SPONSORS_J1_H1B) {
        mv->visa =
            (iv->loi || said_fixed(&u, &c->std_h1b)) ? p->visa_h1b_at_sponsor : p->visa_messy;
    } else if (visa == RMC_VISA_H1B) {
        mv->visa = p->visa_h1b_at_j1_only;
    } else if (visa == RMC_VISA_UNCERTAIN) {
        mv->visa = p->visa_uncertain;
    }
    /* insider advocacy (a chief's tier jump is added by the caller) */
    switch (iv->advocacy) {
    case RMC_ADVOCACY_ROTATION:
        /* "if you actually impressed people" */
        if (said_fixed(&u, &c->impress)) {
            mv->advocacy = p->advocacy_rotation_min +
                           (p->advocacy_rotation_max - p->advocacy_rotation_min) * a;
            fl->regular = true;
        } else {
            mv->advocacy = -p->advocacy_rotation_letdown * a;
        }
        break;
    case RMC_ADVOCACY_RESEARCH_FELLOW: {
        double v = p->advocacy_fellow_min + (p->advocacy_fellow_max - p->advocacy_fellow_min) * a;
        if (p->advocacy_fellow_tail_prob > 0 &&
            rmc_philox_uniform(c->s) < p->advocacy_fellow_tail_prob) {
            v += p->advocacy_fellow_tail_mean * rmc_philox_exp1(c->s);
        }
        mv->advocacy = v;
        fl->regular = true;
        break;
    }
    case RMC_ADVOCACY_CHIEF:
        fl->regular = true;
        break;
    default:
        mv->advocacy = p->advocacy_none_max * a;
        break;
    }
    /* "keep them higher, they'll survive here" */
    const double p_service = ap->service * c->service_load;
    /* said(&u, p_service) where p_service > 0 (u >= 0 is not below 0 or NaN) */
    const double us = below_one(u / lt_pick(u, p_service, p_service, 1.0));
    mv->service =
        lt_pick(u, p_service,
                p->service_spots_min + (p->service_spots_max - p->service_spots_min) * us, 0.0);
}

enum fate { FATE_RANKED, FATE_DROPPED, FATE_BOTTOM };

/* The spreadsheet's visa filter, for every name (rmc_visa_refused). */
static enum fate visa_fate(const meeting_ctx *c, uint8_t visa)
{
    return rmc_visa_refused(visa, c->sponsors, c->p->visa_h1b_at_j1_only_drop, c->s) ? FATE_DROPPED
                                                                                     : FATE_RANKED;
}

/* A tier statement's move in this list's spots, from place `from` to `to`:
 * up lands just ahead of the name there, down just behind it. */
static inline double tier_spots(size_t from, size_t to)
{
    return to < from   ? (double)from - (double)to + 0.5
           : to > from ? (double)from - (double)to - 0.5
                       : 0.0;
}

/* Every statement's move of a discussed name at initial position x, in
 * this list's spots, into mv[0 .. RMC_N_FACTORS) (with c->sum: added to
 * the name's sums, mv unused); *sum gets their total.
 * Tier statements, in this order: a chief's word (up chief_tiers), flight
 * risk (down flight_tiers), consistent negative interviews (down
 * consistent_tiers); each moves the name to the same offset in the target
 * tier. Spot statements then move it within the list; an IMG whom no
 * statement put in the regular tier is compared within its own tier: its
 * upward spots stop at the top of the tier it is in (the positive spot
 * moves are scaled down together). Over 80 lines on purpose: the tier
 * statements, the spot statements and the IMG tier cap share the name's
 * position bookkeeping in this fixed order. residents: resident
 * feedback's move when the vector pass made it (the stream already past its
 * words), else NULL. */
static enum fate discuss_name(const meeting_ctx *c, size_t x, size_t t, const double *residents,
                              float *mv, double *sum)
{
    const rmc_params *p = c->p;
    const rmc_iv_pack *iv = &c->iv[t];
    const rmc_app_pack *ap = &c->app[iv->app];
    _Static_assert(RMC_N_FACTORS == 8, "rmc_v8d and sum8 assume eight factors");
    name_moves nm = {0};
    /* resident feedback: from the vector pass (residents) or drawn here */
    nm.residents = residents != NULL ? *residents : resident_move(c, ap->comm);
    const double a = rmc_philox_uniform(c->s);
    const double u = rmc_philox_uniform(c->s);
    said_flags fl = {false, false};
    statements(c, ap, iv, u, a, &nm, &fl);
    if (ap->profile == RMC_PROFILE_STAR && p->profile_sigma_star > 0) {
        /* "high-variance stars": up or down drastically */
        nm.profile = p->profile_sigma_star * rmc_philox_normal(c->s);
    }
    rmc_v8d ref = MOVES_VECTOR(nm) * c->scale;
    if (iv->loi && p->loi_tie_spots > 0) {
        /* a letter of intent: a tie-breaker, in this list's own spots */
        ref[RMC_FACTOR_COMMITMENT] += p->loi_tie_spots;
    }
    const double spots = sum8(&ref);
    const unsigned n_awk = c->awk_n[t];
    enum fate fate = FATE_RANKED;
    if (ap->profile == RMC_PROFILE_RISKY && n_awk > 0) {
        /* "too risky, drop him down": one interviewer's negative comment */
        fate = rmc_philox_uniform(c->s) < p->profile_risky_drop ? FATE_DROPPED : FATE_BOTTOM;
        /* the remaining spots to the bottom of the list */
        ref[RMC_FACTOR_PROFILE] += ((double)x - (double)(c->n - 1)) - spots;
    } else {
        /* the tier statements' spots (advocacy, commitment, profile), as
         * scalars until they are added: ref stays in registers */
        double t_adv = 0, t_cmt = 0, t_prof = 0;
        bool tiered = false;
        size_t y = x;
        if (iv->advocacy == RMC_ADVOCACY_CHIEF && p->advocacy_chief_tiers > 0) {
            const size_t to = tier_target(c, y, p->advocacy_chief_tiers);
            t_adv = tier_spots(y, to);
            tiered = true;
            y = to;
        }
        if (fl.flight && p->commitment_flight_tiers > 0) {
            const size_t to = tier_target(c, y, -p->commitment_flight_tiers);
            t_cmt = tier_spots(y, to);
            tiered = true;
            y = to;
        }
        if (n_awk >= (unsigned)p->interview_consistent_awkward &&
            p->interview_consistent_tiers > 0) {
            /* "consistent negative themes across interviewers" */
            const size_t to = tier_target(c, y, -p->interview_consistent_tiers);
            t_prof = tier_spots(y, to);
            tiered = true;
            y = to;
        }
        if (is_img(ap->type) && !fl.regular && spots > 0) {
            /* compared within its own tier: upward spots stop at its top */
            const size_t tiers = (size_t)p->meeting_tiers;
            const double tier_total = ((t_adv + t_cmt) + t_prof);
            const double top =
                (double)rmc_tier_start(rmc_tier_of(y, c->n, tiers), c->n, tiers) - 0.5;
            const double gap = (double)x - tier_total - top;
            const double room = gap > 0 ? gap : 0.0;
            if (spots > room) {
                /* the positive moves (others 0), summed in factor order */
                const rmc_v8l up = ref > 0;
                const rmc_v8d pos8 = (rmc_v8d)((rmc_v8l)ref & up);
                double pos = 0;
                for (size_t f = 0; f < RMC_N_FACTORS; f++) {
                    pos += pos8[f];
                }
                const double s = (room - (spots - pos)) / pos;
                ref = (rmc_v8d)(((rmc_v8l)(ref * s) & up) | ((rmc_v8l)ref & ~up));
            }
        }
        if (tiered) {
            ref += (rmc_v8d){0.0, t_adv, 0.0, 0.0, 0.0, 0.0, t_cmt, t_prof};
        }
    }
    /* the recorded (float) moves and their sum; the engine's sums take them
     * from registers (rmc_meeting_run_sums) */
    const rmc_v8f rec = __builtin_convertvector(ref, rmc_v8f);
    const rmc_v8d back = __builtin_convertvector(rec, rmc_v8d);
    if (c->sum != NULL) {
        rmc_accum_add_moves8_i32(c->sum + t * RMC_N_FACTORS,
                                 c->spill + (size_t)c->ivs[t] * RMC_N_FACTORS,
                                 (const double *)&back);
    } else {
        memcpy(mv, &rec, sizeof rec);
    }
    *sum = sum8(&back);
    return fate;
}

/* The applicants' statement probabilities that depend only on the
 * parameters, kept in the workspace for the parameters they were made with
 * (one exp per applicant, not one per name): every IMG's probability of
 * "whatever concern I had about communication is gone",
 * logistic(slope (communication - threshold)), rounded to float (the
 * statement's probability is exact to 2^-24), and the service statement's
 * p_statement x min(years, max_years) / max_years, which a program's
 * service_load multiplies (the same product, in the same order, as a name
 * would compute it). */
static void app_probs(const rmc_model *m, const rmc_params *p, rmc_meeting_ws *w)
{
    const double mx = p->service_max_years;
    for (size_t i = 0; i < m->n_app; i++) {
        rmc_app_pack *ap = &w->app[i];
        ap->p_gone = is_img(ap->type)
                         ? (float)(1.0 / (1.0 + exp(-p->communication_slope *
                                                    (ap->comm - p->communication_threshold))))
                         : 0.0f;
        const double years = m->clinical_years[i];
        const double yrs = mx > 0 ? (years < mx ? years : mx) / mx : (years > 0 ? 1.0 : 0.0);
        ap->service = p->service_p_statement * yrs;
    }
    w->comm_slope = p->communication_slope;
    w->comm_threshold = p->communication_threshold;
    w->service_p = p->service_p_statement;
    w->service_years = p->service_max_years;
    w->app_valid = true;
}

/* Merge sorted a[0 .. na) and b[0 .. nb) into out (distinct words). */
static void merge_two(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t *out)
{
    size_t i = 0, j = 0, o = 0;
    while (i < na && j < nb) {
        out[o++] = a[i] < b[j] ? a[i++] : b[j++];
    }
    while (i < na) {
        out[o++] = a[i++];
    }
    while (j < nb) {
        out[o++] = b[j++];
    }
}

/* A program with a fixed ROL takes it and moves nothing (writes zero
 * moves where moves is not NULL). */
static void fixed_list(const rmc_model *m, size_t j, int32_t *rank, float *moves)
{
    for (size_t e = m->prog_off[j]; e < m->prog_off[j + 1]; e++) {
        const size_t k = (size_t)m->iv_by_prog[e];
        rank[k] = RMC_RANK_NONE;
        if (moves != NULL) {
            memset(moves + k * RMC_N_FACTORS, 0, RMC_N_FACTORS * sizeof *moves);
        }
    }
    for (size_t e = m->prol_off[j]; e < m->prol_off[j + 1]; e++) {
        rank[m->prol_iv[e]] = (int32_t)(e - m->prol_off[j]);
    }
}

/* A ranked name whose total move is at most this many places keeps its
 * key among the nearly sorted ones; the rest go to a short list of their
 * own, sorted apart and merged in (insertion sort pays per place moved). */
#define FAR_SPOTS 24.0

/* A name's fate and moves into mv (*total their sum), the name's stream
 * at its start: from the vector code's decision for it (out, lane l)
 * where it made one, else by the scalar code from the first draw. With
 * c->sum (mv NULL) a discussed name's moves go into its sums instead (a
 * risky name the meeting drops keeps the moves it was given; an
 * undiscussed name or one the visa filter leaves off has none, and adds
 * nothing). */
static enum fate name_fate(const meeting_ctx *c, const rmc_meeting_ws *w, size_t x, size_t t,
                           const rmc_lanes_out *out, size_t l, float *mv, double *total)
{
    const unsigned st = out->state[l];
    enum fate fate = FATE_RANKED;
    bool discussed = true;
    const double *residents = NULL;
    if (st < RMC_LANE_ZIG) {
        c->s->pos += out->words[l];
        fate = st == RMC_LANE_DROPPED ? FATE_DROPPED : FATE_RANKED;
        discussed = st == RMC_LANE_DISCUSS;
        residents = &out->residents[l];
    } else {
        const double q = c->p->meeting_discuss_prob;
        discussed = q >= 1 || (q > 0 && rmc_philox_uniform(c->s) < (double)w->pi[x]);
        fate = visa_fate(c, c->app[c->iv[t].app].visa);
    }
    *total = 0;
    if (fate == FATE_DROPPED || !discussed) {
        if (mv != NULL) {
            memset(mv, 0, RMC_N_FACTORS * sizeof *mv);
        }
        return fate;
    }
    return discuss_name(c, x, t, residents, mv, total);
}

/* Moves and fates of every name in initial order, c->lanes->width names
 * a pass (their first draws by the vector code where c->lanes is set; a
 * short last pass and the names it hands back by the scalar code); the final
 * keys of the ranked names that moved little into w->keys[0 .. returned
 * count), of those that moved far into w->far[0 .. *n_far). The moves go
 * to moves (interview order) or, when it is NULL, into c->sum (by
 * discuss_name; the local index's row: a program's rows are one run of
 * n x 32 bytes, where interview-order rows are scattered over the whole
 * table). Either row is prefetched PREFETCH names ahead: the sums are read
 * as well as written, and prefetching the program's run whole before the
 * names are scored saved nothing (bench/RESULTS.md). */
static size_t move_names(const meeting_ctx *c, rmc_meeting_ws *w, int32_t *rank, float *moves,
                         size_t *n_far)
{
    RMC_ASSERT((moves == NULL) != (c->sum == NULL));
    size_t n_ranked = 0;
    rmc_lanes_in in = {.heads = w->heads, .iv = c->iv, .app = c->app};
    rmc_lanes_out out;
    const bool tilted = c->p->meeting_discuss_prob < 1;
    const size_t width = c->lanes != NULL ? c->lanes->width : RMC_LANES;
    for (size_t x0 = 0; x0 < c->n; x0 += width) {
        const size_t nl = c->n - x0 < width ? c->n - x0 : width;
        memset(out.state, RMC_LANE_ZIG, sizeof out.state);
        if (c->lanes != NULL && nl == width) {
            in.t = w->order + x0;
            in.pi = tilted ? w->pi + x0 : NULL;
            c->lanes->first(&c->lc, &in, &out);
        }
        for (size_t x = x0; x < x0 + nl; x++) {
            if (x + PREFETCH < c->n) {
                const size_t ahead = (size_t)c->ivs[w->order[x + PREFETCH]];
                if (moves != NULL) {
                    __builtin_prefetch(moves + ahead * RMC_N_FACTORS, 1);
                } else {
                    __builtin_prefetch(c->sum + (size_t)w->order[x + PREFETCH] * RMC_N_FACTORS, 1);
                }
                __builtin_prefetch(rank + ahead, 1);
            }
            const size_t t = (size_t)w->order[x];
            const size_t k = (size_t)c->ivs[t];
            /* The name's own stream: what it draws does not depend on where
             * it sits in the list or on what the names before it drew
             * (common random numbers for what-ifs). Its first words were
             * made for the whole list at once (rmc_philox_heads). */
            rmc_philox_seek_head(c->s, c->seed, c->replicate, RMC_STREAM_INTERVIEW, (uint32_t)k,
                                 w->heads + t * RMC_PHILOX_HEAD_WORDS, RMC_PHILOX_HEAD_BLOCKS);
            double total;
            float *const mv = moves != NULL ? moves + k * RMC_N_FACTORS : NULL;
            const enum fate fate = name_fate(c, w, x, t, &out, x - x0, mv, &total);
            if (fate == FATE_DROPPED) {
                rank[k] = RMC_RANK_NONE;
                continue;
            }
            const float key = fate == FATE_BOTTOM ? FLT_MAX : (float)((double)x - total);
            /* names that moved far (a tier statement, sunk) sort apart */
            if (fabs(total) <= FAR_SPOTS && fate != FATE_BOTTOM) {
                w->keys[n_ranked++] = rmc_pack_key(key, (uint32_t)x);
            } else {
                w->far[(*n_far)++] = rmc_pack_key(key, (uint32_t)x);
            }
        }
    }
    return n_ranked;
}

/* The vector code's constants for meeting c into *lc; false when it does
 * not apply (resident comments without the meeting's table). */
static bool lanes_setup(const meeting_ctx *c, rmc_lanes_ctx *lc)
{
    const rmc_params *p = c->p;
    const bool residents = c->n_res > 0 && p->residents_p_comment > 0;
    if (residents && c->comment_cdf == NULL) {
        return false;
    }
    *lc = (rmc_lanes_ctx){
        .discuss_q = p->meeting_discuss_prob,
        .h1b_drop = p->visa_h1b_at_j1_only_drop,
        .sponsors = c->sponsors,
        .residents = residents,
        .n_res = c->n_res,
        .cdf = c->comment_cdf,
        .inv = c->comment_inv,
        .like_base = p->residents_like_base,
        .like_comm = p->residents_like_communication,
        .sigma_like = p->residents_sigma_like,
        .spots_pos = p->residents_spots_positive,
        .spots_neg = p->residents_spots_negative,
        .zig_k = c->s->zig_k,
        .zig_w = c->s->zig_w,
    };
    return true;
}

/* The scalar code's first draws of the test case's names (path 0). */
static void first_draws_scalar(meeting_ctx *c, const rmc_lanes_case *k, rmc_lanes_out *out)
{
    const double q = k->p->meeting_discuss_prob;
    for (size_t l = 0; l < k->n; l++) {
        rmc_philox_seek_head(c->s, 1, 0, RMC_STREAM_INTERVIEW, 0,
                             k->heads + l * RMC_PHILOX_HEAD_WORDS, RMC_PHILOX_HEAD_BLOCKS);
        const unsigned start = c->s->pos;
        const bool discussed = q >= 1 || (q > 0 && rmc_philox_uniform(c->s) < (double)k->pi[l]);
        const enum fate fate = visa_fate(c, k->visa[l]);
        out->state[l] = fate == FATE_DROPPED ? RMC_LANE_DROPPED
                        : !discussed         ? RMC_LANE_SKIP
                                             : RMC_LANE_DISCUSS;
        out->residents[l] = out->state[l] == RMC_LANE_DISCUSS ? resident_move(c, k->comm[l]) : 0.0;
        out->words[l] = (uint8_t)(c->s->pos - start);
    }
}

bool rmc_meeting_lanes_by(unsigned path, const rmc_lanes_case *k, rmc_rng *r, rmc_lanes_out *out)
{
    RMC_ASSERT(k->n == RMC_LANES && k->n_res <= RMC_MAX_TABLE_RESIDENTS);
    const rmc_params *p = k->p;
    double cdf[RMC_MAX_TABLE_RESIDENTS + 1], inv[RMC_MAX_TABLE_RESIDENTS + 1];
    const bool table = comment_table(p, k->n_res, cdf, inv);
    rmc_rng_seek(r, 1, 0, RMC_STREAM_MEETING, 0);
    meeting_ctx c = {
        .p = p,
        .g = rmc_rng_gsl(r),
        .s = rmc_rng_philox(r),
        .sponsors = k->sponsors,
        .n_res = k->n_res,
        .comment_cdf = table ? cdf : NULL,
        .comment_inv = inv,
    };
    if (path == 0) {
        first_draws_scalar(&c, k, out);
        return true;
    }
    c.lanes = rmc_lanes_by(path);
    if (c.lanes == NULL || !lanes_setup(&c, &c.lc)) {
        return false;
    }
    const int32_t t[RMC_LANES] = {0, 1, 2, 3, 4, 5, 6, 7};
    _Static_assert(RMC_LANES == 8, "t lists the lanes");
    rmc_iv_pack iv[RMC_LANES];
    rmc_app_pack app[RMC_LANES];
    memset(iv, 0, sizeof iv);
    memset(app, 0, sizeof app);
    for (size_t l = 0; l < RMC_LANES; l++) {
        iv[l].app = (int32_t)l;
        app[l].comm = k->comm[l];
        app[l].visa = k->visa[l];
    }
    /* passes of the path's width over the RMC_LANES names */
    const size_t width = c.lanes->width;
    for (size_t l0 = 0; l0 < RMC_LANES; l0 += width) {
        const rmc_lanes_in in = {.t = t + l0,
                                 .heads = k->heads,
                                 .iv = iv,
                                 .app = app,
                                 .pi = k->pi != NULL ? k->pi + l0 : NULL};
        rmc_lanes_out part;
        c.lanes->first(&c.lc, &in, &part);
        memcpy(out->residents + l0, part.residents, width * sizeof *part.residents);
        memcpy(out->words + l0, part.words, width);
        memcpy(out->state + l0, part.state, width);
    }
    return true;
}

/* rmc_meeting_run with the vector code `lanes` (NULL: the scalar code
 * only), the moves into moves or (moves NULL) into the move sums ms. */
static void meeting_run(const rmc_model *m, const rmc_params *p, size_t j, const double *day,
                        rmc_rng *r, uint64_t seed, uint64_t replicate, rmc_meeting_ws *w,
                        int32_t *rank, float *moves, const rmc_move_sums *ms,
                        const rmc_lanes_ops *lanes)
{
    RMC_ASSERT((moves == NULL) != (ms == NULL));
    RMC_ASSERT(j < m->n_prog && w->m == m);
    if (m->has_prog_rol[j]) {
        fixed_list(m, j, rank, moves);
        return;
    }
    const size_t n = m->prog_off[j + 1] - m->prog_off[j];
    RMC_ASSERT(n <= w->cap_prog);
    if (n == 0) {
        return;
    }
    if (!w->app_valid || w->comm_slope != p->communication_slope ||
        w->comm_threshold != p->communication_threshold || w->service_p != p->service_p_statement ||
        w->service_years != p->service_max_years) {
        app_probs(m, p, w);
    }
    rmc_rng_seek(r, seed, replicate, RMC_STREAM_MEETING, (uint32_t)j);
    const unsigned n_res = (unsigned)(m->residents[j] > 0 ? m->residents[j] : 0);
    const bool table = comment_table(p, n_res, w->comment_cdf, w->comment_inv);
    meeting_ctx c = {
        .m = m,
        .p = p,
        .g = rmc_rng_gsl(r),
        .s = rmc_rng_philox(r),
        .j = j,
        .n = n,
        .ivs = m->iv_by_prog + m->prog_off[j],
        .iv = w->iv + m->prog_off[j],
        .app = w->app,
        .scale = (double)n / (double)p->meeting_reference_list,
        .service_load = m->service_load[j],
        .sponsors = m->sponsors[j],
        .n_res = n_res,
        .comment_cdf = table ? w->comment_cdf : NULL,
        .comment_inv = w->comment_inv,
        .awk_n = w->awk_n,
        .r = r,
        .seed = seed,
        .replicate = replicate,
        .fam = chance_of(p->familiarity_p_statement),
        .ties = chance_of(p->commitment_p_ties),
        .flight_low = chance_of(p->commitment_flight_low),
        .flight_normal = chance_of(p->commitment_flight_normal),
        .std_j1 = chance_of(p->visa_p_standard_j1),
        .std_h1b = chance_of(p->visa_p_standard_h1b),
        .impress = chance_of(p->advocacy_rotation_impress),
        .lanes = lanes,
        .sum = ms != NULL ? ms->sum + m->prog_off[j] * RMC_N_FACTORS : NULL,
        .spill = ms != NULL ? ms->spill : NULL,
    };
    if (c.lanes != NULL && !lanes_setup(&c, &c.lc)) {
        c.lanes = NULL;
    }
    score_names(&c, day, w);
    rmc_sort_u64(w->keys, w->tmp, n);
    for (size_t x = 0; x < n; x++) {
        w->order[x] = (int32_t)rmc_pack_index(w->keys[x]);
    }
    if (p->meeting_discuss_prob < 1) {
        discussion_probs(&c, w->pi);
    }
    rmc_philox_heads(seed, replicate, RMC_STREAM_INTERVIEW, c.ivs, n, RMC_PHILOX_HEAD_BLOCKS,
                     w->heads);
    size_t n_far = 0;
    const size_t n_near = move_names(&c, w, rank, moves, &n_far);
    rmc_sort_u64_near(w->keys, w->tmp, n_near);
    const uint64_t *final = w->keys;
    if (n_far > 0) {
        rmc_sort_u64(w->far, w->tmp, n_far);
        merge_two(w->keys, n_near, w->far, n_far, w->tmp);
        final = w->tmp;
    }
    for (size_t r_ = 0; r_ < n_near + n_far; r_++) {
        const size_t x = rmc_pack_index(final[r_]);
        rank[c.ivs[w->order[x]]] = (int32_t)r_;
    }
}

void rmc_meeting_run(const rmc_model *m, const rmc_params *p, size_t j, const double *day,
                     rmc_rng *r, uint64_t seed, uint64_t replicate, rmc_meeting_ws *w,
                     int32_t *rank, float *moves)
{
    meeting_run(m, p, j, day, r, seed, replicate, w, rank, moves, NULL, rmc_lanes_best());
}

void rmc_meeting_run_sums(const rmc_model *m, const rmc_params *p, size_t j, const double *day,
                          rmc_rng *r, uint64_t seed, uint64_t replicate, rmc_meeting_ws *w,
                          int32_t *rank, const rmc_move_sums *s)
{
    meeting_run(m, p, j, day, r, seed, replicate, w, rank, NULL, s, rmc_lanes_best());
}

bool rmc_meeting_run_by(unsigned path, const rmc_model *m, const rmc_params *p, size_t j,
                        const double *day, rmc_rng *r, uint64_t seed, uint64_t replicate,
                        rmc_meeting_ws *w, int32_t *rank, float *moves)
{
    const rmc_lanes_ops *lanes = path > 0 ? rmc_lanes_by(path) : NULL;
    if (path > 0 && lanes == NULL) {
        return false;
    }
    meeting_run(m, p, j, day, r, seed, replicate, w, rank, moves, NULL, lanes);
    return true;
}
