/* The list sort the meetings and the ROLs share (sort_int.h): ascending
 * order of packed uint64 words, (float key, index) pairs as meeting_int.h
 * packs them, so no comparator is called and the order does not depend on
 * stability (every word is distinct). Short lists by insertion sort; longer
 * ones by a branch-free sorting network on runs of 4 and branch-free
 * bottom-up merges; a list close to sorted (a meeting's final keys) by
 * insertion sort under a budget of shifts.
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

/* Compare-exchange without a branch (the compiler emits cmov). */
#define CSWAP(x, y)                                                                                \
    do {                                                                                           \
        const uint64_t lo_ = (x) < (y) ? (x) : (y), hi_ = (x) < (y) ? (y) : (x);                   \
        (x) = lo_;                                                                                 \
        (y) = hi_;                                                                                 \
    } while (0)

/* Sort runs of 4 in place with the optimal 5-comparator network; a short
 * last run by insertion. */
static void sort_runs4(uint64_t *a, size_t n)
{
    size_t lo = 0;
    for (; lo + 4 <= n; lo += 4) {
        uint64_t w = a[lo], x = a[lo + 1], y = a[lo + 2], z = a[lo + 3];
        CSWAP(w, x);
        CSWAP(y, z);
        CSWAP(w, y);
        CSWAP(x, z);
        CSWAP(x, y);
        a[lo] = w;
        a[lo + 1] = x;
        a[lo + 2] = y;
        a[lo + 3] = z;
    }
    insertion_sort(a + lo, n - lo);
}

void rmc_sort_u64(uint64_t *a, uint64_t *tmp, size_t n)
{
    if (n <= 8) {
        insertion_sort(a, n);
        return;
    }
    sort_runs4(a, n);
    uint64_t *src = a, *dst = tmp;
    for (size_t width = 4; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            const size_t mid = lo + width < n ? lo + width : n;
            const size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            merge(src, dst, lo, mid, hi);
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
