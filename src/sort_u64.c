/* The list sort the meetings and the ROLs share (sort_int.h): ascending
 * order of packed uint64 words, (float key, index) pairs as meeting_int.h
 * packs them, so no comparator is called and the order does not depend on
 * stability (every word is distinct). Short lists by insertion sort; longer
 * ones by a branch-free sorting network on runs of 8 and branch-free
 * bottom-up merges (two runs of equal length merged from both ends at
 * once, without bounds checks); a list close to sorted (a meeting's final
 * keys) by insertion sort under a budget of shifts.
 */
#include <string.h>

#include "sort_int.h"

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

void rmc_sort_u64(uint64_t *a, uint64_t *tmp, size_t n)
{
    if (n <= 8) {
        insertion_sort(a, n);
        return;
    }
    sort_runs8(a, n);
    uint64_t *src = a, *dst = tmp;
    for (size_t width = 8; width < n; width *= 2) {
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

void rmc_sort_u64_near(uint64_t *a, uint64_t *tmp, size_t n)
{
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
