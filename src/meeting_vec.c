/* A rank meeting's names four or eight at a time: the first draws of up
 * to RMC_LANES names at once (meeting_int.h, rmc_lanes_ops), the same
 * values the scalar code of meeting.c computes name by name.
 *
 * Each name draws from its own stream, whose first words rmc_philox_heads
 * made for the whole list; a lane reads its words from there (loaded by
 * the names' local indices) at its own offset, the words the branches
 * before it took, so the branches become masks: whether the name is
 * discussed (one uniform when 0 < discuss_prob < 1), the visa filter (one
 * uniform for an H1B at a J1-only program), and resident feedback's move:
 * the comment count from the meeting's table, the likability normal from
 * the ziggurat's layer rectangle, and the split of the comments by
 * comment_split's inversion (exp(-y) by the same table and polynomial),
 * every operation the scalar one in the same order, lane by lane. What is
 * rare is handed back to the scalar code, which redoes the name from its
 * stream's start: the ziggurat's slow branch, an inversion comparison
 * within RMC_SPLIT_MARGIN of a tie, a likability past the fast range.
 *
 * Four doubles a vector with AVX2 intrinsics, eight with AVX-512F, each
 * compiled for its target and chosen at run time (rmc_lanes_best takes
 * the widest the CPU has; the meetings use the scalar code where it lacks
 * AVX2). The build keeps -ffp-contract=off, so no multiply-add is fused.
 * The vector code does about as many instructions
 * per name as the scalar code it replaces, but without its data-dependent
 * branches (bench/RESULTS.md).
 */
#include <stddef.h>

#include "meeting_int.h"

const double rmc_exp2_neg32[32] = {
    0x1.0000000000000p+0, 0x1.f50765b6e4540p-1, 0x1.ea4afa2a490dap-1, 0x1.dfc97337b9b5fp-1,
    0x1.d5818dcfba487p-1, 0x1.cb720dcef9069p-1, 0x1.c199bdd85529cp-1, 0x1.b7f76f2fb5e47p-1,
    0x1.ae89f995ad3adp-1, 0x1.a5503b23e255dp-1, 0x1.9c49182a3f090p-1, 0x1.93737b0cdc5e5p-1,
    0x1.8ace5422aa0dbp-1, 0x1.82589994cce13p-1, 0x1.7a11473eb0187p-1, 0x1.71f75e8ec5f74p-1,
    0x1.6a09e667f3bcdp-1, 0x1.6247eb03a5585p-1, 0x1.5ab07dd485429p-1, 0x1.5342b569d4f82p-1,
    0x1.4bfdad5362a27p-1, 0x1.44e086061892dp-1, 0x1.3dea64c123422p-1, 0x1.371a7373aa9cbp-1,
    0x1.306fe0a31b715p-1, 0x1.29e9df51fdee1p-1, 0x1.2387a6e756238p-1, 0x1.1d4873168b9aap-1,
    0x1.172b83c7d517bp-1, 0x1.11301d0125b51p-1, 0x1.0b5586cf9890fp-1, 0x1.059b0d3158574p-1,
};

#define INV4(k) 1.0 / (k), 1.0 / ((k) + 1), 1.0 / ((k) + 2), 1.0 / ((k) + 3)
const double rmc_inv_int[RMC_MAX_TABLE_RESIDENTS + 4] = {
    0.0,      1.0,      0.5,      1.0 / 3,  INV4(4),  INV4(8),  INV4(12),
    INV4(16), INV4(20), INV4(24), INV4(28), INV4(32), INV4(36), INV4(40),
    INV4(44), INV4(48), INV4(52), INV4(56), INV4(60), INV4(64)};
#undef INV4

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2"), always_inline)) static inline

/* Lane masks as four bits (bit l: lane l) and as vectors: row b has lane l
 * all ones where bit l of b is set, else zero. */
#define LANE_MASK(T, b)                                                                            \
    {                                                                                              \
        -(T)((b)&1), -(T)(((b) >> 1) & 1), -(T)(((b) >> 2) & 1), -(T)(((b) >> 3) & 1)              \
    }
#define LANE_MASKS(T)                                                                              \
    LANE_MASK(T, 0), LANE_MASK(T, 1), LANE_MASK(T, 2), LANE_MASK(T, 3), LANE_MASK(T, 4),           \
        LANE_MASK(T, 5), LANE_MASK(T, 6), LANE_MASK(T, 7), LANE_MASK(T, 8), LANE_MASK(T, 9),       \
        LANE_MASK(T, 10), LANE_MASK(T, 11), LANE_MASK(T, 12), LANE_MASK(T, 13), LANE_MASK(T, 14),  \
        LANE_MASK(T, 15)
static const int64_t mask64[16][4] __attribute__((aligned(32))) = {LANE_MASKS(int64_t)};
static const int32_t mask32[16][4] __attribute__((aligned(16))) = {LANE_MASKS(int32_t)};
#undef LANE_MASKS
#undef LANE_MASK

AVX2 __m256d mask_d(unsigned bits)
{
    return _mm256_load_pd((const double *)mask64[bits]);
}

AVX2 __m128i mask_i(unsigned bits)
{
    return _mm_load_si128((const __m128i *)mask32[bits]);
}

AVX2 unsigned bits_of(__m256d m)
{
    return (unsigned)_mm256_movemask_pd(m);
}

/* The lanes' words w[0 .. 3] (32-bit lanes), lane l's word o[l]. */
AVX2 __m128i word_at(const __m128i w[RMC_LANE_WORDS], __m128i o)
{
    const __m128i r1 = _mm_blendv_epi8(w[0], w[1], _mm_cmpeq_epi32(o, _mm_set1_epi32(1)));
    const __m128i r2 = _mm_blendv_epi8(r1, w[2], _mm_cmpeq_epi32(o, _mm_set1_epi32(2)));
    return _mm_blendv_epi8(r2, w[3], _mm_cmpeq_epi32(o, _mm_set1_epi32(3)));
}

/* rmc_philox_uniform of each lane's word: (double)w as the exact
 * (double)(int32_t)(w - 2^31) + 2^31, times 2^-32. */
AVX2 __m256d uniform_of(__m128i w)
{
    const __m128i s = _mm_xor_si128(w, _mm_set1_epi32(INT32_MIN));
    const __m256d d = _mm256_add_pd(_mm256_cvtepi32_pd(s), _mm256_set1_pd(0x1p31));
    return _mm256_mul_pd(d, _mm256_set1_pd(0x1p-32));
}

/* table[i[l]] of each lane by four scalar loads, not a gather: on Zen 2
 * a four-element gather is slower, and it sits on the pass's longest
 * dependence chain. */
AVX2 __m256d lookup_pd(const double *table, __m128i i)
{
    const __m128d lo =
        _mm_loadh_pd(_mm_load_sd(table + _mm_cvtsi128_si32(i)), table + _mm_extract_epi32(i, 1));
    const __m128d hi =
        _mm_loadh_pd(_mm_load_sd(table + _mm_extract_epi32(i, 2)), table + _mm_extract_epi32(i, 3));
    return _mm256_insertf128_pd(_mm256_castpd128_pd256(lo), hi, 1);
}

AVX2 __m128i lookup_epi32(const uint32_t *table, __m128i i)
{
    return _mm_setr_epi32((int)table[_mm_cvtsi128_si32(i)], (int)table[_mm_extract_epi32(i, 1)],
                          (int)table[_mm_extract_epi32(i, 2)], (int)table[_mm_extract_epi32(i, 3)]);
}

/* meeting.c's exp_neg, lane by lane (0 <= y <= RMC_EXP_NEG_MAX). */
AVX2 __m256d exp_neg_lanes(__m256d y)
{
    const __m256d ln2_hi = _mm256_set1_pd(0x1.62e42feep-6);
    const __m256d ln2_lo = _mm256_set1_pd(0x1.a39ef35793c76p-38);
    const __m256d t =
        _mm256_add_pd(_mm256_mul_pd(y, _mm256_set1_pd(0x1.71547652b82fep+5)), _mm256_set1_pd(0.5));
    const __m128i m = _mm256_cvttpd_epi32(t);
    const __m256d md = _mm256_cvtepi32_pd(m);
    const __m256d r =
        _mm256_add_pd(_mm256_sub_pd(_mm256_mul_pd(md, ln2_hi), y), _mm256_mul_pd(md, ln2_lo));
    const __m256d r2 = _mm256_mul_pd(r, r);
    const __m256d lo = _mm256_add_pd(_mm256_set1_pd(1.0), r);
    const __m256d mid =
        _mm256_add_pd(_mm256_set1_pd(0.5), _mm256_mul_pd(r, _mm256_set1_pd(1.0 / 6)));
    const __m256d hi =
        _mm256_add_pd(_mm256_set1_pd(1.0 / 24), _mm256_mul_pd(r, _mm256_set1_pd(1.0 / 120)));
    const __m256d poly =
        _mm256_add_pd(lo, _mm256_mul_pd(r2, _mm256_add_pd(mid, _mm256_mul_pd(r2, hi))));
    const __m128i ex = _mm_sub_epi32(_mm_set1_epi32(1023), _mm_srai_epi32(m, 5));
    const __m256d scale = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_cvtepi32_epi64(ex), 52));
    const __m256d tab = lookup_pd(rmc_exp2_neg32, _mm_and_si128(m, _mm_set1_epi32(31)));
    return _mm256_mul_pd(_mm256_mul_pd(poly, tab), scale);
}

/* What a lane pass hands back, as lane bits. */
typedef struct lanes_back {
    unsigned zig, range, close;
} lanes_back;

/* comment_split's fast path on the lanes `live` (bits): u in comment cell
 * nc (>= 1; also as doubles ncd), likability like; returns the positives
 * as doubles. The live lanes of the inversion all stand at x = t in its
 * step t, so the step's ratio is the same for every lane. */
AVX2 __m256d split_lanes(lanes_back *b, __m256d u, __m256d lo, __m256d inv, __m256d ncd,
                         __m256d like, unsigned live, unsigned n_res)
{
    const __m256d sign = _mm256_castsi256_pd(_mm256_set1_epi64x(INT64_MAX));
    const __m256d y = _mm256_and_pd(like, sign);
    const __m256d ok = _mm256_and_pd(_mm256_cmp_pd(y, _mm256_set1_pd(RMC_EXP_NEG_MAX), _CMP_LE_OQ),
                                     _mm256_cmp_pd(inv, _mm256_setzero_pd(), _CMP_GT_OQ));
    b->range = live & ~bits_of(ok);
    live &= bits_of(ok);
    const __m256d e = exp_neg_lanes(_mm256_and_pd(y, ok));
    const __m256d q = _mm256_div_pd(_mm256_set1_pd(1.0), _mm256_add_pd(_mm256_set1_pd(1.0), e));
    __m256d v =
        _mm256_min_pd(_mm256_mul_pd(_mm256_sub_pd(u, lo), inv), _mm256_set1_pd(RMC_BELOW_ONE));
    /* both loops run the meeting's n_res steps (>= every lane's count),
     * the steps past a lane's count leaving it as it is: the same number
     * of steps in every pass of the meeting, so their ends are not
     * mispredicted */
    __m256d pmf = _mm256_set1_pd(1.0);
    for (unsigned t = 0; t < n_res; t++) {
        const __m256d more = _mm256_cmp_pd(ncd, _mm256_set1_pd((double)t), _CMP_GT_OQ);
        pmf = _mm256_blendv_pd(pmf, _mm256_mul_pd(pmf, q), more);
    }
    /* the live lanes as a vector mask: a step's mask does not go through
     * a general register and a table load, which lengthened the chain
     * from one step to the next */
    __m256d x = _mm256_setzero_pd(), lm = mask_d(live), close = _mm256_setzero_pd();
    for (unsigned t = 0; t < n_res; t++) {
        const __m256d td = _mm256_set1_pd((double)t);
        lm = _mm256_and_pd(lm, _mm256_cmp_pd(ncd, td, _CMP_GT_OQ));
        const __m256d d = _mm256_sub_pd(v, pmf);
        const __m256d far =
            _mm256_cmp_pd(_mm256_and_pd(d, sign), _mm256_set1_pd(RMC_SPLIT_MARGIN), _CMP_GT_OQ);
        const __m256d near = _mm256_andnot_pd(far, lm);
        close = _mm256_or_pd(close, near);
        lm = _mm256_and_pd(_mm256_andnot_pd(near, lm),
                           _mm256_cmp_pd(d, _mm256_setzero_pd(), _CMP_GE_OQ));
        v = _mm256_blendv_pd(v, d, lm);
        const __m256d f = _mm256_mul_pd(_mm256_mul_pd(e, _mm256_sub_pd(ncd, td)),
                                        _mm256_set1_pd(rmc_inv_int[t + 1]));
        pmf = _mm256_blendv_pd(pmf, _mm256_mul_pd(pmf, f), lm);
        x = _mm256_add_pd(x, _mm256_and_pd(lm, _mm256_set1_pd(1.0)));
    }
    b->close = bits_of(close);
    const __m256d common = _mm256_cmp_pd(like, _mm256_setzero_pd(), _CMP_GT_OQ);
    return _mm256_blendv_pd(x, _mm256_sub_pd(ncd, x), common);
}

/* Resident feedback's move of the lanes `live` (meeting.c,
 * resident_move); *o counts the words taken; *b gets the lanes to hand
 * back. */
AVX2 __m256d residents_lanes(__m128i *o, lanes_back *b, const rmc_lanes_ctx *c, __m256d in_comm,
                             const __m128i w[RMC_LANE_WORDS], unsigned live)
{
    b->zig = b->range = b->close = 0;
    if (!c->residents) {
        return _mm256_setzero_pd();
    }
    const __m256d u = uniform_of(word_at(w, *o));
    *o = _mm_sub_epi32(*o, mask_i(live));
    /* the count nc, and its cell's bounds cdf[nc - 1] (0 where nc = 0) and
     * inverse width inv[nc] picked on the way (the cdf does not decrease,
     * so the cells u is past are the first nc), not gathered */
    __m256i n64 = _mm256_setzero_si256();
    __m256d lo = _mm256_setzero_pd(), inv = _mm256_set1_pd(c->inv[0]);
    for (unsigned i = 0; i < c->n_res; i++) {
        const __m256d cdf = _mm256_set1_pd(c->cdf[i]);
        const __m256d ge = _mm256_cmp_pd(u, cdf, _CMP_GE_OQ);
        n64 = _mm256_sub_epi64(n64, _mm256_castpd_si256(ge));
        lo = _mm256_blendv_pd(lo, cdf, ge);
        inv = _mm256_blendv_pd(inv, _mm256_set1_pd(c->inv[i + 1]), ge);
    }
    const __m128i nc = _mm256_castsi256_si128(
        _mm256_permutevar8x32_epi32(n64, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6)));
    const __m256d ncd = _mm256_cvtepi32_pd(nc);
    live &= bits_of(_mm256_cmp_pd(ncd, _mm256_setzero_pd(), _CMP_GT_OQ));
    const __m256d comm = in_comm;
    __m256d like = _mm256_add_pd(
        _mm256_set1_pd(c->like_base),
        _mm256_mul_pd(_mm256_set1_pd(c->like_comm), _mm256_sub_pd(comm, _mm256_set1_pd(0.5))));
    if (c->sigma_like > 0) {
        const __m128i word = word_at(w, *o);
        *o = _mm_sub_epi32(*o, mask_i(live));
        const __m128i i = _mm_and_si128(word, _mm_set1_epi32(RMC_ZIG_LAYERS - 1));
        const __m128i j = _mm_srli_epi32(word, 8);
        const __m128i k = lookup_epi32(c->zig_k, i);
        const __m256d x = _mm256_mul_pd(_mm256_cvtepi32_pd(j), lookup_pd(c->zig_w, i));
        const __m128i pos =
            _mm_cmpeq_epi32(_mm_and_si128(word, _mm_set1_epi32(0x80)), _mm_setzero_si128());
        const __m256d neg = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(pos));
        const __m256d z = _mm256_blendv_pd(x, _mm256_sub_pd(_mm256_setzero_pd(), x), neg);
        b->zig = live & ~(unsigned)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmplt_epi32(j, k)));
        live &= ~b->zig;
        like = _mm256_add_pd(like, _mm256_mul_pd(_mm256_set1_pd(c->sigma_like), z));
    }
    const __m256d pos = split_lanes(b, u, lo, inv, ncd, like, live, c->n_res);
    const __m256d move =
        _mm256_sub_pd(_mm256_mul_pd(pos, _mm256_set1_pd(c->spots_pos)),
                      _mm256_mul_pd(_mm256_sub_pd(ncd, pos), _mm256_set1_pd(c->spots_neg)));
    return _mm256_and_pd(move, mask_d(live & ~b->range & ~b->close));
}

__attribute__((target("avx2"))) static void lanes_avx2(const rmc_lanes_ctx *c,
                                                       const rmc_lanes_in *in, rmc_lanes_out *out)
{
    enum { L = 4 }; /* lanes a pass */
    _Static_assert((int)RMC_LANES >= (int)L && RMC_LANE_WORDS == 4, "four lanes of four words");
    _Static_assert((int)RMC_PHILOX_HEAD_WORDS >= (int)RMC_LANE_WORDS, "a lane's words in its head");
    /* Loads, not gathers: a lane's four head words are adjacent (one load
     * a lane, then a 4 x 4 transpose), and its applicant is one scalar
     * load away; four-element gathers are slower on some CPUs (Zen 2). */
    __m128 h[L];
    const rmc_app_pack *ap[L];
    for (size_t l = 0; l < L; l++) {
        const size_t t = (size_t)in->t[l];
        h[l] = _mm_loadu_ps((const float *)(const void *)(in->heads + t * RMC_PHILOX_HEAD_WORDS));
        ap[l] = &in->app[in->iv[t].app];
    }
    _MM_TRANSPOSE4_PS(h[0], h[1], h[2], h[3]);
    const __m128i w[RMC_LANE_WORDS] = {_mm_castps_si128(h[0]), _mm_castps_si128(h[1]),
                                       _mm_castps_si128(h[2]), _mm_castps_si128(h[3])};
    const __m256d comm = _mm256_setr_pd(ap[0]->comm, ap[1]->comm, ap[2]->comm, ap[3]->comm);
    const __m128i visa = _mm_setr_epi32(ap[0]->visa, ap[1]->visa, ap[2]->visa, ap[3]->visa);
    __m128i o = _mm_setzero_si128();
    /* discussed: q >= 1 || (q > 0 && uniform < pi) */
    unsigned disc = 15;
    const double q = c->discuss_q;
    if (q < 1) {
        disc = 0;
        if (q > 0) {
            const __m256d pi = _mm256_cvtps_pd(_mm_loadu_ps(in->pi));
            disc = bits_of(_mm256_cmp_pd(uniform_of(w[0]), pi, _CMP_LT_OQ));
            o = _mm_set1_epi32(1);
        }
    }
    /* the visa filter (rmc_visa_refused) */
    const unsigned needs = 15u & ~(unsigned)_mm_movemask_ps(
                                     _mm_castsi128_ps(_mm_cmpeq_epi32(visa, _mm_setzero_si128())));
    unsigned refused = needs;
    if (c->sponsors != RMC_SPONSORS_NONE) {
        refused = 0;
        if (c->sponsors == RMC_SPONSORS_J1 && c->h1b_drop > 0) {
            const unsigned h1b = (unsigned)_mm_movemask_ps(
                _mm_castsi128_ps(_mm_cmpeq_epi32(visa, _mm_set1_epi32(RMC_VISA_H1B))));
            const __m256d u = uniform_of(word_at(w, o));
            refused = h1b & bits_of(_mm256_cmp_pd(u, _mm256_set1_pd(c->h1b_drop), _CMP_LT_OQ));
            o = _mm_sub_epi32(o, mask_i(h1b));
        }
    }
    lanes_back b;
    const __m256d res = residents_lanes(&o, &b, c, comm, w, disc & ~refused);
    _mm256_storeu_pd(out->residents, res);
    /* the states, the first reason that applies winning */
    __m128i st = _mm_set1_epi32(RMC_LANE_DISCUSS);
    st = _mm_blendv_epi8(st, _mm_set1_epi32(RMC_LANE_SPLIT), mask_i(b.close));
    st = _mm_blendv_epi8(st, _mm_set1_epi32(RMC_LANE_RANGE), mask_i(b.range));
    st = _mm_blendv_epi8(st, _mm_set1_epi32(RMC_LANE_ZIG), mask_i(b.zig));
    st = _mm_blendv_epi8(st, _mm_set1_epi32(RMC_LANE_SKIP), mask_i(15u & ~disc));
    st = _mm_blendv_epi8(st, _mm_set1_epi32(RMC_LANE_DROPPED), mask_i(refused));
    /* the low byte of each 32-bit lane */
    const __m128i bytes =
        _mm_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const int32_t states = _mm_cvtsi128_si32(_mm_shuffle_epi8(st, bytes));
    const int32_t words = _mm_cvtsi128_si32(_mm_shuffle_epi8(o, bytes));
    memcpy(out->state, &states, sizeof states);
    memcpy(out->words, &words, sizeof words);
}

static const rmc_lanes_ops ops_avx2 = {lanes_avx2, 4};

/* ---- eight names a pass with AVX-512F ------------------------------------
 * The same operations lane by lane as the AVX2 pass above, on eight
 * doubles a vector (32-bit values in AVX2's 256-bit vectors); lane masks
 * are mask registers (a lane's bit), so a blend is one masked move, and
 * the tables are read by gathers, which do not sit on a Zen 2 here. Only
 * AVX-512F instructions beyond AVX2 (no VL, DQ or BW). */

#define AVX512 __attribute__((target("avx2,avx512f"), always_inline)) static inline

/* All ones in the 32-bit lanes whose bit of `bits` is set. */
AVX512 __m256i mask_i8(unsigned bits)
{
    const __m256i sel = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)bits), sel), sel);
}

/* The lanes (bits) where the 32-bit lanes of m are all ones. */
AVX512 unsigned bits8(__m256i m)
{
    return (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(m));
}

AVX512 __m256i word_at8(const __m256i w[RMC_LANE_WORDS], __m256i o)
{
    const __m256i r1 = _mm256_blendv_epi8(w[0], w[1], _mm256_cmpeq_epi32(o, _mm256_set1_epi32(1)));
    const __m256i r2 = _mm256_blendv_epi8(r1, w[2], _mm256_cmpeq_epi32(o, _mm256_set1_epi32(2)));
    return _mm256_blendv_epi8(r2, w[3], _mm256_cmpeq_epi32(o, _mm256_set1_epi32(3)));
}

AVX512 __m512d uniform8(__m256i w)
{
    const __m256i s = _mm256_xor_si256(w, _mm256_set1_epi32(INT32_MIN));
    const __m512d d = _mm512_add_pd(_mm512_cvtepi32_pd(s), _mm512_set1_pd(0x1p31));
    return _mm512_mul_pd(d, _mm512_set1_pd(0x1p-32));
}

/* |v| by clearing the sign bit */
AVX512 __m512d abs8(__m512d v)
{
    return _mm512_castsi512_pd(
        _mm512_and_si512(_mm512_castpd_si512(v), _mm512_set1_epi64(INT64_MAX)));
}

AVX512 __m512d exp_neg8(__m512d y)
{
    const __m512d ln2_hi = _mm512_set1_pd(0x1.62e42feep-6);
    const __m512d ln2_lo = _mm512_set1_pd(0x1.a39ef35793c76p-38);
    const __m512d t =
        _mm512_add_pd(_mm512_mul_pd(y, _mm512_set1_pd(0x1.71547652b82fep+5)), _mm512_set1_pd(0.5));
    const __m256i m = _mm512_cvttpd_epi32(t);
    const __m512d md = _mm512_cvtepi32_pd(m);
    const __m512d r =
        _mm512_add_pd(_mm512_sub_pd(_mm512_mul_pd(md, ln2_hi), y), _mm512_mul_pd(md, ln2_lo));
    const __m512d r2 = _mm512_mul_pd(r, r);
    const __m512d lo = _mm512_add_pd(_mm512_set1_pd(1.0), r);
    const __m512d mid =
        _mm512_add_pd(_mm512_set1_pd(0.5), _mm512_mul_pd(r, _mm512_set1_pd(1.0 / 6)));
    const __m512d hi =
        _mm512_add_pd(_mm512_set1_pd(1.0 / 24), _mm512_mul_pd(r, _mm512_set1_pd(1.0 / 120)));
    const __m512d poly =
        _mm512_add_pd(lo, _mm512_mul_pd(r2, _mm512_add_pd(mid, _mm512_mul_pd(r2, hi))));
    const __m256i ex = _mm256_sub_epi32(_mm256_set1_epi32(1023), _mm256_srai_epi32(m, 5));
    const __m512d scale = _mm512_castsi512_pd(_mm512_slli_epi64(_mm512_cvtepi32_epi64(ex), 52));
    const __m512d tab =
        _mm512_i32gather_pd(_mm256_and_si256(m, _mm256_set1_epi32(31)), rmc_exp2_neg32, 8);
    return _mm512_mul_pd(_mm512_mul_pd(poly, tab), scale);
}

/* split_lanes on eight lanes */
AVX512 __m512d split8(lanes_back *b, __m512d u, __m512d lo, __m512d inv, __m512d ncd, __m512d like,
                      unsigned live, unsigned n_res)
{
    const __m512d y = abs8(like);
    const __mmask8 ok = _mm512_cmp_pd_mask(y, _mm512_set1_pd(RMC_EXP_NEG_MAX), _CMP_LE_OQ) &
                        _mm512_cmp_pd_mask(inv, _mm512_setzero_pd(), _CMP_GT_OQ);
    b->range = live & ~(unsigned)ok;
    live &= ok;
    const __m512d e = exp_neg8(_mm512_maskz_mov_pd(ok, y));
    const __m512d q = _mm512_div_pd(_mm512_set1_pd(1.0), _mm512_add_pd(_mm512_set1_pd(1.0), e));
    __m512d v =
        _mm512_min_pd(_mm512_mul_pd(_mm512_sub_pd(u, lo), inv), _mm512_set1_pd(RMC_BELOW_ONE));
    __m512d pmf = _mm512_set1_pd(1.0);
    for (unsigned t = 0; t < n_res; t++) {
        const __mmask8 more = _mm512_cmp_pd_mask(ncd, _mm512_set1_pd((double)t), _CMP_GT_OQ);
        pmf = _mm512_mask_mul_pd(pmf, more, pmf, q);
    }
    __m512d x = _mm512_setzero_pd();
    __mmask8 lm = (__mmask8)live, close = 0;
    for (unsigned t = 0; t < n_res; t++) {
        const __m512d td = _mm512_set1_pd((double)t);
        lm &= _mm512_cmp_pd_mask(ncd, td, _CMP_GT_OQ);
        const __m512d d = _mm512_sub_pd(v, pmf);
        const __mmask8 far =
            _mm512_cmp_pd_mask(abs8(d), _mm512_set1_pd(RMC_SPLIT_MARGIN), _CMP_GT_OQ);
        const __mmask8 near = (__mmask8)(~far & lm);
        close |= near;
        lm = (__mmask8)(~near & lm) & _mm512_cmp_pd_mask(d, _mm512_setzero_pd(), _CMP_GE_OQ);
        v = _mm512_mask_mov_pd(v, lm, d);
        const __m512d f = _mm512_mul_pd(_mm512_mul_pd(e, _mm512_sub_pd(ncd, td)),
                                        _mm512_set1_pd(rmc_inv_int[t + 1]));
        pmf = _mm512_mask_mul_pd(pmf, lm, pmf, f);
        x = _mm512_mask_add_pd(x, lm, x, _mm512_set1_pd(1.0));
    }
    b->close = close;
    const __mmask8 common = _mm512_cmp_pd_mask(like, _mm512_setzero_pd(), _CMP_GT_OQ);
    return _mm512_mask_sub_pd(x, common, ncd, x);
}

/* residents_lanes on eight lanes */
AVX512 __m512d residents8(__m256i *o, lanes_back *b, const rmc_lanes_ctx *c, __m512d comm,
                          const __m256i w[RMC_LANE_WORDS], unsigned live)
{
    b->zig = b->range = b->close = 0;
    if (!c->residents) {
        return _mm512_setzero_pd();
    }
    const __m512d u = uniform8(word_at8(w, *o));
    *o = _mm256_sub_epi32(*o, mask_i8(live));
    __m512i n64 = _mm512_setzero_si512();
    __m512d lo = _mm512_setzero_pd(), inv = _mm512_set1_pd(c->inv[0]);
    for (unsigned i = 0; i < c->n_res; i++) {
        const __m512d cdf = _mm512_set1_pd(c->cdf[i]);
        const __mmask8 ge = _mm512_cmp_pd_mask(u, cdf, _CMP_GE_OQ);
        n64 = _mm512_mask_add_epi64(n64, ge, n64, _mm512_set1_epi64(1));
        lo = _mm512_mask_mov_pd(lo, ge, cdf);
        inv = _mm512_mask_mov_pd(inv, ge, _mm512_set1_pd(c->inv[i + 1]));
    }
    const __m512d ncd = _mm512_cvtepi32_pd(_mm512_cvtepi64_epi32(n64));
    live &= _mm512_cmp_pd_mask(ncd, _mm512_setzero_pd(), _CMP_GT_OQ);
    __m512d like = _mm512_add_pd(
        _mm512_set1_pd(c->like_base),
        _mm512_mul_pd(_mm512_set1_pd(c->like_comm), _mm512_sub_pd(comm, _mm512_set1_pd(0.5))));
    if (c->sigma_like > 0) {
        const __m256i word = word_at8(w, *o);
        *o = _mm256_sub_epi32(*o, mask_i8(live));
        const __m256i i = _mm256_and_si256(word, _mm256_set1_epi32(RMC_ZIG_LAYERS - 1));
        const __m256i j = _mm256_srli_epi32(word, 8);
        const __m256i k = _mm256_i32gather_epi32((const int *)c->zig_k, i, 4);
        const __m512d x = _mm512_mul_pd(_mm512_cvtepi32_pd(j), _mm512_i32gather_pd(i, c->zig_w, 8));
        const unsigned neg = bits8(_mm256_cmpeq_epi32(
            _mm256_and_si256(word, _mm256_set1_epi32(0x80)), _mm256_setzero_si256()));
        const __m512d z = _mm512_mask_sub_pd(x, (__mmask8)neg, _mm512_setzero_pd(), x);
        b->zig = live & ~bits8(_mm256_cmpgt_epi32(k, j));
        live &= ~b->zig;
        like = _mm512_add_pd(like, _mm512_mul_pd(_mm512_set1_pd(c->sigma_like), z));
    }
    const __m512d pos = split8(b, u, lo, inv, ncd, like, live, c->n_res);
    const __m512d move =
        _mm512_sub_pd(_mm512_mul_pd(pos, _mm512_set1_pd(c->spots_pos)),
                      _mm512_mul_pd(_mm512_sub_pd(ncd, pos), _mm512_set1_pd(c->spots_neg)));
    return _mm512_maskz_mov_pd((__mmask8)(live & ~b->range & ~b->close), move);
}

__attribute__((target("avx2,avx512f"))) static void
lanes_avx512(const rmc_lanes_ctx *c, const rmc_lanes_in *in, rmc_lanes_out *out)
{
    _Static_assert(RMC_LANES == 8 && RMC_LANE_WORDS == 4, "eight lanes of four words");
    /* word q of each lane's head by a gather of the names' local indices */
    const __m256i at = _mm256_mullo_epi32(_mm256_loadu_si256((const __m256i *)(const void *)in->t),
                                          _mm256_set1_epi32(RMC_PHILOX_HEAD_WORDS));
    __m256i w[RMC_LANE_WORDS];
    for (unsigned q = 0; q < RMC_LANE_WORDS; q++) {
        w[q] = _mm256_i32gather_epi32((const int *)(const void *)(in->heads + q), at, 4);
    }
    double cm[RMC_LANES];
    int32_t vs[RMC_LANES];
    for (size_t l = 0; l < RMC_LANES; l++) {
        const rmc_app_pack *ap = &in->app[in->iv[in->t[l]].app];
        cm[l] = ap->comm;
        vs[l] = ap->visa;
    }
    const __m512d comm = _mm512_loadu_pd(cm);
    const __m256i visa = _mm256_loadu_si256((const __m256i *)(const void *)vs);
    __m256i o = _mm256_setzero_si256();
    unsigned disc = 255;
    const double q = c->discuss_q;
    if (q < 1) {
        disc = 0;
        if (q > 0) {
            const __m512d pi = _mm512_cvtps_pd(_mm256_loadu_ps(in->pi));
            disc = _mm512_cmp_pd_mask(uniform8(w[0]), pi, _CMP_LT_OQ);
            o = _mm256_set1_epi32(1);
        }
    }
    const unsigned needs = 255u & ~bits8(_mm256_cmpeq_epi32(visa, _mm256_setzero_si256()));
    unsigned refused = needs;
    if (c->sponsors != RMC_SPONSORS_NONE) {
        refused = 0;
        if (c->sponsors == RMC_SPONSORS_J1 && c->h1b_drop > 0) {
            const unsigned h1b = bits8(_mm256_cmpeq_epi32(visa, _mm256_set1_epi32(RMC_VISA_H1B)));
            const __m512d u = uniform8(word_at8(w, o));
            refused = h1b & _mm512_cmp_pd_mask(u, _mm512_set1_pd(c->h1b_drop), _CMP_LT_OQ);
            o = _mm256_sub_epi32(o, mask_i8(h1b));
        }
    }
    lanes_back b;
    _mm512_storeu_pd(out->residents, residents8(&o, &b, c, comm, w, disc & ~refused));
    int32_t words[RMC_LANES];
    _mm256_storeu_si256((__m256i *)(void *)words, o);
    /* the states, the first reason that applies winning (lanes_avx2) */
    for (size_t l = 0; l < RMC_LANES; l++) {
        const unsigned bit = 1u << l;
        out->state[l] = (refused & bit)   ? RMC_LANE_DROPPED
                        : !(disc & bit)   ? RMC_LANE_SKIP
                        : (b.zig & bit)   ? RMC_LANE_ZIG
                        : (b.range & bit) ? RMC_LANE_RANGE
                        : (b.close & bit) ? RMC_LANE_SPLIT
                                          : RMC_LANE_DISCUSS;
        out->words[l] = (uint8_t)words[l];
    }
}

static const rmc_lanes_ops ops_avx512 = {lanes_avx512, 8};
#endif

const rmc_lanes_ops *rmc_lanes_by(unsigned path)
{
#if defined(__x86_64__) || defined(__i386__)
    if (path == 1 && __builtin_cpu_supports("avx2")) {
        return &ops_avx2;
    }
    if (path == 2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512f")) {
        return &ops_avx512;
    }
#else
    (void)path;
#endif
    return NULL;
}

const rmc_lanes_ops *rmc_lanes_best(void)
{
    const rmc_lanes_ops *ops = rmc_lanes_by(2);
    return ops != NULL ? ops : rmc_lanes_by(1);
}
