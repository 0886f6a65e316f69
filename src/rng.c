/* Reproducible random streams: Random123's Philox4x32-10 exposed as a
 * gsl_rng type.
 *
 * A stream is named by (seed, replicate, purpose, substream). Philox is
 * counter-based: its output is a bijection of (counter, key), so naming a
 * stream is just choosing a counter and key, with no seeding cost and no
 * overlap between streams. The layout:
 *   key     = seed (64 bits)
 *   ctr[0]  = block number within the stream (each block gives 4 words)
 *   ctr[1]  = substream (program or applicant index)
 *   ctr[2]  = replicate, low 32 bits
 *   ctr[3]  = purpose << 16 | replicate bits 32..47
 * Distinct names give distinct counters, hence independent streams.
 *
 * get() hands out 32-bit words from a buffer refilled RMC_PHILOX_BLOCKS
 * blocks at a time, computed side by side in vector registers, so GSL's
 * samplers pay a load and a compare per word rather than a Philox
 * evaluation (randomness drawn in bulk). Hot loops read the
 * buffer inline through rng_int.h, and rmc_rng_words / rmc_rng_uniforms
 * fill arrays straight from it.
 */
#include "rankmc/rng.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include <immintrin.h>

#include <Random123/philox.h>

#include "internal.h"
#include "rng_int.h"

/* Philox4x32's constants (Salmon et al. 2011; Random123's philox.h). */
/* GCC vectorises the generic lanes only at -O3 unless asked; clang has no
 * such attribute (and vectorises them at -O2). */
#if defined(__GNUC__) && !defined(__clang__)
#define RMC_TREE_VECTORIZE __attribute__((optimize("tree-vectorize")))
#else
#define RMC_TREE_VECTORIZE
#endif

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

/* Philox4x32's ten rounds on `lanes` blocks held one word per array
 * (x0[l] is word 0 of block l): the loops over blocks have no dependences,
 * so the compiler turns them into vector multiplies. */
static inline __attribute__((always_inline)) void
philox_rounds(uint32_t *restrict x0, uint32_t *restrict x1, uint32_t *restrict x2,
              uint32_t *restrict x3, const uint32_t key[2], unsigned lanes)
{
    uint32_t k0 = key[0], k1 = key[1];
    for (unsigned round = 0; round < 10; round++) {
        for (unsigned l = 0; l < lanes; l++) {
            const uint64_t p0 = (uint64_t)PHILOX_M0 * x0[l];
            const uint64_t p1 = (uint64_t)PHILOX_M1 * x2[l];
            const uint32_t y0 = (uint32_t)(p1 >> 32) ^ x1[l] ^ k0;
            const uint32_t y2 = (uint32_t)(p0 >> 32) ^ x3[l] ^ k1;
            x1[l] = (uint32_t)p1;
            x3[l] = (uint32_t)p0;
            x0[l] = y0;
            x2[l] = y2;
        }
        k0 += PHILOX_W0;
        k1 += PHILOX_W1;
    }
}

/* The Philox blocks of counter ctr with word 0 raised by l, for l <
 * lanes <= RMC_PHILOX_BLOCKS, by philox_rounds (SSE2 multiplies); CPUs
 * with AVX2 run philox8_avx2 instead. The result is Random123's
 * philox4x32 (tested against it in tests/test_rng.c). */
static inline __attribute__((always_inline)) void
philox_lanes(const uint32_t ctr[4], const uint32_t key[2], uint32_t *out, unsigned lanes)
{
    enum { L = RMC_PHILOX_BLOCKS };
    uint32_t x0[L], x1[L], x2[L], x3[L];
    for (unsigned l = 0; l < lanes; l++) {
        x0[l] = ctr[0] + l;
        x1[l] = ctr[1];
        x2[l] = ctr[2];
        x3[l] = ctr[3];
    }
    philox_rounds(x0, x1, x2, x3, key, lanes);
    for (unsigned l = 0; l < lanes; l++) {
        out[4 * l] = x0[l];
        out[4 * l + 1] = x1[l];
        out[4 * l + 2] = x2[l];
        out[4 * l + 3] = x3[l];
    }
}

/* The generic code for CPUs without AVX2 (blocks = 4 or 8). */
RMC_TREE_VECTORIZE void rmc_philox_generic(const uint32_t ctr[4], const uint32_t key[2],
                                           uint32_t *out, unsigned blocks)
{
    if (blocks > RMC_PHILOX_BLOCKS / 2) {
        philox_lanes(ctr, key, out, RMC_PHILOX_BLOCKS);
    } else {
        philox_lanes(ctr, key, out, RMC_PHILOX_BLOCKS / 2);
    }
}

/* 32 x 32 -> 64-bit products of all eight 32-bit lanes of x by m: the high
 * and low halves, each as eight lanes (pmuludq takes the even lanes; the
 * odd ones are shifted down first). */
__attribute__((target("avx2"))) static inline void mulhilo8(__m256i x, __m256i m, __m256i *hi,
                                                            __m256i *lo)
{
    const __m256i even = _mm256_mul_epu32(x, m);
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), m);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

/* Eight blocks (eight Philox instances side by side, word w of block l in
 * lane l of xw), written out block by block: the first `blocks` of them
 * (4 or 8). The same function as philox_lanes, for CPUs with AVX2. */
__attribute__((target("avx2"))) static void
philox8_avx2(const uint32_t ctr[4], const uint32_t key[2], uint32_t *out, unsigned blocks)
{
    __m256i x0 =
        _mm256_add_epi32(_mm256_set1_epi32((int)ctr[0]), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    __m256i x1 = _mm256_set1_epi32((int)ctr[1]);
    __m256i x2 = _mm256_set1_epi32((int)ctr[2]);
    __m256i x3 = _mm256_set1_epi32((int)ctr[3]);
    __m256i k0 = _mm256_set1_epi32((int)key[0]), k1 = _mm256_set1_epi32((int)key[1]);
    const __m256i m0 = _mm256_set1_epi32((int)PHILOX_M0), m1 = _mm256_set1_epi32((int)PHILOX_M1);
    const __m256i w0 = _mm256_set1_epi32((int)PHILOX_W0), w1 = _mm256_set1_epi32((int)PHILOX_W1);
    for (unsigned round = 0; round < 10; round++) {
        __m256i hi0, lo0, hi1, lo1;
        mulhilo8(x0, m0, &hi0, &lo0);
        mulhilo8(x2, m1, &hi1, &lo1);
        x0 = _mm256_xor_si256(_mm256_xor_si256(hi1, x1), k0);
        x2 = _mm256_xor_si256(_mm256_xor_si256(hi0, x3), k1);
        x1 = lo1;
        x3 = lo0;
        k0 = _mm256_add_epi32(k0, w0);
        k1 = _mm256_add_epi32(k1, w1);
    }
    /* transpose: blocks (l, l + 4) share a vector after two unpack steps */
    const __m256i t0 = _mm256_unpacklo_epi32(x0, x1), t1 = _mm256_unpackhi_epi32(x0, x1);
    const __m256i t2 = _mm256_unpacklo_epi32(x2, x3), t3 = _mm256_unpackhi_epi32(x2, x3);
    const __m256i b04 = _mm256_unpacklo_epi64(t0, t2), b15 = _mm256_unpackhi_epi64(t0, t2);
    const __m256i b26 = _mm256_unpacklo_epi64(t1, t3), b37 = _mm256_unpackhi_epi64(t1, t3);
    _mm256_storeu_si256((__m256i *)(void *)out, _mm256_permute2x128_si256(b04, b15, 0x20));
    _mm256_storeu_si256((__m256i *)(void *)(out + 8), _mm256_permute2x128_si256(b26, b37, 0x20));
    if (blocks > 4) {
        _mm256_storeu_si256((__m256i *)(void *)(out + 16),
                            _mm256_permute2x128_si256(b04, b15, 0x31));
        _mm256_storeu_si256((__m256i *)(void *)(out + 24),
                            _mm256_permute2x128_si256(b26, b37, 0x31));
    }
}

/* ---- many streams' first blocks at once (rmc_philox_heads) --------------- */

/* Counter words 2 and 3 of stream (replicate, purpose), as rmc_rng_seek
 * sets them. */
static inline uint32_t head_ctr3(uint64_t replicate, unsigned purpose)
{
    return (purpose << 16) | (uint32_t)(replicate >> 32);
}

/* Lanes l < HEAD_LANES: block `block` of the streams with substreams
 * sub[l], into the word arrays x[0 .. 4)[l]. */
enum { HEAD_LANES = 8 };

static inline __attribute__((always_inline)) void head_lanes(uint32_t block, const uint32_t *sub,
                                                             uint32_t c2, uint32_t c3,
                                                             const uint32_t key[2],
                                                             uint32_t x[4][HEAD_LANES])
{
    uint32_t x0[HEAD_LANES], x1[HEAD_LANES], x2[HEAD_LANES], x3[HEAD_LANES];
    for (unsigned l = 0; l < HEAD_LANES; l++) {
        x0[l] = block;
        x1[l] = sub[l];
        x2[l] = c2;
        x3[l] = c3;
    }
    philox_rounds(x0, x1, x2, x3, key, HEAD_LANES);
    for (unsigned l = 0; l < HEAD_LANES; l++) {
        x[0][l] = x0[l];
        x[1][l] = x1[l];
        x[2][l] = x2[l];
        x[3][l] = x3[l];
    }
}

RMC_TREE_VECTORIZE static void heads_generic(uint64_t seed, uint64_t replicate, unsigned purpose,
                                             const int32_t *sub, size_t n, unsigned blocks,
                                             uint32_t *out)
{
    const size_t stride = 4 * (size_t)blocks;
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    const uint32_t c2 = (uint32_t)replicate, c3 = head_ctr3(replicate, purpose);
    for (size_t i = 0; i < n; i += HEAD_LANES) {
        const size_t lanes = n - i < HEAD_LANES ? n - i : HEAD_LANES;
        uint32_t s[HEAD_LANES] = {0};
        for (size_t l = 0; l < lanes; l++) {
            s[l] = (uint32_t)sub[i + l];
        }
        for (uint32_t b = 0; b < blocks; b++) {
            uint32_t x[4][HEAD_LANES];
            head_lanes(b, s, c2, c3, key, x);
            for (size_t l = 0; l < lanes; l++) {
                for (unsigned w = 0; w < 4; w++) {
                    out[(i + l) * stride + 4 * b + w] = x[w][l];
                }
            }
        }
    }
}

/* What the first three Philox rounds of block b of every stream of
 * rmc_philox_heads have in common. Streams differ only in counter word 1
 * (the substream s), so most of those rounds' products are the same for
 * every stream: after round 0, x0 = s ^ pre->a and x1, x2, x3 are shared;
 * round 1 multiplies only x0 (x2 = hi ^ pre->e2, x3 = lo; its x0 and x1 are
 * shared); round 2 only x2 (x0 = hi ^ pre->f0, x1 = lo, x2 = x3 ^ pre->f2,
 * x3 = pre->f3). The vector paths start from there at round 3 and make 16
 * of the 20 32 x 32 -> 64-bit products of a block per stream. The words
 * are the same as heads_generic's (tested path by path). */
typedef struct head_prefix {
    uint32_t a, e2, f0, f2, f3;
} head_prefix;

static head_prefix head_prefix_of(uint32_t b, uint32_t c2, uint32_t c3, uint64_t seed)
{
    const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    /* round 0: x = (b, s, c2, c3) */
    const uint64_t p0 = (uint64_t)PHILOX_M0 * b, p1 = (uint64_t)PHILOX_M1 * c2;
    const uint32_t a = (uint32_t)(p1 >> 32) ^ k0; /* x0 = s ^ a */
    const uint32_t x1 = (uint32_t)p1, x2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1, x3 = (uint32_t)p0;
    /* round 1: x0 varies, x2 is shared */
    const uint64_t q1 = (uint64_t)PHILOX_M1 * x2;
    const uint32_t y0 = (uint32_t)(q1 >> 32) ^ x1 ^ (k0 + PHILOX_W0);
    const uint32_t y1 = (uint32_t)q1;
    const uint32_t e2 = x3 ^ (k1 + PHILOX_W1);
    /* round 2: y0 is shared, y2 varies */
    const uint64_t r0 = (uint64_t)PHILOX_M0 * y0;
    return (head_prefix){
        .a = a,
        .e2 = e2,
        .f0 = y1 ^ (k0 + 2 * PHILOX_W0),
        .f2 = (uint32_t)(r0 >> 32) ^ (k1 + 2 * PHILOX_W1),
        .f3 = (uint32_t)r0,
    };
}

/* The high half of each 64-bit lane moved into its low half: the high
 * words of _mm256_mul_epu32's products, as heads_avx2 holds words (the
 * high half of a lane is left as it was; it is never read). */
__attribute__((target("avx2"))) static inline __m256i hi_down(__m256i p)
{
    return _mm256_shuffle_epi32(p, _MM_SHUFFLE(3, 3, 1, 1));
}

/* Blocks b and b + 1 of 8 streams (substreams sv_even and sv_odd: the even
 * and the odd streams, each in the low half of a 64-bit lane): four
 * independent chains of rounds, (parity, block), run in one round loop so
 * that the chains' multiplications hide each other's latency. A chain's
 * four words are held in two vectors, a stream's (x0, x1) in one 64-bit
 * lane of xa[c] (x0 low) and (x2, x3) in xb[c]: a round is then
 * _mm256_mul_epu32 of each (it reads x0, x2), the product's halves swapped
 * (the high word becomes the new x0 or x2, the low word the new x1 or x3)
 * and an xor of the old x1 or x3 shifted down with the key, done off the
 * chain. A 64-bit lane of xa and xb is at the end a stream's words (x0, x1)
 * and (x2, x3) in memory order. */
__attribute__((target("avx2"), always_inline)) static inline void
heads_chains(const head_prefix *pre, __m256i sv_even, __m256i sv_odd, const __m256i *k0,
             const __m256i *k1, __m256i xa[4], __m256i xb[4])
{
    enum { ROUNDS = 7 }; /* rounds 3 .. 9 */
    const __m256i m0 = _mm256_set1_epi64x(PHILOX_M0), m1 = _mm256_set1_epi64x(PHILOX_M1);
#pragma GCC unroll 4
    for (unsigned c = 0; c < 4; c++) { /* chain c = 2 x parity + block */
        const head_prefix *h = &pre[c & 1];
        const __m256i sv = (c >> 1) ? sv_odd : sv_even;
        const __m256i p1 = _mm256_mul_epu32(_mm256_xor_si256(sv, _mm256_set1_epi32((int)h->a)), m0);
        const __m256i v2 = _mm256_xor_si256(hi_down(p1), _mm256_set1_epi32((int)h->e2));
        const __m256i p2 = _mm256_mul_epu32(v2, m1);
        xa[c] = _mm256_xor_si256(_mm256_shuffle_epi32(p2, _MM_SHUFFLE(2, 3, 0, 1)),
                                 _mm256_set1_epi64x(h->f0));
        xb[c] = _mm256_blend_epi32(_mm256_xor_si256(p1, _mm256_set1_epi32((int)h->f2)),
                                   _mm256_set1_epi32((int)h->f3), 0xAA);
    }
#pragma GCC unroll 7
    for (unsigned r = 0; r < ROUNDS; r++) {
#pragma GCC unroll 4
        for (unsigned c = 0; c < 4; c++) {
            const __m256i u1 = _mm256_xor_si256(_mm256_srli_epi64(xa[c], 32), k0[r]);
            const __m256i u3 = _mm256_xor_si256(_mm256_srli_epi64(xb[c], 32), k1[r]);
            const __m256i p0 = _mm256_mul_epu32(xa[c], m0);
            const __m256i p1 = _mm256_mul_epu32(xb[c], m1);
            xa[c] = _mm256_xor_si256(_mm256_shuffle_epi32(p1, _MM_SHUFFLE(2, 3, 0, 1)), u1);
            xb[c] = _mm256_xor_si256(_mm256_shuffle_epi32(p0, _MM_SHUFFLE(2, 3, 0, 1)), u3);
        }
    }
}

/* rmc_philox_heads for CPUs with AVX2: 8 streams a pass, the even streams
 * in one vector and the odd ones in another, a stream's substream in the
 * low half of a 64-bit lane (_mm256_mul_epu32 reads only those), so a
 * product is one multiplication for 4 streams, where 8 streams in 32-bit
 * lanes take two multiplications, three shifts and two blends (as an
 * earlier AVX-512 path did for 16, slower on a Sapphire Rapids-class
 * Xeon than these four chains: bench/RESULTS.md). Two blocks at a time make four chains of rounds
 * (heads_chains), whose two vectors a chain are unpacked into a stream's
 * block a 128-bit half and joined by a 128-bit permutation into its blocks
 * b and b + 1, stored as 32 bytes. Written out for blocks = 2 and 4
 * (heads_avx2) so that every loop unrolls. */
__attribute__((target("avx2"), always_inline)) static inline void
heads_avx2_n(uint64_t seed, uint64_t replicate, unsigned purpose, const int32_t *sub, size_t n,
             unsigned blocks, uint32_t *out)
{
    enum { ROUNDS = 7 };
    const size_t stride = 4 * (size_t)blocks;
    head_prefix pre[RMC_PHILOX_HEAD_MAX_BLOCKS];
    for (unsigned b = 0; b < blocks; b++) {
        pre[b] = head_prefix_of(b, (uint32_t)replicate, head_ctr3(replicate, purpose), seed);
    }
    __m256i k0[ROUNDS], k1[ROUNDS];
    for (unsigned r = 0; r < ROUNDS; r++) {
        k0[r] = _mm256_set1_epi64x((uint32_t)seed + (r + 3) * PHILOX_W0);
        k1[r] = _mm256_set1_epi64x((uint32_t)(seed >> 32) + (r + 3) * PHILOX_W1);
    }
    for (size_t i = 0; i < n; i += 8) {
        const size_t lanes = n - i < 8 ? n - i : 8;
        __m256i sv;
        if (lanes == 8) {
            sv = _mm256_loadu_si256((const __m256i *)(const void *)(sub + i));
        } else {
            const __m256i k = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)lanes),
                                                 _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
            sv = _mm256_maskload_epi32((const int *)(sub + i), k);
        }
        const __m256i odd = _mm256_srli_epi64(sv, 32);
        uint32_t *const o = out + i * stride;
#pragma GCC unroll 2
        for (unsigned b = 0; b < blocks; b += 2) {
            __m256i xa[4], xb[4];
            heads_chains(pre + b, sv, odd, k0, k1, xa, xb);
            /* r[parity][q][h]: h = 0 streams (parity, parity + 4), h = 1
             * streams (parity + 2, parity + 6) of block b + q, a stream's
             * block in a 128-bit half */
            __m256i r[2][2][2];
#pragma GCC unroll 4
            for (unsigned c = 0; c < 4; c++) {
                r[c >> 1][c & 1][0] = _mm256_unpacklo_epi64(xa[c], xb[c]);
                r[c >> 1][c & 1][1] = _mm256_unpackhi_epi64(xa[c], xb[c]);
            }
            __m256i row[8]; /* stream l's blocks b, b + 1 */
#pragma GCC unroll 2
            for (unsigned hh = 0; hh < 2; hh++) {
#pragma GCC unroll 2
                for (unsigned h = 0; h < 2; h++) {
                    const unsigned l = hh + 2 * h; /* and l + 4 */
                    row[l] = _mm256_permute2x128_si256(r[hh][0][h], r[hh][1][h], 0x20);
                    row[l + 4] = _mm256_permute2x128_si256(r[hh][0][h], r[hh][1][h], 0x31);
                }
            }
            if (lanes == 8) {
#pragma GCC unroll 8
                for (unsigned l = 0; l < 8; l++) {
                    _mm256_storeu_si256((__m256i *)(void *)(o + stride * l + 4 * b), row[l]);
                }
            } else {
                for (size_t l = 0; l < lanes; l++) {
                    _mm256_storeu_si256((__m256i *)(void *)(o + stride * l + 4 * b), row[l]);
                }
            }
        }
    }
}

__attribute__((target("avx2"))) static void heads_avx2(uint64_t seed, uint64_t replicate,
                                                       unsigned purpose, const int32_t *sub,
                                                       size_t n, unsigned blocks, uint32_t *out)
{
    if (blocks == 2) {
        heads_avx2_n(seed, replicate, purpose, sub, n, 2, out);
    } else {
        heads_avx2_n(seed, replicate, purpose, sub, n, 4, out);
    }
}

/* heads_chains with AVX-512F: the same four chains of rounds, 8 streams
 * of a parity in the eight 64-bit lanes of a vector (16 streams a pass). */
__attribute__((target("avx512f"), always_inline)) static inline void
heads_chains512(const head_prefix *pre, __m512i sv_even, __m512i sv_odd, const __m512i *k0,
                const __m512i *k1, __m512i xa[4], __m512i xb[4])
{
    enum { ROUNDS = 7 }; /* rounds 3 .. 9 */
    const __m512i m0 = _mm512_set1_epi64(PHILOX_M0), m1 = _mm512_set1_epi64(PHILOX_M1);
#pragma GCC unroll 4
    for (unsigned c = 0; c < 4; c++) { /* chain c = 2 x parity + block */
        const head_prefix *h = &pre[c & 1];
        const __m512i sv = (c >> 1) ? sv_odd : sv_even;
        const __m512i p1 = _mm512_mul_epu32(_mm512_xor_si512(sv, _mm512_set1_epi32((int)h->a)), m0);
        const __m512i v2 = _mm512_xor_si512(_mm512_shuffle_epi32(p1, _MM_PERM_DDBB),
                                            _mm512_set1_epi32((int)h->e2));
        const __m512i p2 = _mm512_mul_epu32(v2, m1);
        xa[c] = _mm512_xor_si512(_mm512_shuffle_epi32(p2, _MM_PERM_CDAB), _mm512_set1_epi64(h->f0));
        xb[c] = _mm512_mask_blend_epi32(0xAAAA, _mm512_xor_si512(p1, _mm512_set1_epi32((int)h->f2)),
                                        _mm512_set1_epi32((int)h->f3));
    }
#pragma GCC unroll 7
    for (unsigned r = 0; r < ROUNDS; r++) {
#pragma GCC unroll 4
        for (unsigned c = 0; c < 4; c++) {
            const __m512i u1 = _mm512_xor_si512(_mm512_srli_epi64(xa[c], 32), k0[r]);
            const __m512i u3 = _mm512_xor_si512(_mm512_srli_epi64(xb[c], 32), k1[r]);
            const __m512i p0 = _mm512_mul_epu32(xa[c], m0);
            const __m512i p1 = _mm512_mul_epu32(xb[c], m1);
            xa[c] = _mm512_xor_si512(_mm512_shuffle_epi32(p1, _MM_PERM_CDAB), u1);
            xb[c] = _mm512_xor_si512(_mm512_shuffle_epi32(p0, _MM_PERM_CDAB), u3);
        }
    }
}

/* rmc_philox_heads for CPUs with AVX-512F: heads_avx2_n's design, 16
 * streams a pass. A chain's xa and xb unpacked give, in 128-bit lane k,
 * one stream's block (stream parity + 4k, or + 4k + 2); one two-source
 * permutation of blocks b and b + 1 joins a stream's two blocks into 32
 * bytes, two streams a vector. */
__attribute__((target("avx512f"), always_inline)) static inline void
heads_avx512_n(uint64_t seed, uint64_t replicate, unsigned purpose, const int32_t *sub, size_t n,
               unsigned blocks, uint32_t *out)
{
    enum { ROUNDS = 7 };
    const size_t stride = 4 * (size_t)blocks;
    head_prefix pre[RMC_PHILOX_HEAD_MAX_BLOCKS];
    for (unsigned b = 0; b < blocks; b++) {
        pre[b] = head_prefix_of(b, (uint32_t)replicate, head_ctr3(replicate, purpose), seed);
    }
    __m512i k0[ROUNDS], k1[ROUNDS];
    for (unsigned r = 0; r < ROUNDS; r++) {
        k0[r] = _mm512_set1_epi64((uint32_t)seed + (r + 3) * PHILOX_W0);
        k1[r] = _mm512_set1_epi64((uint32_t)(seed >> 32) + (r + 3) * PHILOX_W1);
    }
    /* 64-bit lanes of (r0, r1): 128-bit lanes k of r0 and r1, then k + 1 */
    const __m512i join_lo = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11);
    const __m512i join_hi = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
    for (size_t i = 0; i < n; i += 16) {
        const size_t lanes = n - i < 16 ? n - i : 16;
        const __m512i sv = _mm512_maskz_loadu_epi32((__mmask16)((1u << lanes) - 1u), sub + i);
        const __m512i odd = _mm512_srli_epi64(sv, 32);
        uint32_t *const o = out + i * stride;
#pragma GCC unroll 2
        for (unsigned b = 0; b < blocks; b += 2) {
            __m512i xa[4], xb[4];
            heads_chains512(pre + b, sv, odd, k0, k1, xa, xb);
            /* chain c = 2 x parity + q; h = 0: streams parity + 4k, h = 1:
             * parity + 4k + 2 (k = 0 .. 3) */
#pragma GCC unroll 2
            for (unsigned par = 0; par < 2; par++) {
#pragma GCC unroll 2
                for (unsigned h = 0; h < 2; h++) {
                    const __m512i r0 = h ? _mm512_unpackhi_epi64(xa[2 * par], xb[2 * par])
                                         : _mm512_unpacklo_epi64(xa[2 * par], xb[2 * par]);
                    const __m512i r1 = h ? _mm512_unpackhi_epi64(xa[2 * par + 1], xb[2 * par + 1])
                                         : _mm512_unpacklo_epi64(xa[2 * par + 1], xb[2 * par + 1]);
                    const __m512i j[2] = {_mm512_permutex2var_epi64(r0, join_lo, r1),
                                          _mm512_permutex2var_epi64(r0, join_hi, r1)};
#pragma GCC unroll 4
                    for (unsigned k = 0; k < 4; k++) {
                        const size_t l = par + 4 * k + 2 * h;
                        if (l < lanes) {
                            const __m256i v = (k & 1) ? _mm512_extracti64x4_epi64(j[k >> 1], 1)
                                                      : _mm512_castsi512_si256(j[k >> 1]);
                            _mm256_storeu_si256((__m256i *)(void *)(o + stride * l + 4 * b), v);
                        }
                    }
                }
            }
        }
    }
}

__attribute__((target("avx512f"))) static void heads_avx512(uint64_t seed, uint64_t replicate,
                                                            unsigned purpose, const int32_t *sub,
                                                            size_t n, unsigned blocks,
                                                            uint32_t *out)
{
    if (blocks == 2) {
        heads_avx512_n(seed, replicate, purpose, sub, n, 2, out);
    } else {
        heads_avx512_n(seed, replicate, purpose, sub, n, 4, out);
    }
}

void rmc_philox_heads(uint64_t seed, uint64_t replicate, unsigned purpose, const int32_t *sub,
                      size_t n, unsigned blocks, uint32_t *out)
{
    RMC_ASSERT(blocks == 2 || blocks == 4);
    if (__builtin_cpu_supports("avx512f")) {
        heads_avx512(seed, replicate, purpose, sub, n, blocks, out);
    } else if (__builtin_cpu_supports("avx2")) {
        heads_avx2(seed, replicate, purpose, sub, n, blocks, out);
    } else {
        heads_generic(seed, replicate, purpose, sub, n, blocks, out);
    }
}

bool rmc_philox_heads_by(unsigned path, uint64_t seed, uint64_t replicate, unsigned purpose,
                         const int32_t *sub, size_t n, unsigned blocks, uint32_t *out)
{
    RMC_ASSERT(blocks == 2 || blocks == 4);
    if (path == 0) {
        heads_generic(seed, replicate, purpose, sub, n, blocks, out);
    } else if (path == 1 && __builtin_cpu_supports("avx2")) {
        heads_avx2(seed, replicate, purpose, sub, n, blocks, out);
    } else if (path == 2 && __builtin_cpu_supports("avx512f")) {
        heads_avx512(seed, replicate, purpose, sub, n, blocks, out);
    } else {
        return false;
    }
    return true;
}

/* The first refill after a seek makes one block (4 words, scalar) at the
 * end of the buffer: many streams (a name's discussion at a meeting, an
 * applicant's taste shocks) need only a few words, and a seek per name is
 * the price of common random numbers. Later refills make every block at
 * once. The words handed out are the same either way. */
void rmc_philox_refill(rmc_philox *s)
{
    const bool avx2 = __builtin_cpu_supports("avx2");
    if (s->fresh) {
        const philox4x32_ctr_t c = {{s->ctr[0], s->ctr[1], s->ctr[2], s->ctr[3]}};
        const philox4x32_key_t k = {{s->key[0], s->key[1]}};
        const philox4x32_ctr_t out = philox4x32(c, k);
        memcpy(s->buf + RMC_PHILOX_WORDS - 4, out.v, sizeof out.v);
        s->ctr[0] += 1;
        s->pos = RMC_PHILOX_WORDS - 4;
        s->fresh = 0;
        return;
    }
    if (avx2) {
        philox8_avx2(s->ctr, s->key, s->buf, RMC_PHILOX_BLOCKS);
    } else {
        rmc_philox_generic(s->ctr, s->key, s->buf, RMC_PHILOX_BLOCKS);
    }
    s->ctr[0] += RMC_PHILOX_BLOCKS;
    s->pos = 0;
}

static unsigned long philox_get(void *vstate)
{
    return rmc_philox_word(vstate);
}

static double philox_get_double(void *vstate)
{
    /* [0, 1) with 32-bit resolution, as GSL's own 32-bit generators give. */
    return rmc_philox_uniform(vstate);
}

/* Ziggurat of the half density f(x) = exp(-x^2/2) (Marsaglia and Tsang
 * 2000) in 128 layers of equal area V: layer 0 is the base (the rectangle
 * [0, R] x [0, f(R)] plus the tail beyond R, together of area V, so its
 * pseudo-width is V / f(R)); layer i >= 1 spans [f(x_i), f(x_{i-1})] in
 * height with outer edge x_i, x_127 = R, and x_{i-1} from f(x_{i-1}) =
 * f(x_i) + V / x_i. A magnitude j in [0, 2^24) maps to x = j x_i / 2^24 and
 * is inside the layer's rectangle when x < x_{i-1}. */
#define ZIG_R 3.442619855899
#define ZIG_V 9.91256303526217e-3

static void ziggurat_tables(rmc_philox *s)
{
    const double m = 0x1p24, base = ZIG_V / exp(-0.5 * ZIG_R * ZIG_R);
    double outer = ZIG_R;
    s->zig_k[0] = (uint32_t)(ZIG_R / base * m);
    s->zig_w[0] = base / m;
    s->zig_f[0] = 1.0;
    s->zig_w[RMC_ZIG_LAYERS - 1] = ZIG_R / m;
    s->zig_f[RMC_ZIG_LAYERS - 1] = exp(-0.5 * ZIG_R * ZIG_R);
    for (unsigned i = RMC_ZIG_LAYERS - 2; i >= 1; i--) {
        const double inner = sqrt(-2.0 * log(ZIG_V / outer + exp(-0.5 * outer * outer)));
        s->zig_k[i + 1] = (uint32_t)(inner / outer * m);
        s->zig_w[i] = inner / m;
        s->zig_f[i] = exp(-0.5 * inner * inner);
        outer = inner;
    }
    s->zig_k[1] = 0;
}

/* The exponential's ziggurat, built the same way for f(x) = exp(-x) with
 * 256 layers: f(x_{i-1}) = f(x_i) + V / x_i, x_255 = R. */
#define ZIGE_R 7.697117470131487
#define ZIGE_V 3.949659822581572e-3

static void exp_ziggurat_tables(rmc_philox *s)
{
    const double m = 0x1p24, base = ZIGE_V / exp(-ZIGE_R);
    double outer = ZIGE_R;
    s->zige_k[0] = (uint32_t)(ZIGE_R / base * m);
    s->zige_w[0] = base / m;
    s->zige_f[0] = 1.0;
    s->zige_w[RMC_ZIGE_LAYERS - 1] = ZIGE_R / m;
    s->zige_f[RMC_ZIGE_LAYERS - 1] = exp(-ZIGE_R);
    for (unsigned i = RMC_ZIGE_LAYERS - 2; i >= 1; i--) {
        const double inner = -log(ZIGE_V / outer + exp(-outer));
        s->zige_k[i + 1] = (uint32_t)(inner / outer * m);
        s->zige_w[i] = inner / m;
        s->zige_f[i] = exp(-inner);
        outer = inner;
    }
    s->zige_k[1] = 0;
}

double rmc_philox_exp1_slow(rmc_philox *s, uint32_t w)
{
    for (;;) {
        const unsigned i = w & (RMC_ZIGE_LAYERS - 1);
        const uint32_t j = w >> 8;
        const double x = ((double)j + 0.5) * s->zige_w[i];
        if (j < s->zige_k[i]) {
            return x;
        }
        if (i == 0) {
            /* the tail beyond R is R + Exp(1) (memoryless) */
            return ZIGE_R - log(rmc_philox_uniform_pos(s));
        }
        const double f_out = s->zige_f[i], f_in = s->zige_f[i - 1];
        if (f_out + rmc_philox_uniform(s) * (f_in - f_out) < exp(-x)) {
            return x;
        }
        w = rmc_philox_word(s);
    }
}

double rmc_philox_normal_slow(rmc_philox *s, uint32_t w)
{
    for (;;) {
        const unsigned i = w & (RMC_ZIG_LAYERS - 1);
        const uint32_t j = w >> 8;
        double x = (double)j * s->zig_w[i];
        if (j < s->zig_k[i]) {
            return (w & 0x80) ? x : -x;
        }
        if (i == 0) {
            /* the tail beyond R (Marsaglia 1964) */
            double y;
            do {
                x = -log(rmc_philox_uniform_pos(s)) / ZIG_R;
                y = -log(rmc_philox_uniform_pos(s));
            } while (y + y < x * x);
            x += ZIG_R;
            return (w & 0x80) ? x : -x;
        }
        const double f_out = s->zig_f[i], f_in = s->zig_f[i - 1];
        if (f_out + rmc_philox_uniform(s) * (f_in - f_out) < exp(-0.5 * x * x)) {
            return (w & 0x80) ? x : -x;
        }
        w = rmc_philox_word(s);
    }
}

static void philox_set(void *vstate, unsigned long seed)
{
    rmc_philox *s = vstate;
    memset(s, 0, sizeof *s);
    ziggurat_tables(s);
    exp_ziggurat_tables(s);
    s->key[0] = (uint32_t)seed;
    s->key[1] = (uint32_t)((uint64_t)seed >> 32);
    s->pos = RMC_PHILOX_WORDS;
    s->fresh = 1;
}

static const gsl_rng_type philox_type = {
    "philox4x32", 0xffffffffUL, 0, sizeof(rmc_philox), philox_set, philox_get, philox_get_double,
};

struct rmc_rng {
    gsl_rng *g; /* owns the generator state */
};

rmc_status rmc_rng_alloc(const char *name, rmc_rng **out, rmc_diag *d)
{
    *out = NULL;
    if (name != NULL && strcmp(name, philox_type.name) != 0) {
        return RMC_FAIL(d, RMC_EUSAGE, "unknown generator '%s' (available: %s)", name,
                        philox_type.name);
    }
    rmc_rng *r = NULL;
    RMC_TRY(rmc_calloc_array((void **)&r, 1, sizeof *r, d));
    r->g = gsl_rng_alloc(&philox_type);
    if (r->g == NULL) {
        rmc_free(r);
        return RMC_FAIL(d, RMC_ENOMEM, "out of memory allocating a generator");
    }
    *out = r;
    return RMC_OK;
}

void rmc_rng_free(rmc_rng *r)
{
    if (r == NULL) {
        return;
    }
    gsl_rng_free(r->g);
    rmc_free(r);
}

void rmc_rng_seek(rmc_rng *r, uint64_t seed, uint64_t replicate, rmc_stream_purpose purpose,
                  uint32_t substream)
{
    RMC_ASSERT(replicate < (UINT64_C(1) << 48));
    rmc_philox *s = r->g->state;
    s->key[0] = (uint32_t)seed;
    s->key[1] = (uint32_t)(seed >> 32);
    s->ctr[0] = 0;
    s->ctr[1] = substream;
    s->ctr[2] = (uint32_t)replicate;
    s->ctr[3] = ((uint32_t)purpose << 16) | (uint32_t)(replicate >> 32);
    s->pos = RMC_PHILOX_WORDS;
    s->fresh = 1;
}

gsl_rng *rmc_rng_gsl(rmc_rng *r)
{
    return r->g;
}

const char *rmc_rng_name(const rmc_rng *r)
{
    return gsl_rng_name(r->g);
}

rmc_philox *rmc_rng_philox(rmc_rng *r)
{
    return r->g->state;
}

void rmc_rng_words(rmc_rng *r, uint32_t *out, size_t n)
{
    rmc_philox *s = r->g->state;
    while (n > 0) {
        if (s->pos == RMC_PHILOX_WORDS) {
            rmc_philox_refill(s);
        }
        const size_t avail = RMC_PHILOX_WORDS - s->pos, take = avail < n ? avail : n;
        memcpy(out, s->buf + s->pos, take * sizeof *out);
        s->pos += (unsigned)take;
        out += take;
        n -= take;
    }
}

void rmc_rng_uniforms(rmc_rng *r, double *out, size_t n)
{
    rmc_philox *s = r->g->state;
    while (n > 0) {
        if (s->pos == RMC_PHILOX_WORDS) {
            rmc_philox_refill(s);
        }
        const size_t avail = RMC_PHILOX_WORDS - s->pos, take = avail < n ? avail : n;
        const uint32_t *w = s->buf + s->pos;
        for (size_t t = 0; t < take; t++) {
            out[t] = (double)w[t] * 0x1p-32;
        }
        s->pos += (unsigned)take;
        out += take;
        n -= take;
    }
}
