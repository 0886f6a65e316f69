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
 * 86 (bench/RESULTS.md); every path gives the same order.
 */
#include <stdbool.h>
#include <string.h>

#include "sort_int.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define SORT_AVX512 1
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

/* Sort runs of 8 in place with a 19-comparator network (the fewest for 8;
 * Knuth, TAOCP 5.3.4); a short last run by insertion. */
static void sort_runs8(uint64_t *a, size_t n)
{
    size_t lo = 0;
    for (; lo + 8 <= n; lo += 8) {
        uint64_t x0 = a[lo], x1 = a[lo + 1], x2 = a[lo + 2], x3 = a[lo + 3];
        uint64_t x4 = a[lo + 4], x5 = a[lo + 5], x6 = a[lo + 6], x7 = a[lo + 7];
        CSWAP(x0, x2);
        CSWAP(x1, x3);
        CSWAP(x4, x6);
        CSWAP(x5, x7);
        CSWAP(x0, x4);
        CSWAP(x1, x5);
        CSWAP(x2, x6);
        CSWAP(x3, x7);
        CSWAP(x0, x1);
        CSWAP(x2, x3);
        CSWAP(x4, x5);
        CSWAP(x6, x7);
        CSWAP(x2, x4);
        CSWAP(x3, x5);
        CSWAP(x1, x4);
        CSWAP(x3, x6);
        CSWAP(x1, x2);
        CSWAP(x3, x4);
        CSWAP(x5, x6);
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

#ifdef SORT_AVX512
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

/* Bottom-up merges of the sorted runs of `width` words of a[0 .. n). */
static void merge_runs(uint64_t *a, uint64_t *tmp, size_t n, size_t width)
{
    uint64_t *src = a, *dst = tmp;
    for (; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            const size_t mid = lo + width < n ? lo + width : n;
            const size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
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
    merge_runs(a, tmp, n, 8);
}

#ifdef SORT_AVX512
__attribute__((target("avx512f"))) static void sort_avx512(uint64_t *a, uint64_t *tmp, size_t n)
{
    for (size_t lo = 0; lo < n; lo += VBLOCK) {
        vsort_block(a + lo, n - lo < VBLOCK ? n - lo : VBLOCK);
    }
    merge_runs(a, tmp, n, VBLOCK);
}
#endif

void rmc_sort_u64(uint64_t *a, uint64_t *tmp, size_t n)
{
#ifdef SORT_AVX512
    if (n > 8 && __builtin_cpu_supports("avx512f")) {
        sort_avx512(a, tmp, n);
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
#ifdef SORT_AVX512
    if (path == 1 && __builtin_cpu_supports("avx512f")) {
        if (n > 0) {
            sort_avx512(a, tmp, n);
        }
        return true;
    }
#endif
    return false;
}

void rmc_sort_u64_near(uint64_t *a, uint64_t *tmp, size_t n)
{
#ifdef SORT_AVX512
    /* the register network beats insertion up to about two blocks, even
     * on a list near sorted (bench_sort) */
    if (n > 8 && n <= 2 * VBLOCK && __builtin_cpu_supports("avx512f")) {
        sort_avx512(a, tmp, n);
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
