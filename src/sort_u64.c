/* The list sort the meetings and the ROLs share (sort_int.h): ascending
 * order of packed uint64 words, (float key, index) pairs as meeting_int.h
 * packs them, so no comparator is called and the order does not depend on
 * stability (every word is distinct). Short lists by insertion sort; longer
 * ones by a branch-free sorting network on runs of 8 and branch-free
 * bottom-up merges (two runs of equal length merged from both ends at
 * once, without bounds checks); a list close to sorted (a meeting's final
 * keys) by insertion sort under a budget of shifts. On CPUs with AVX-512F
 * (chosen at run time) blocks of up to 128 words are sorted by a bitonic
 * network in registers instead, 3.5 times faster per word for a list of
 * 86; on CPUs with AVX2 but not AVX-512F blocks of up to 64 words by a
 * network in AVX2 registers and the blocks merged 8 words a step in
 * registers, 2.4 times faster at 86 words and 2.7 at 12 (bench/RESULTS.md).
 * Every path gives the same order.
 */
#include <stdbool.h>
#include <string.h>

#include "sort_int.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define SORT_X86 1 /* the AVX-512F and AVX2 paths, chosen at run time */
#endif

/* Insert a[i] into the sorted a[0 .. i); returns how many places it moved. */
static inline size_t insert_one(uint64_t *a, size_t i)
{
    const uint64_t v = a[i];
    size_t j = i;
    while (j > 0 && a[j - 1] > v) {
        a[j] = a[j - 1];
        j--;
    }
    a[j] = v;
    return i - j;
}

static inline void insertion_sort(uint64_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        insert_one(a, i);
    }
}

static void merge(const uint64_t *src, uint64_t *dst, size_t lo, size_t mid, size_t hi)
{
    size_t i = lo, j = mid, o = lo;
    while (i < mid && j < hi) {
        const uint64_t a = src[i], b = src[j];
        const int take_b = b < a;
        dst[o++] = take_b ? b : a;
        i += (size_t)!take_b;
        j += (size_t)take_b;
    }
    while (i < mid) {
        dst[o++] = src[i++];
    }
    while (j < hi) {
        dst[o++] = src[j++];
    }
}

/* Merge two runs of equal length h = (hi - lo) / 2 from both ends: each
 * step writes the smallest word left at the front and the largest at the
 * back. No bounds checks are needed: after t < h front steps the front has
 * taken the t smallest words, so neither run (h words each) is used up,
 * and likewise at the back; after h steps of each every word is written
 * once (the words are distinct). */
static void merge_equal(const uint64_t *src, uint64_t *dst, size_t lo, size_t hi)
{
    const size_t h = (hi - lo) / 2;
    const uint64_t *a = src + lo, *b = src + lo + h;                 /* fronts */
    const uint64_t *a_end = src + lo + h - 1, *b_end = src + hi - 1; /* backs */
    uint64_t *out = dst + lo, *out_end = dst + hi - 1;
    for (size_t t = 0; t < h; t++) {
        const uint64_t x = *a, y = *b;
        const int take_b = y < x;
        *out++ = take_b ? y : x;
        a += !take_b;
        b += take_b;
        const uint64_t u = *a_end, v = *b_end;
        const int take_a = u > v;
        *out_end-- = take_a ? u : v;
        a_end -= take_a;
        b_end -= !take_a;
    }
}

/* Compare-exchange without a branch (the compiler emits cmov). */
#define CSWAP(x, y)                                                                                \
    do {                                                                                           \
        const uint64_t lo_ = (x) < (y) ? (x) : (y), hi_ = (x) < (y) ? (y) : (x);                   \
        (x) = lo_;                                                                                 \
        (y) = hi_;                                                                                 \
    } while (0)

/* The 19-comparator network for 8 (the fewest; Knuth, TAOCP 5.3.4), as
 * CX(i, j) steps: the portable runs of 8 and the AVX2 path's columns
 * (v2_columns8) both expand it. */
#define NETWORK8(CX)                                                                               \
    CX(0, 2);                                                                                      \
    CX(1, 3);                                                                                      \
    CX(4, 6);                                                                                      \
    CX(5, 7);                                                                                      \
    CX(0, 4);                                                                                      \
    CX(1, 5);                                                                                      \
    CX(2, 6);                                                                                      \
    CX(3, 7);                                                                                      \
    CX(0, 1);                                                                                      \
    CX(2, 3);                                                                                      \
    CX(4, 5);                                                                                      \
    CX(6, 7);                                                                                      \
    CX(2, 4);                                                                                      \
    CX(3, 5);                                                                                      \
    CX(1, 4);                                                                                      \
    CX(3, 6);                                                                                      \
    CX(1, 2);                                                                                      \
    CX(3, 4);                                                                                      \
    CX(5, 6)

/* Sort runs of 8 in place by NETWORK8 on eight locals x0 .. x7; a short
 * last run by insertion. */
static void sort_runs8(uint64_t *a, size_t n)
{
    size_t lo = 0;
    for (; lo + 8 <= n; lo += 8) {
        uint64_t x0 = a[lo], x1 = a[lo + 1], x2 = a[lo + 2], x3 = a[lo + 3];
        uint64_t x4 = a[lo + 4], x5 = a[lo + 5], x6 = a[lo + 6], x7 = a[lo + 7];
#define X_CSWAP(i, j) CSWAP(x##i, x##j)
        NETWORK8(X_CSWAP);
#undef X_CSWAP
        a[lo] = x0;
        a[lo + 1] = x1;
        a[lo + 2] = x2;
        a[lo + 3] = x3;
        a[lo + 4] = x4;
        a[lo + 5] = x5;
        a[lo + 6] = x6;
        a[lo + 7] = x7;
    }
    insertion_sort(a + lo, n - lo);
}

#ifdef SORT_X86
/* Blocks of up to VBLOCK words sorted in AVX-512 registers: a bitonic
 * network on R = 1, 2, 4, 8 or 16 registers of 8 words, the words past n
 * padded with UINT64_MAX. Every comparator puts the smaller word at the
 * lower index: each merge of two sorted blocks of s/2 first compares word i
 * with word i ^ (s - 1) (the second half reversed), then half-cleaners at
 * distances s/4, ..., 1. A pair inside a register is a permutation, a
 * min, a max and a blend; a pair of registers a min and a max (and two
 * reversals for the first step). */
enum { VBLOCK = 128 };

/* Word l against word l ^ m inside each of the regs registers (m < 8, top
 * its highest bit): lanes with bit top take the max. Inlined with constant
 * arguments, so the permutation, the mask and the loop unroll away. */
__attribute__((target("avx512f"), always_inline)) static inline void
vx_lanes(__m512i *v, size_t regs, unsigned m, unsigned top)
{
    const __m512i idx = _mm512_set_epi64(7 ^ m, 6 ^ m, 5 ^ m, 4 ^ m, 3 ^ m, 2 ^ m, 1 ^ m, 0 ^ m);
    const __mmask8 upper = (__mmask8)(top == 1 ? 0xAA : top == 2 ? 0xCC : 0xF0);
#pragma GCC unroll 16
    for (size_t r = 0; r < regs; r++) {
        const __m512i p = _mm512_permutexvar_epi64(idx, v[r]);
        v[r] = _mm512_mask_blend_epi64(upper, _mm512_min_epu64(v[r], p), _mm512_max_epu64(v[r], p));
    }
}

__attribute__((target("avx512f"), always_inline)) static inline void vsort_regs(__m512i *v,
                                                                                size_t regs)
{
    const __m512i rev = _mm512_set_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    vx_lanes(v, regs, 1, 1); /* s = 2 */
    vx_lanes(v, regs, 3, 2); /* s = 4 */
    vx_lanes(v, regs, 1, 1);
    vx_lanes(v, regs, 7, 4); /* s = 8 */
    vx_lanes(v, regs, 2, 2);
    vx_lanes(v, regs, 1, 1);
#pragma GCC unroll 4
    for (size_t s = 16; s <= 8 * regs; s *= 2) {
        const size_t rs = s / 8; /* blocks of rs registers: q against its mirror, reversed */
#pragma GCC unroll 16
        for (size_t b = 0; b < regs; b += rs) {
#pragma GCC unroll 8
            for (size_t q = 0; q < rs / 2; q++) {
                __m512i *x = &v[b + q], *y = &v[b + rs - 1 - q];
                const __m512i yr = _mm512_permutexvar_epi64(rev, *y);
                const __m512i lo = _mm512_min_epu64(*x, yr), hi = _mm512_max_epu64(*x, yr);
                *x = lo;
                *y = _mm512_permutexvar_epi64(rev, hi);
            }
        }
#pragma GCC unroll 4
        for (size_t d = s / 4; d >= 8; d /= 2) { /* half-cleaners across registers */
            const size_t rd = d / 8;
#pragma GCC unroll 16
            for (size_t r = 0; r < regs; r++) {
                if ((r & rd) == 0) {
                    const __m512i lo = _mm512_min_epu64(v[r], v[r + rd]);
                    v[r + rd] = _mm512_max_epu64(v[r], v[r + rd]);
                    v[r] = lo;
                }
            }
        }
        vx_lanes(v, regs, 4, 4);
        vx_lanes(v, regs, 2, 2);
        vx_lanes(v, regs, 1, 1);
    }
}

/* Sort a[0 .. n), n <= 8 regs, in regs registers. */
__attribute__((target("avx512f"), always_inline)) static inline void vsort_n(uint64_t *a, size_t n,
                                                                             size_t regs)
{
    __m512i v[VBLOCK / 8];
    const __m512i pad = _mm512_set1_epi64(-1);
#pragma GCC unroll 16
    for (size_t r = 0; r < regs; r++) {
        const size_t left = r * 8 < n ? n - r * 8 : 0;
        const __mmask8 k = (__mmask8)(left >= 8 ? 0xFFu : (1u << left) - 1u);
        v[r] = _mm512_mask_loadu_epi64(pad, k, a + r * 8);
    }
    vsort_regs(v, regs);
#pragma GCC unroll 16
    for (size_t r = 0; r < regs; r++) {
        const size_t left = r * 8 < n ? n - r * 8 : 0;
        const __mmask8 k = (__mmask8)(left >= 8 ? 0xFFu : (1u << left) - 1u);
        _mm512_mask_storeu_epi64(a + r * 8, k, v[r]);
    }
}

/* Sort a[0 .. n), 1 <= n <= VBLOCK, in the fewest registers (a power of
 * two), each count its own unrolled network. */
__attribute__((target("avx512f"))) static void vsort_block(uint64_t *a, size_t n)
{
    if (n <= 8) {
        vsort_n(a, n, 1);
    } else if (n <= 16) {
        vsort_n(a, n, 2);
    } else if (n <= 32) {
        vsort_n(a, n, 4);
    } else if (n <= 64) {
        vsort_n(a, n, 8);
    } else {
        vsort_n(a, n, 16);
    }
}
#endif

#ifdef SORT_X86
/* Blocks of up to V2BLOCK words sorted in AVX2 registers of 4 words. AVX2
 * has no unsigned 64-bit compare, so the words are flipped in their top bit
 * on load (x ^ 2^63 orders as signed what x orders as unsigned) and back on
 * store, the words past n padded with UINT64_MAX (flipped: INT64_MAX); a
 * comparator of two registers is a signed compare and two blends. A block
 * of R = 4, 8 or 16 registers is sorted first down its columns (each lane
 * across groups of 4 or 8 registers, by the fewest comparators for 4 and for
 * 8), which needs no permutation; transposing each 4 x 4 square of words
 * turns the columns into sorted runs of 4 or 8 words, and bitonic merges of
 * pairs of runs finish the block: the second run reversed against the
 * first, half-cleaners across registers, then the two steps inside a
 * register done on two registers at a time (their words regrouped by an
 * unpack or a 128-bit permutation so the step is one comparator). */
enum { V2BLOCK = 64, V2GROUP = 16 };

#define V2_INLINE __attribute__((target("avx2"), always_inline)) static inline

V2_INLINE void v2_cx(__m256i *x, __m256i *y)
{
    /* blends of doubles: GCC 12 turns _mm256_blendv_epi8 on a 64-bit
     * compare into a byte compare and a blend */
    const __m256d gt = _mm256_castsi256_pd(_mm256_cmpgt_epi64(*x, *y));
    const __m256d xd = _mm256_castsi256_pd(*x), yd = _mm256_castsi256_pd(*y);
    *x = _mm256_castpd_si256(_mm256_blendv_pd(xd, yd, gt));
    *y = _mm256_castpd_si256(_mm256_blendv_pd(yd, xd, gt));
}

#define V2_CX(i, j) v2_cx(&v[i], &v[j])

/* sort each lane across v[0 .. 4) */
V2_INLINE void v2_columns4(__m256i *v)
{
    V2_CX(0, 1);
    V2_CX(2, 3);
    V2_CX(0, 2);
    V2_CX(1, 3);
    V2_CX(1, 2);
}

/* sort each lane across v[0 .. 8) (NETWORK8) */
V2_INLINE void v2_columns8(__m256i *v)
{
    NETWORK8(V2_CX);
}

/* transpose the 4 x 4 words of v[0 .. 4): v[i] lane l <- v[l] lane i */
V2_INLINE void v2_transpose(__m256i *v)
{
    const __m256i t0 = _mm256_unpacklo_epi64(v[0], v[1]), t1 = _mm256_unpackhi_epi64(v[0], v[1]);
    const __m256i t2 = _mm256_unpacklo_epi64(v[2], v[3]), t3 = _mm256_unpackhi_epi64(v[2], v[3]);
    v[0] = _mm256_permute2x128_si256(t0, t2, 0x20);
    v[1] = _mm256_permute2x128_si256(t1, t3, 0x20);
    v[2] = _mm256_permute2x128_si256(t0, t2, 0x31);
    v[3] = _mm256_permute2x128_si256(t1, t3, 0x31);
}

/* the steps inside a register (lane l against l ^ 2, then l ^ 1) on x and y */
V2_INLINE void v2_lanes(__m256i *x, __m256i *y)
{
    __m256i a = _mm256_permute2x128_si256(*x, *y, 0x20),
            b = _mm256_permute2x128_si256(*x, *y, 0x31);
    v2_cx(&a, &b);
    __m256i c = _mm256_unpacklo_epi64(a, b), d = _mm256_unpackhi_epi64(a, b);
    v2_cx(&c, &d);
    a = _mm256_unpacklo_epi64(c, d);
    b = _mm256_unpackhi_epi64(c, d);
    *x = _mm256_permute2x128_si256(a, b, 0x20);
    *y = _mm256_permute2x128_si256(a, b, 0x31);
}

/* the comparators at distance d registers over w[0 .. m) */
V2_INLINE void v2_stage(__m256i *w, size_t m, size_t d)
{
#pragma GCC unroll 16
    for (size_t r = 0; r < m; r++) {
        if ((r & d) == 0) {
            v2_cx(&w[r], &w[r + d]);
        }
    }
}

/* half-cleaners at distances d, d / 2, ..., 1 register over w[0 .. m), then
 * the steps inside each register: sorts each bitonic run of 2d registers
 * (d a power of two up to 8; written out so that every loop unrolls) */
V2_INLINE void v2_clean(__m256i *w, size_t m, size_t d)
{
    if (d >= 8) {
        v2_stage(w, m, 8);
    }
    if (d >= 4) {
        v2_stage(w, m, 4);
    }
    if (d >= 2) {
        v2_stage(w, m, 2);
    }
    if (d >= 1) {
        v2_stage(w, m, 1);
    }
#pragma GCC unroll 8
    for (size_t r = 0; r < m; r += 2) {
        v2_lanes(&w[r], &w[r + 1]);
    }
}

/* merge the sorted runs w[0 .. k) and w[k .. 2k) into w[0 .. 2k): the upper
 * half of the first step is kept in the order it comes (a bitonic run) */
V2_INLINE void v2_merge(__m256i *w, size_t k)
{
    __m256i rev[V2GROUP / 2];
#pragma GCC unroll 8
    for (size_t q = 0; q < k; q++) {
        rev[q] = _mm256_permute4x64_epi64(w[2 * k - 1 - q], 0x1B);
    }
#pragma GCC unroll 8
    for (size_t q = 0; q < k; q++) {
        v2_cx(&w[q], &rev[q]);
        w[k + q] = rev[q];
    }
    v2_clean(w, 2 * k, k / 2);
}

/* sort v[0 .. regs), regs = 4, 8 or 16, as one list of 4 regs words */
V2_INLINE void v2_sort_regs(__m256i *v, size_t regs)
{
    __m256i w[V2GROUP];
    if (regs == 4) { /* runs of 1 register */
        v2_columns4(v);
        v2_transpose(v);
#pragma GCC unroll 4
        for (size_t r = 0; r < 4; r++) {
            w[r] = v[r];
        }
        v2_merge(w, 1);
        v2_merge(w + 2, 1);
        v2_merge(w, 2);
    } else { /* runs of 2 */
        v2_columns8(v);
        if (regs == 16) {
            v2_columns8(v + 8);
        }
#pragma GCC unroll 4
        for (size_t g = 0; g < regs; g += 4) {
            v2_transpose(v + g);
        }
        /* column c of the group of 8 at g is now the run v[g + c], v[g + 4 + c] */
#pragma GCC unroll 16
        for (size_t r = 0; r < regs; r++) {
            w[r] = v[(r & ~(size_t)7) + (r & 1) * 4 + (r & 7) / 2];
        }
#pragma GCC unroll 4
        for (size_t b = 0; b < regs; b += 4) {
            v2_merge(w + b, 2);
        }
        v2_merge(w, 4);
        if (regs == 16) {
            v2_merge(w + 8, 4);
            v2_merge(w, 8);
        }
    }
#pragma GCC unroll 16
    for (size_t r = 0; r < regs; r++) {
        v[r] = w[r];
    }
}

/* v[0 .. regs) <- a[0 .. n) flipped, padded; n <= 4 regs */
V2_INLINE void v2_load(__m256i *v, const uint64_t *a, size_t n, size_t regs)
{
    const __m256i top = _mm256_set1_epi64x(INT64_MIN), pad = _mm256_set1_epi64x(INT64_MAX);
    const size_t full = n / 4, part = n % 4; /* registers filled, words in the next */
#pragma GCC unroll 16
    for (size_t r = 0; r < regs; r++) {
        if (r < full) {
            v[r] = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(a + 4 * r)), top);
        } else if (r == full && part > 0) {
            const __m256i k = _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)part),
                                                 _mm256_set_epi64x(3, 2, 1, 0));
            const __m256i x = _mm256_maskload_epi64((const long long *)(a + 4 * r), k);
            v[r] = _mm256_castpd_si256(_mm256_blendv_pd(
                _mm256_castsi256_pd(pad), _mm256_castsi256_pd(_mm256_xor_si256(x, top)),
                _mm256_castsi256_pd(k)));
        } else {
            v[r] = pad;
        }
    }
}

/* a[0 .. n) <- the first n words of v[0 .. regs), flipped back */
V2_INLINE void v2_store(uint64_t *a, const __m256i *v, size_t n, size_t regs)
{
    const __m256i top = _mm256_set1_epi64x(INT64_MIN);
    const size_t full = n / 4, part = n % 4;
#pragma GCC unroll 16
    for (size_t r = 0; r < regs; r++) {
        if (r < full) {
            _mm256_storeu_si256((__m256i *)(a + 4 * r), _mm256_xor_si256(v[r], top));
        } else if (r == full && part > 0) { /* AMD's masked stores are slow */
            uint64_t last[4];
            _mm256_storeu_si256((__m256i *)last, _mm256_xor_si256(v[r], top));
            for (size_t l = 0; l < part; l++) {
                a[4 * r + l] = last[l];
            }
        }
    }
}

/* Sort a[0 .. n), n <= 4 regs, in regs = 4, 8 or 16 registers. */
V2_INLINE void v2sort_n(uint64_t *a, size_t n, size_t regs)
{
    __m256i v[V2GROUP];
    v2_load(v, a, n, regs);
    v2_sort_regs(v, regs);
    v2_store(a, v, n, regs);
}

/* Sort a[0 .. n), 1 <= n <= V2BLOCK, in the fewest registers (each count
 * its own function: the 16-register network's spills and frame are not
 * paid on short lists). */
__attribute__((target("avx2"), noinline)) static void v2sort_4(uint64_t *a, size_t n)
{
    v2sort_n(a, n, 4);
}

__attribute__((target("avx2"), noinline)) static void v2sort_8(uint64_t *a, size_t n)
{
    v2sort_n(a, n, 8);
}

__attribute__((target("avx2"), noinline)) static void v2sort_16(uint64_t *a, size_t n)
{
    v2sort_n(a, n, 16);
}

/* Merge the sorted runs src[lo .. mid) and src[mid .. hi) (both non-empty)
 * into dst[lo .. hi), 8 words at a time (Inoue et al.'s merge by a bitonic
 * network): the 8 words kept from the last step and the next 8 of the run
 * whose next word is smaller are merged in four registers; the lower 8 are
 * written, the upper 8 kept. A run used up reads as UINT64_MAX (its last
 * block padded), so the loop runs until hi - lo words are written; a word
 * UINT64_MAX of the list ties with the padding and is the same word. */
__attribute__((target("avx2"), noinline)) static void v2merge(const uint64_t *src, uint64_t *dst,
                                                              size_t lo, size_t mid, size_t hi)
{
    enum { K = 2, W = 8 }; /* registers kept, words a step (16 a step measured no faster) */
    const __m256i top = _mm256_set1_epi64x(INT64_MIN);
    __m256i w[2 * K];
    size_t ia = lo + W < mid ? lo + W : mid, ib = mid + W < hi ? mid + W : hi;
    v2_load(w, src + lo, ia - lo, K);
    v2_load(w + K, src + mid, ib - mid, K);
    uint64_t *out = dst + lo;
    size_t left = hi - lo;
    for (;;) {
        v2_merge(w, K);
        if (left <= W) {
            v2_store(out, w, left, K);
            return;
        }
#pragma GCC unroll 4
        for (size_t r = 0; r < K; r++) {
            _mm256_storeu_si256((__m256i *)(out + 4 * r), _mm256_xor_si256(w[r], top));
            w[r] = w[K + r];
        }
        out += W;
        left -= W;
        const uint64_t ha = ia < mid ? src[ia] : UINT64_MAX, hb = ib < hi ? src[ib] : UINT64_MAX;
        const bool take_b = hb < ha;
        const size_t from = take_b ? ib : ia, end = take_b ? hi : mid;
        const size_t to = from + W < end ? from + W : end;
        if (to - from == W) {
#pragma GCC unroll 4
            for (size_t r = 0; r < K; r++) {
                w[K + r] = _mm256_xor_si256(
                    _mm256_loadu_si256((const __m256i *)(src + from + 4 * r)), top);
            }
        } else {
            v2_load(w + K, src + from, to - from, K);
        }
        ia = take_b ? ia : to;
        ib = take_b ? to : ib;
    }
}

static void v2sort_block(uint64_t *a, size_t n)
{
    if (n <= 16) {
        v2sort_4(a, n);
    } else if (n <= 32) {
        v2sort_8(a, n);
    } else {
        v2sort_16(a, n);
    }
}
#endif

/* Bottom-up merges of the sorted runs of `width` words of a[0 .. n), by
 * v2merge when avx2 is set (the AVX2 path's). */
static void merge_runs(uint64_t *a, uint64_t *tmp, size_t n, size_t width, bool avx2)
{
    uint64_t *src = a, *dst = tmp;
    for (; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            const size_t mid = lo + width < n ? lo + width : n;
            const size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
#ifdef SORT_X86
            if (avx2 && hi > mid) {
                v2merge(src, dst, lo, mid, hi);
                continue;
            }
#else
            (void)avx2;
#endif
            if (hi - mid == width) {
                merge_equal(src, dst, lo, hi);
            } else {
                merge(src, dst, lo, mid, hi);
            }
        }
        uint64_t *const t = src;
        src = dst;
        dst = t;
    }
    if (src != a) {
        memcpy(a, src, n * sizeof *a);
    }
}

static void sort_portable(uint64_t *a, uint64_t *tmp, size_t n)
{
    if (n <= 8) {
        insertion_sort(a, n);
        return;
    }
    sort_runs8(a, n);
    merge_runs(a, tmp, n, 8, false);
}

#ifdef SORT_X86
__attribute__((target("avx512f"))) static void sort_avx512(uint64_t *a, uint64_t *tmp, size_t n)
{
    for (size_t lo = 0; lo < n; lo += VBLOCK) {
        vsort_block(a + lo, n - lo < VBLOCK ? n - lo : VBLOCK);
    }
    merge_runs(a, tmp, n, VBLOCK, false);
}

__attribute__((target("avx2"))) static void sort_avx2(uint64_t *a, uint64_t *tmp, size_t n)
{
    for (size_t lo = 0; lo < n; lo += V2BLOCK) {
        v2sort_block(a + lo, n - lo < V2BLOCK ? n - lo : V2BLOCK);
    }
    merge_runs(a, tmp, n, V2BLOCK, true);
}
#endif

void rmc_sort_u64(uint64_t *a, uint64_t *tmp, size_t n)
{
#ifdef SORT_X86
    if (n > 8 && __builtin_cpu_supports("avx512f")) {
        sort_avx512(a, tmp, n);
        return;
    }
    if (n > 8 && __builtin_cpu_supports("avx2")) {
        sort_avx2(a, tmp, n);
        return;
    }
#endif
    sort_portable(a, tmp, n);
}

bool rmc_sort_u64_by(unsigned path, uint64_t *a, uint64_t *tmp, size_t n)
{
    if (path == 0) {
        sort_portable(a, tmp, n);
        return true;
    }
#ifdef SORT_X86
    if (path == 1 && __builtin_cpu_supports("avx512f")) {
        if (n > 0) {
            sort_avx512(a, tmp, n);
        }
        return true;
    }
    if (path == 2 && __builtin_cpu_supports("avx2")) {
        if (n > 0) {
            sort_avx2(a, tmp, n);
        }
        return true;
    }
#endif
    return false;
}

void rmc_sort_u64_near(uint64_t *a, uint64_t *tmp, size_t n)
{
#ifdef SORT_X86
    /* the AVX-512 sort at every length where the CPU has it: on a
     * Sapphire Rapids-class Xeon it beats the AVX2 sort on near-sorted
     * lists by 13-29% from 300 words up and ties it at 200 (bench_sort,
     * bench/RESULTS.md) */
    if (n > 8 && __builtin_cpu_supports("avx512f")) {
        sort_avx512(a, tmp, n);
        return;
    }
    /* the AVX2 sort at every length: bench_sort's near-sorted lists (moves
     * of up to 3 places) favour insertion above one block, but on the
     * meetings' own final keys the AVX2 sort takes about a fifth fewer of
     * the sort's samples than insertion above 64 words (perf of rankmc
     * bench, bench/RESULTS.md) */
    if (n > 8 && __builtin_cpu_supports("avx2")) {
        sort_avx2(a, tmp, n);
        return;
    }
#endif
    /* insertion sort while the shifts stay within a budget of a few per
     * word; a list further from sorted goes to rmc_sort_u64 as it stands */
    size_t budget = 4 * n + 64;
    for (size_t i = 1; i < n; i++) {
        const size_t shifted = insert_one(a, i);
        if (shifted > budget) {
            rmc_sort_u64(a, tmp, n);
            return;
        }
        budget -= shifted;
    }
}
