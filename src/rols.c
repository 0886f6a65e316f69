/* Applicants' rank order lists in one replicate (DESIGN 3).
 *
 * An applicant with a fixed list (applicant_rols.csv) keeps it. Everyone
 * else ranks the programs they interviewed at by the random utility
 *   U_ap = desirability_p + beta_ties ties_ap + eta_ap,
 * eta_ap drawn per replicate from the stream (seed, replicate,
 * RMC_STREAM_PREFERENCES, applicant): Gumbel with scale sigma (so that
 * P(p before q) = logistic((U_p - U_q) / sigma), the multinomial-logit
 * choice model) or normal with SD sigma. The list is the interviews sorted by
 * U descending (ties: interviews.csv order), truncated to max_length.
 * With Gumbel shocks the sort key is E exp(-U / sigma) ascending, E the
 * exponential behind G = -log E: the same order without a log per entry
 * (race_weights). The keys are packed words (meeting_int.h); a list of up
 * to RANK_MAX of them is put in order by counting, for each key, the keys
 * below it (AVX2, chosen at run time), a longer one by rmc_sort_u64;
 * nothing is allocated.
 */
#include <math.h>

/* GSL's documented switch: gsl_rng_uniform and friends inline. */
#define HAVE_INLINE 1
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "meeting_int.h"
#include "rng_int.h"
#include "rols_int.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ROLS_X86 1
#endif

static inline double taste_shock(rmc_philox *s, int noise, double sigma)
{
    if (sigma <= 0) {
        return 0.0;
    }
    if (noise == 0) {
        /* standard Gumbel: -log E with E standard exponential (E = -log U
         * gives the usual inversion; the ziggurat saves a log) */
        return -sigma * log(rmc_philox_exp1(s));
    }
    return sigma * rmc_philox_normal(s);
}

/* Largest |log weight| the exponential-race keys allow: keys E x weight
 * then stay within float's normal range for any E the ziggurat gives. */
#define RACE_MAX_LOG 40.0

/* The exponential-race weights of the current parameters into the
 * workspace (once per parameter set): w_p = exp(-(desirability_p - mid) /
 * sigma), tie factor exp(-beta / sigma). With Gumbel shocks, sorting U + sigma
 * G descending is sorting E exp(-U / sigma) ascending (G = -log E, E standard
 * exponential): the same order with no log. race_ok is false when the
 * weights would leave float's range; the log form is used then. Like the
 * workspace's packed inputs, the weights assume the model does not change. */
static void race_weights(const rmc_model *m, const rmc_params *p, rmc_meeting_ws *w)
{
    const double sigma = p->preferences_sigma, beta = p->preferences_beta_ties;
    if (w->race_valid && w->race_sigma == sigma && w->race_beta == beta) {
        return;
    }
    double lo = 0, hi = 0;
    for (size_t j = 0; j < m->n_prog; j++) {
        const double d = m->desirability[j];
        lo = j == 0 || d < lo ? d : lo;
        hi = j == 0 || d > hi ? d : hi;
    }
    const double mid = 0.5 * (lo + hi);
    w->race_ok = sigma > 0 && (hi - lo) / (2 * sigma) + fabs(beta) / sigma <= RACE_MAX_LOG;
    if (w->race_ok) {
        for (size_t j = 0; j < m->n_prog; j++) {
            w->race_w[j] = exp(-(m->desirability[j] - mid) / sigma);
        }
        w->race_tie = exp(-beta / sigma);
    }
    w->race_sigma = sigma;
    w->race_beta = beta;
    w->race_valid = true;
}

/* Position r at applicant i's preference stream of (seed, replicate): from
 * the workspace's first blocks of that stream, made for RMC_ROL_HEAD_APPS
 * applicants at once (rmc_philox_heads) when i is not among those it
 * holds. The engine asks for applicants in order, so each block of
 * applicants is made once per replicate; the draws are the stream's
 * either way. */
static void seek_prefs(const rmc_model *m, rmc_rng *r, uint64_t seed, uint64_t replicate, size_t i,
                       rmc_meeting_ws *w)
{
    if (w->rol_n == 0 || w->rol_seed != seed || w->rol_rep != replicate || i < w->rol_lo ||
        i >= w->rol_lo + w->rol_n) {
        int32_t sub[RMC_ROL_HEAD_APPS];
        const size_t n = m->n_app - i < RMC_ROL_HEAD_APPS ? m->n_app - i : RMC_ROL_HEAD_APPS;
        for (size_t t = 0; t < n; t++) {
            sub[t] = (int32_t)(i + t);
        }
        rmc_philox_heads(seed, replicate, RMC_STREAM_PREFERENCES, sub, n, RMC_PHILOX_ROL_BLOCKS,
                         w->rol_heads);
        w->rol_lo = i;
        w->rol_n = n;
        w->rol_seed = seed;
        w->rol_rep = replicate;
    }
    rmc_philox_seek_head(rmc_rng_philox(r), seed, replicate, RMC_STREAM_PREFERENCES, (uint32_t)i,
                         w->rol_heads + (i - w->rol_lo) * 4 * RMC_PHILOX_ROL_BLOCKS,
                         RMC_PHILOX_ROL_BLOCKS);
}

/* Lists of up to RANK_MAX entries are ranked, not sorted. */
enum { RANK_MAX = 16 };

#ifdef ROLS_X86

/* The top 2^63 of a word flipped, for the signed compare; lanes past
 * keys[0 .. n) (n < 4) read as INT64_MAX, above every key. */
__attribute__((target("avx2"), always_inline)) static inline __m256i rank_load(const uint64_t *keys,
                                                                               size_t n)
{
    const __m256i top = _mm256_set1_epi64x(INT64_MIN);
    if (n >= 4) {
        return _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)keys), top);
    }
    const __m256i k =
        _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)n), _mm256_set_epi64x(3, 2, 1, 0));
    const __m256i x = _mm256_xor_si256(_mm256_maskload_epi64((const long long *)keys, k), top);
    return _mm256_castpd_si256(_mm256_blendv_pd(_mm256_castsi256_pd(_mm256_set1_epi64x(INT64_MAX)),
                                                _mm256_castsi256_pd(x), _mm256_castsi256_pd(k)));
}

/* rol[0 .. len) <- ivs in the ascending order of keys (keys[t] entry t's
 * packed key, index t), for 1 <= n <= RANK_MAX distinct keys: a key's
 * place is the count of keys below it (n x n compares, four to a vector,
 * no data-dependent branch), and entry t goes to its place when that is
 * below len; the same list the sort and the write-out give, without the
 * sort network's shuffles (bench/RESULTS.md). */
__attribute__((target("avx2"))) static void
rank_write_avx2(const uint64_t *keys, size_t n, const rmc_id *ivs, size_t len, rmc_id *rol)
{
    const __m256i top = _mm256_set1_epi64x(INT64_MIN);
    __m256i v[RANK_MAX / 4], below[RANK_MAX / 4];
    const size_t regs = (n + 3) / 4;
#pragma GCC unroll 4
    for (size_t r = 0; r < RANK_MAX / 4; r++) {
        v[r] = r < regs ? rank_load(keys + 4 * r, n - 4 * r) : top;
        below[r] = _mm256_setzero_si256();
    }
    for (size_t j = 0; j < n; j++) {
        const __m256i b = _mm256_set1_epi64x((long long)(keys[j] ^ (uint64_t)INT64_MIN));
        if (regs <= 2) {
            below[0] = _mm256_sub_epi64(below[0], _mm256_cmpgt_epi64(v[0], b));
            below[1] = _mm256_sub_epi64(below[1], _mm256_cmpgt_epi64(v[1], b));
        } else {
#pragma GCC unroll 4
            for (size_t r = 0; r < RANK_MAX / 4; r++) {
                below[r] = _mm256_sub_epi64(below[r], _mm256_cmpgt_epi64(v[r], b));
            }
        }
    }
    uint64_t place[RANK_MAX];
#pragma GCC unroll 4
    for (size_t r = 0; r < RANK_MAX / 4; r++) {
        _mm256_storeu_si256((__m256i *)(place + 4 * r), below[r]);
    }
    for (size_t t = 0; t < n; t++) {
        if (place[t] < len) {
            rol[place[t]] = ivs[t];
        }
    }
}
#endif

/* rmc_prefs_generate with the list put in order by the sort (path 0) or,
 * up to RANK_MAX entries where the CPU has AVX2, by rank_write_avx2 (path
 * 1). */
static size_t prefs_generate(unsigned path, const rmc_model *m, const rmc_params *p, size_t i,
                             rmc_rng *r, uint64_t seed, uint64_t replicate, rmc_meeting_ws *w,
                             rmc_id *rol)
{
    RMC_ASSERT(i < m->n_app);
    if (m->has_app_rol[i]) {
        const size_t n = m->arol_off[i + 1] - m->arol_off[i];
        memcpy(rol, m->arol_iv + m->arol_off[i], n * sizeof *rol);
        return n;
    }
    const size_t n = m->app_off[i + 1] - m->app_off[i];
    RMC_ASSERT(n <= w->cap_app);
    if (n == 0) {
        return 0;
    }
    const rmc_id *const ivs = m->iv_by_app + m->app_off[i];
    seek_prefs(m, r, seed, replicate, i, w);
    rmc_philox *const s = rmc_rng_philox(r);
    const double sigma = p->preferences_sigma, beta = p->preferences_beta_ties;
    if (p->preferences_noise == 0 && sigma > 0) {
        race_weights(m, p, w);
    }
    if (p->preferences_noise == 0 && sigma > 0 && w->race_ok) {
        /* The arrays in locals (the draws' rare refills and slow branches
         * are calls, after which fields would be reloaded), and so is the
         * buffer's position (rmc_philox_exp1_at). The tie factor is
         * picked, not branched on (ties are a coin flip for the branch
         * predictor): race_w x 1.0 is race_w, so the same keys. */
        const rmc_id *const iv_prog = m->iv_prog;
        const uint8_t *const ties = m->ties;
        const double *const race_w = w->race_w;
        const double tie_factor[2] = {1.0, w->race_tie};
        uint64_t *const keys = w->keys;
        unsigned pos = s->pos;
        for (size_t t = 0; t < n; t++) {
            const double e = rmc_philox_exp1_at(s, &pos);
            const size_t k = (size_t)ivs[t];
            const double wt = race_w[iv_prog[k]] * tie_factor[ties[k] != 0];
            keys[t] = rmc_pack_key((float)(e * wt), (uint32_t)t);
        }
        s->pos = pos;
    } else {
        for (size_t t = 0; t < n; t++) {
            const size_t k = (size_t)ivs[t];
            const double u = m->desirability[m->iv_prog[k]] + beta * (double)m->ties[k] +
                             taste_shock(s, p->preferences_noise, sigma);
            w->keys[t] = rmc_pack_key((float)-u, (uint32_t)t);
        }
    }
    const size_t max_len = (size_t)p->preferences_max_length;
    const size_t len = max_len > 0 && max_len < n ? max_len : n;
#ifdef ROLS_X86
    if (path != 0 && n <= RANK_MAX && __builtin_cpu_supports("avx2")) {
        rank_write_avx2(w->keys, n, ivs, len, rol);
        return len;
    }
#else
    (void)path;
#endif
    rmc_sort_u64(w->keys, w->tmp, n);
    for (size_t t = 0; t < len; t++) {
        rol[t] = ivs[rmc_pack_index(w->keys[t])];
    }
    return len;
}

size_t rmc_prefs_generate(const rmc_model *m, const rmc_params *p, size_t i, rmc_rng *r,
                          uint64_t seed, uint64_t replicate, rmc_meeting_ws *w, rmc_id *rol)
{
    return prefs_generate(1, m, p, i, r, seed, replicate, w, rol);
}

size_t rmc_prefs_generate_by(unsigned path, const rmc_model *m, const rmc_params *p, size_t i,
                             rmc_rng *r, uint64_t seed, uint64_t replicate, rmc_meeting_ws *w,
                             rmc_id *rol)
{
    return prefs_generate(path, m, p, i, r, seed, replicate, w, rol);
}

size_t rmc_prefs_utilities(const rmc_model *m, const rmc_params *p, size_t i, rmc_rng *r,
                           uint64_t seed, uint64_t replicate, rmc_meeting_ws *w, rmc_id *iv,
                           double *u, double *scratch)
{
    RMC_ASSERT(i < m->n_app);
    if (m->has_app_rol[i]) {
        const size_t n = m->arol_off[i + 1] - m->arol_off[i];
        for (size_t t = 0; t < n; t++) {
            iv[t] = m->arol_iv[m->arol_off[i] + t];
            u[t] = -(double)t;
        }
        return n;
    }
    const size_t n = m->app_off[i + 1] - m->app_off[i];
    RMC_ASSERT(n <= w->cap_app);
    if (n == 0) {
        return 0;
    }
    const rmc_id *const ivs = m->iv_by_app + m->app_off[i];
    seek_prefs(m, r, seed, replicate, i, w);
    rmc_philox *const s = rmc_rng_philox(r);
    const double sigma = p->preferences_sigma, beta = p->preferences_beta_ties;
    double *const all = scratch; /* in interview order */
    for (size_t t = 0; t < n; t++) {
        const size_t k = (size_t)ivs[t];
        all[t] = m->desirability[m->iv_prog[k]] + beta * (double)m->ties[k] +
                 taste_shock(s, p->preferences_noise, sigma);
        w->keys[t] = rmc_pack_key((float)-all[t], (uint32_t)t);
    }
    rmc_sort_u64(w->keys, w->tmp, n);
    const size_t max_len = (size_t)p->preferences_max_length;
    const size_t len = max_len > 0 && max_len < n ? max_len : n;
    for (size_t t = 0; t < len; t++) {
        const uint32_t x = rmc_pack_index(w->keys[t]);
        iv[t] = ivs[x];
        u[t] = all[x];
    }
    return len;
}
