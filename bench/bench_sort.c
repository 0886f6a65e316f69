/* Micro-benchmark of the list sort the meetings, the ROLs and SOAP share
 * (src/sort_int.h): ns per word of each path (portable; AVX-512F and AVX2
 * where the CPU has them, n/a where not) on lists of the lengths programs'
 * lists have (12 to 711 names; 86 is the national mean; ROLs about 12),
 * random and near sorted (positions minus
 * moves of a few places, as a meeting's final keys are), and of
 * rmc_sort_u64_near as the meetings call it. Lists are made first and
 * sorted in one timed loop (the calling thread's CPU time), 5 rounds,
 * median and minimum.
 *
 * usage: bench_sort [-w WORDS]   (words sorted per size and round, default
 *                                 2,000,000)
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "meeting_int.h"
#include "sort_int.h"

enum { ROUNDS = 5 };

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static uint64_t xs = 88172645463325252ULL;

static uint64_t next(void)
{
    xs ^= xs << 13;
    xs ^= xs >> 7;
    xs ^= xs << 17;
    return xs;
}

/* list l of n words: random keys, or position minus up to 3 places */
static void fill(uint64_t *a, size_t n, int near)
{
    for (size_t t = 0; t < n; t++) {
        const float key = near ? (float)t - (float)(next() % 3000) / 1000.0f
                               : (float)(next() % 1000000) / 1000.0f;
        a[t] = rmc_pack_key(key, (uint32_t)t);
    }
}

static int cmp_d(const void *x, const void *y)
{
    const double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* how: 0, 1, 2 the paths of rmc_sort_u64_by; 3 rmc_sort_u64_near */
static int time_one(size_t n, int near, int how, size_t words, double *med, double *min)
{
    const size_t lists = words / n > 0 ? words / n : 1;
    uint64_t *src = malloc(lists * n * sizeof *src), *a = malloc(lists * n * sizeof *a);
    uint64_t *tmp = malloc(n * sizeof *tmp);
    if (src == NULL || a == NULL || tmp == NULL) {
        free(src);
        free(a);
        free(tmp);
        return -1;
    }
    for (size_t l = 0; l < lists; l++) {
        fill(src + l * n, n, near);
    }
    double ns[ROUNDS];
    int ok = 1;
    for (int r = 0; r < ROUNDS && ok; r++) {
        memcpy(a, src, lists * n * sizeof *a);
        const double t0 = cpu_s();
        for (size_t l = 0; l < lists && ok; l++) {
            if (how == 3) {
                rmc_sort_u64_near(a + l * n, tmp, n);
            } else {
                ok = rmc_sort_u64_by((unsigned)how, a + l * n, tmp, n);
            }
        }
        ns[r] = (cpu_s() - t0) * 1e9 / (double)(lists * n);
    }
    free(src);
    free(a);
    free(tmp);
    if (!ok) {
        return 0;
    }
    qsort(ns, ROUNDS, sizeof *ns, cmp_d);
    *med = ns[ROUNDS / 2];
    *min = ns[0];
    return 1;
}

int main(int argc, char **argv)
{
    size_t words = 2000000;
    int c;
    while ((c = getopt(argc, argv, "w:")) != -1) {
        if (c != 'w' || atol(optarg) <= 0) {
            fprintf(stderr, "usage: bench_sort [-w WORDS]\n");
            return 2;
        }
        words = (size_t)atol(optarg);
    }
    static const size_t sizes[] = {12, 30, 60, 86, 128, 200, 300, 400, 711};
    static const char *const names[] = {"portable", "avx512", "avx2", "near"};
    printf("bench_sort: ns per word, median (min) of %d rounds of %zu words, thread CPU time\n",
           ROUNDS, words);
    printf("%6s %-7s %18s %18s %18s %18s\n", "n", "keys", names[0], names[1], names[2], names[3]);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        for (int near = 0; near < 2; near++) {
            printf("%6zu %-7s", sizes[s], near ? "near" : "random");
            for (int how = 0; how < 4; how++) {
                double med = 0, min = 0;
                const int st = time_one(sizes[s], near, how, words, &med, &min);
                if (st < 0) {
                    fprintf(stderr, "bench_sort: out of memory\n");
                    return 1;
                }
                if (st == 0) {
                    printf(" %18s", "n/a");
                } else {
                    printf("    %6.2f (%6.2f)", med, min);
                }
            }
            printf("\n");
        }
    }
    return 0;
}
