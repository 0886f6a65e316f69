/* Tests for rng.c: Philox known answers, stream naming, reproducibility,
 * independence of streams and the uniformity of the words and doubles. */
#include "test_util.h"

#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include <Random123/philox.h>

#include "rankmc/rng.h"
#include "rng_int.h"

static rmc_rng *new_rng(void)
{
    rmc_rng *r = NULL;
    assert_int_equal(rmc_rng_alloc(NULL, &r, NULL), RMC_OK);
    return r;
}

/* Random123's published known answer for Philox4x32-10 with counter 0 and
 * key 0: the generator is wired to the real Philox, not a look-alike. */
static void test_rmc_rng_philox_known_answer(void **state)
{
    (void)state;
    rmc_rng *r = new_rng();
    gsl_rng *g = rmc_rng_gsl(r);
    gsl_rng_set(g, 0);
    assert_int_equal(gsl_rng_get(g), 0x6627e8d5UL);
    assert_int_equal(gsl_rng_get(g), 0xe169c58dUL);
    assert_int_equal(gsl_rng_get(g), 0xbc57ac4cUL);
    assert_int_equal(gsl_rng_get(g), 0x9b00dbd8UL);
    assert_string_equal(rmc_rng_name(r), "philox4x32");
    rmc_rng_free(r);
}

static void test_rmc_rng_alloc_unknown_name(void **state)
{
    (void)state;
    rmc_rng *r = (rmc_rng *)1;
    rmc_diag d = {0};
    assert_int_equal(rmc_rng_alloc("mt19937", &r, &d), RMC_EUSAGE);
    assert_null(r);
    assert_non_null(strstr(d.message, "philox4x32"));
}

static void draw(rmc_rng *r, uint64_t seed, uint64_t rep, rmc_stream_purpose p, uint32_t sub,
                 unsigned long *out, size_t n)
{
    rmc_rng_seek(r, seed, rep, p, sub);
    for (size_t i = 0; i < n; i++) {
        out[i] = gsl_rng_get(rmc_rng_gsl(r));
    }
}

/* Seeking to a stream always gives the same words, whatever was drawn
 * before; changing any part of the name gives different words. */
static void test_rmc_rng_seek_reproducible_and_distinct(void **state)
{
    (void)state;
    rmc_rng *r = new_rng();
    enum { N = 37 };
    unsigned long a[N], b[N];
    draw(r, 2385, 17, RMC_STREAM_MEETING, 3, a, N);
    draw(r, 99, 1, RMC_STREAM_TEST, 0, b, 5); /* disturb the state */
    draw(r, 2385, 17, RMC_STREAM_MEETING, 3, b, N);
    assert_memory_equal(a, b, sizeof a);
    const uint64_t names[][4] = {
        {2386, 17, RMC_STREAM_MEETING, 3},
        {2385, 18, RMC_STREAM_MEETING, 3},
        {2385, 17, RMC_STREAM_PREFERENCES, 3},
        {2385, 17, RMC_STREAM_MEETING, 4},
        {2385 + (UINT64_C(1) << 32), 17, RMC_STREAM_MEETING, 3},
        {2385, 17 + (UINT64_C(1) << 32), RMC_STREAM_MEETING, 3},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        draw(r, names[i][0], names[i][1], (rmc_stream_purpose)names[i][2], (uint32_t)names[i][3], b,
             N);
        size_t same = 0;
        for (size_t k = 0; k < N; k++) {
            same += a[k] == b[k];
        }
        assert_true(same <= 1);
    }
    rmc_rng_free(r);
}

/* Chi-square of 64 equal bins of gsl_rng_uniform over many streams, and the
 * mean and variance of GSL's gaussian sampler, within 5 sigma. */
static void test_rmc_rng_uniform_and_gaussian_moments(void **state)
{
    (void)state;
    rmc_rng *r = new_rng();
    gsl_rng *g = rmc_rng_gsl(r);
    enum { BINS = 64 };
    const size_t per_stream = 1000, streams = rmc_test_quick() ? 50 : 400;
    double count[BINS] = {0};
    double sum = 0, sumsq = 0;
    for (size_t s = 0; s < streams; s++) {
        rmc_rng_seek(r, 7, s, RMC_STREAM_TEST, 0);
        for (size_t i = 0; i < per_stream; i++) {
            const double u = gsl_rng_uniform(g);
            assert_true(u >= 0 && u < 1);
            count[(int)(u * BINS)] += 1;
            const double z = gsl_ran_gaussian_ziggurat(g, 2.385);
            sum += z;
            sumsq += z * z;
        }
    }
    const double n = (double)(per_stream * streams), expect = n / BINS;
    double chi2 = 0;
    for (int b = 0; b < BINS; b++) {
        chi2 += (count[b] - expect) * (count[b] - expect) / expect;
    }
    /* P(chi2_63 > x) = 1e-6 cut-off: fails only if the words are not uniform. */
    assert_true(chi2 < gsl_cdf_chisq_Qinv(1e-6, BINS - 1));
    const double mean = sum / n, var = sumsq / n - mean * mean, sd = 2.385;
    assert_close(mean, 0, 0, 5 * sd / sqrt(n));
    assert_close(var, sd * sd, 0, 5 * sd * sd * sqrt(2.0 / n));
    rmc_rng_free(r);
}

/* The vectorised refill is Random123's philox4x32 (10 rounds): every word
 * of 40 streams with scattered keys and counters, read through gsl_rng_get
 * across several refills, equals philox4x32(counter, key) block by block,
 * including counters that wrap word 0. */
static void test_rmc_rng_matches_random123(void **state)
{
    (void)state;
    rmc_rng *r = new_rng();
    gsl_rng *g = rmc_rng_gsl(r);
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (unsigned s = 0; s < 40; s++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        const uint64_t seed = x;
        const uint32_t sub = (uint32_t)(x >> 17);
        rmc_rng_seek(r, seed, s * 977u, RMC_STREAM_TEST, sub);
        philox4x32_ctr_t c = {{0, sub, s * 977u, (uint32_t)RMC_STREAM_TEST << 16}};
        const philox4x32_key_t k = {{(uint32_t)seed, (uint32_t)(seed >> 32)}};
        if (s == 39) { /* start near the wrap of word 0 */
            rmc_rng_philox(r)->ctr[0] = 0xfffffffdu;
            c.v[0] = 0xfffffffdu;
        }
        for (unsigned b = 0; b < 3 * RMC_PHILOX_BLOCKS + 1; b++) {
            const philox4x32_ctr_t want = philox4x32(c, k);
            for (unsigned w = 0; w < 4; w++) {
                assert_int_equal(gsl_rng_get(g), want.v[w]);
            }
            c.v[0]++;
        }
    }
    rmc_rng_free(r);
}

/* The portable block code (used on CPUs without AVX2) gives the same
 * blocks as Random123, for 4 and 8 blocks and a counter that wraps. */
static void test_rmc_rng_generic_blocks_match_random123(void **state)
{
    (void)state;
    uint32_t out[RMC_PHILOX_WORDS];
    const uint32_t starts[] = {0, 12345, 0xfffffffau};
    for (unsigned t = 0; t < 3; t++) {
        const uint32_t ctr[4] = {starts[t], 0x2385u, 37u * t, (uint32_t)RMC_STREAM_TEST << 16};
        const uint32_t key[2] = {0x9e3779b9u * (t + 1), 0xdeadbeefu ^ t};
        for (unsigned blocks = 4; blocks <= RMC_PHILOX_BLOCKS; blocks += 4) {
            memset(out, 0, sizeof out);
            rmc_philox_generic(ctr, key, out, blocks);
            philox4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
            const philox4x32_key_t k = {{key[0], key[1]}};
            for (unsigned b = 0; b < blocks; b++) {
                const philox4x32_ctr_t want = philox4x32(c, k);
                assert_memory_equal(out + 4 * b, want.v, sizeof want.v);
                c.v[0]++;
            }
        }
    }
}

/* rmc_philox_heads and each of its code paths the CPU has give each
 * stream's first 2 or 4 blocks, for list lengths around the 8- and
 * 16-stream passes and substreams near 2^31; a generator positioned by
 * rmc_philox_seek_head then continues each stream exactly as rmc_rng_seek
 * does, across later refills. */
static void test_rmc_rng_heads_equal_seek(void **state)
{
    (void)state;
    enum { MAX_N = 41, MAX_W = 4 * RMC_PHILOX_HEAD_MAX_BLOCKS };
    int32_t sub[MAX_N];
    uint32_t fast[MAX_N * MAX_W], slow[MAX_N * MAX_W];
    rmc_rng *a = new_rng(), *b = new_rng();
    /* the vector paths share the first rounds' products across streams
     * (rng.c head_prefix): seeds and replicates of every kind */
    const uint64_t seeds[] = {0x123456789abcdefULL, 0, UINT64_MAX, 1};
    const uint64_t reps[] = {(UINT64_C(1) << 40) + 3, 0, (UINT64_C(1) << 48) - 1, 17};
    for (size_t sr = 0; sr < sizeof seeds / sizeof *seeds; sr++) {
        const uint64_t seed = seeds[sr], rep = reps[sr];
        for (unsigned blocks = 2; blocks <= RMC_PHILOX_HEAD_MAX_BLOCKS; blocks += 2) {
            const size_t nw = 4 * blocks;
            for (size_t n = 0; n <= MAX_N; n++) {
                for (size_t i = 0; i < n; i++) {
                    sub[i] = (int32_t)((i * 2654435761u + n) & 0x7fffffffu);
                }
                memset(fast, 0, sizeof fast);
                rmc_philox_heads(seed, rep, RMC_STREAM_INTERVIEW, sub, n, blocks, fast);
                for (unsigned path = 0; path < 3; path++) {
                    memset(slow, 0, sizeof slow);
                    if (rmc_philox_heads_by(path, seed, rep, RMC_STREAM_INTERVIEW, sub, n, blocks,
                                            slow)) {
                        assert_memory_equal(fast, slow, sizeof fast);
                    }
                }
                for (size_t i = 0; i < n; i++) {
                    uint32_t want[MAX_W + 70], got[MAX_W + 70];
                    rmc_rng_seek(a, seed, rep, RMC_STREAM_INTERVIEW, (uint32_t)sub[i]);
                    rmc_rng_words(a, want, sizeof want / sizeof *want);
                    assert_memory_equal(fast + i * nw, want, nw * sizeof *want);
                    rmc_philox_seek_head(rmc_rng_philox(b), seed, rep, RMC_STREAM_INTERVIEW,
                                         (uint32_t)sub[i], fast + i * nw, blocks);
                    for (size_t w = 0; w < sizeof got / sizeof *got; w++) {
                        got[w] = rmc_philox_word(rmc_rng_philox(b));
                    }
                    assert_memory_equal(got, want, sizeof want);
                }
            }
        }
    }
    rmc_rng_free(a);
    rmc_rng_free(b);
}

/* The bulk and inline draws consume the stream exactly as GSL's calls do:
 * words, uniforms, uniform_pos and exponentials equal their gsl_rng
 * counterparts on the same stream, for lengths that start and end inside,
 * at and across buffer boundaries, and the stream continues identically. */
static void test_rmc_rng_bulk_and_inline_equal_gsl(void **state)
{
    (void)state;
    rmc_rng *a = new_rng(), *b = new_rng();
    gsl_rng *gb = rmc_rng_gsl(b);
    const size_t lens[] = {0, 1, 3, RMC_PHILOX_WORDS - 4, RMC_PHILOX_WORDS, 1, 77, 200};
    uint32_t words[200];
    double u[200];
    rmc_rng_seek(a, 2385, 37, RMC_STREAM_TEST, 5);
    rmc_rng_seek(b, 2385, 37, RMC_STREAM_TEST, 5);
    for (size_t t = 0; t < sizeof lens / sizeof *lens; t++) {
        rmc_rng_words(a, words, lens[t]);
        for (size_t i = 0; i < lens[t]; i++) {
            assert_int_equal(words[i], gsl_rng_get(gb));
        }
        rmc_rng_uniforms(a, u, lens[t]);
        for (size_t i = 0; i < lens[t]; i++) {
            assert_true(u[i] == gsl_rng_uniform(gb));
            assert_true(u[i] >= 0 && u[i] < 1);
        }
    }
    rmc_philox *s = rmc_rng_philox(a);
    for (size_t i = 0; i < 100; i++) {
        assert_int_equal(rmc_philox_word(s), gsl_rng_get(gb));
        assert_true(rmc_philox_uniform(s) == gsl_rng_uniform(gb));
        assert_true(rmc_philox_uniform_pos(s) == gsl_rng_uniform_pos(gb));
        assert_true(rmc_philox_exponential(s, 2.385) == gsl_ran_exponential(gb, 2.385));
    }
    rmc_rng_free(a);
    rmc_rng_free(b);
}

/* rmc_philox_normal's one-word path, word by word: a word whose magnitude
 * j = w >> 8 is inside its layer i = w & 127's rectangle gives exactly
 * j x width_i, negated when bit 7 is clear (the sign is flipped without a
 * branch: bit for bit the same double, -0 for j = 0 included), for every
 * layer at the rectangle's two ends and a word between. */
static void test_rmc_rng_normal_fast_path_sign(void **state)
{
    (void)state;
    rmc_rng *r = new_rng();
    rmc_philox *s = rmc_rng_philox(r);
    for (uint32_t i = 0; i < RMC_ZIG_LAYERS; i++) {
        const uint32_t top = s->zig_k[i];
        if (top == 0) {
            continue;
        }
        const uint32_t js[3] = {0, top / 2, top - 1};
        for (unsigned q = 0; q < 3; q++) {
            for (uint32_t sign = 0; sign < 2; sign++) {
                const uint32_t w = (js[q] << 8) | (sign << 7) | i;
                s->buf[RMC_PHILOX_WORDS - 1] = w;
                s->pos = RMC_PHILOX_WORDS - 1;
                const double got = rmc_philox_normal(s);
                const double x = (double)js[q] * s->zig_w[i], want = sign ? x : -x;
                assert_memory_equal(&got, &want, sizeof got);
                assert_int_equal(s->pos, RMC_PHILOX_WORDS);
            }
        }
    }
    rmc_rng_free(r);
}

/* rmc_philox_normal is the standard normal: a chi-square over 1,000 bins
 * of equal normal probability (so every ziggurat layer, wedge and the tail
 * are seen), the mean, variance and fourth moment, and the frequency beyond
 * the ziggurat's base edge R = 3.4426 and beyond 4.25, all within 5 sigma
 * (chi-square at P = 1e-6). Fixed streams; quick mode draws fewer. */
static void test_rmc_rng_ziggurat_normal(void **state)
{
    (void)state;
    rmc_rng *r = new_rng();
    rmc_philox *s = rmc_rng_philox(r);
    enum { BINS = 1000 };
    static double count[BINS];
    memset(count, 0, sizeof count);
    const size_t per_stream = 10000, streams = rmc_test_quick() ? 60 : 400;
    double sum = 0, sum2 = 0, sum4 = 0, beyond_r = 0, beyond_far = 0;
    for (size_t st = 0; st < streams; st++) {
        rmc_rng_seek(r, 2385, st, RMC_STREAM_TEST, 11);
        for (size_t i = 0; i < per_stream; i++) {
            const double z = rmc_philox_normal(s);
            size_t b = (size_t)(gsl_cdf_ugaussian_P(z) * BINS);
            count[b < BINS ? b : BINS - 1] += 1;
            sum += z;
            sum2 += z * z;
            sum4 += z * z * z * z;
            beyond_r += fabs(z) > 3.442619855899;
            beyond_far += fabs(z) > 4.25;
        }
    }
    const double n = (double)(per_stream * streams), expect = n / BINS;
    double chi2 = 0;
    for (int b = 0; b < BINS; b++) {
        chi2 += (count[b] - expect) * (count[b] - expect) / expect;
    }
    assert_true(chi2 < gsl_cdf_chisq_Qinv(1e-6, BINS - 1));
    assert_close(sum / n, 0, 0, 5 / sqrt(n));
    assert_close(sum2 / n, 1, 0, 5 * sqrt(2.0 / n));
    assert_close(sum4 / n, 3, 0, 5 * sqrt(96.0 / n)); /* Var(Z^4) = 105 - 9 */
    const double p_r = 2 * gsl_cdf_ugaussian_Q(3.442619855899);
    const double p_far = 2 * gsl_cdf_ugaussian_Q(4.25);
    assert_close(beyond_r, n * p_r, 0, 5 * sqrt(n * p_r));
    assert_close(beyond_far, n * p_far, 0, 5 * sqrt(n * p_far) + 1);
    rmc_rng_free(r);
}

/* rmc_philox_exp1 is the standard exponential: chi-square over 1,000 bins
 * of equal probability, mean, variance, and the frequencies beyond the
 * ziggurat's base edge R = 7.697 and beyond 9, within 5 sigma. */
static void test_rmc_rng_ziggurat_exponential(void **state)
{
    (void)state;
    rmc_rng *r = new_rng();
    rmc_philox *s = rmc_rng_philox(r);
    enum { BINS = 1000 };
    static double count[BINS];
    memset(count, 0, sizeof count);
    const size_t per_stream = 10000, streams = rmc_test_quick() ? 60 : 400;
    double sum = 0, sum2 = 0, beyond_r = 0, beyond_far = 0;
    for (size_t st = 0; st < streams; st++) {
        rmc_rng_seek(r, 37, st, RMC_STREAM_TEST, 12);
        for (size_t i = 0; i < per_stream; i++) {
            const double e = rmc_philox_exp1(s);
            assert_true(e > 0);
            const size_t b = (size_t)(-expm1(-e) * BINS);
            count[b < BINS ? b : BINS - 1] += 1;
            sum += e;
            sum2 += e * e;
            beyond_r += e > 7.697117470131487;
            beyond_far += e > 9;
        }
    }
    const double n = (double)(per_stream * streams), expect = n / BINS;
    double chi2 = 0;
    for (int b = 0; b < BINS; b++) {
        chi2 += (count[b] - expect) * (count[b] - expect) / expect;
    }
    assert_true(chi2 < gsl_cdf_chisq_Qinv(1e-6, BINS - 1));
    const double mean = sum / n;
    assert_close(mean, 1, 0, 5 / sqrt(n));
    assert_close(sum2 / n - mean * mean, 1, 0, 5 * sqrt(8.0 / n)); /* mu_4 - sigma^4 = 8 */
    const double p_r = exp(-7.697117470131487), p_far = exp(-9.0);
    assert_close(beyond_r, n * p_r, 0, 5 * sqrt(n * p_r));
    assert_close(beyond_far, n * p_far, 0, 5 * sqrt(n * p_far) + 1);
    rmc_rng_free(r);
}

/* rmc_philox_exp1_at with the position in a local gives the variates of
 * rmc_philox_exp1 from the same stream, word for word, across refills
 * (fresh and full) and slow branches (tail and wedges, which take further
 * words), and leaves the stream where rmc_philox_exp1 does. */
static void test_rmc_rng_exp1_at_equals_exp1(void **state)
{
    (void)state;
    rmc_rng *a = new_rng(), *b = new_rng();
    rmc_philox *sa = rmc_rng_philox(a), *sb = rmc_rng_philox(b);
    size_t slow = 0;
    for (size_t st = 0; st < 20; st++) {
        rmc_rng_seek(a, 41, st, RMC_STREAM_TEST, 3);
        rmc_rng_seek(b, 41, st, RMC_STREAM_TEST, 3);
        unsigned pos = sb->pos;
        for (size_t i = 0; i < 5000; i++) {
            const unsigned before = sa->pos;
            const double e = rmc_philox_exp1(sa);
            /* a draw that took more than one word (refills aside) */
            slow += before < RMC_PHILOX_WORDS && sa->pos > before + 1;
            assert_true(e == rmc_philox_exp1_at(sb, &pos));
        }
        sb->pos = pos;
        assert_int_equal(rmc_philox_word(sa), rmc_philox_word(sb));
    }
    assert_true(slow > 100); /* about 1% of 100,000 draws */
    rmc_rng_free(a);
    rmc_rng_free(b);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rmc_rng_philox_known_answer),
        cmocka_unit_test(test_rmc_rng_alloc_unknown_name),
        cmocka_unit_test(test_rmc_rng_seek_reproducible_and_distinct),
        cmocka_unit_test(test_rmc_rng_uniform_and_gaussian_moments),
        cmocka_unit_test(test_rmc_rng_matches_random123),
        cmocka_unit_test(test_rmc_rng_generic_blocks_match_random123),
        cmocka_unit_test(test_rmc_rng_heads_equal_seek),
        cmocka_unit_test(test_rmc_rng_bulk_and_inline_equal_gsl),
        cmocka_unit_test(test_rmc_rng_normal_fast_path_sign),
        cmocka_unit_test(test_rmc_rng_ziggurat_normal),
        cmocka_unit_test(test_rmc_rng_ziggurat_exponential),
        cmocka_unit_test(test_rmc_rng_exp1_at_equals_exp1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
