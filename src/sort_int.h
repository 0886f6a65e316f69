/* The list sort used by the meetings (meeting.c) and the ROLs (rols.c):
 * ascending order of uint64 words, as packed by meeting_int.h. Not
 * installed. */
#ifndef RANKMC_SORT_INT_H
#define RANKMC_SORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

/* Sort a[0 .. n) ascending (the words distinct); tmp has room for n words.
 * Chosen at run time: on CPUs with AVX-512F, blocks of 128 words by a
 * bitonic network in registers, then bottom-up merges; else with AVX2,
 * blocks of 64 words by a network in registers (the words' top bit
 * flipped, for a signed compare), then bottom-up merges of 8 words a step
 * in registers. Elsewhere (and for up to 8 words): insertion sort up to 8
 * words; above, runs of 8 sorted by a branch-free network, then
 * branch-free bottom-up merges (far fewer mispredicted branches than
 * insertion sort on random keys). The result is the same. */
RMC_INTERNAL void rmc_sort_u64(uint64_t *a, uint64_t *tmp, size_t n);

/* rmc_sort_u64 by one path, for tests and bench_sort: 0 portable, 1
 * AVX-512F, 2 AVX2. Returns false (a untouched) when this CPU or build
 * lacks the path. */
RMC_INTERNAL bool rmc_sort_u64_by(unsigned path, uint64_t *a, uint64_t *tmp, size_t n);

/* The same result, faster for a list already close to sorted (a meeting's
 * final keys are the initial positions minus moves of a few places):
 * insertion sort while the total displacement stays below about 4n, else
 * rmc_sort_u64; with AVX-512F, lists of 9 to 256 words go to its register
 * network, which is faster there even on a list near sorted (bench_sort);
 * with AVX2 (no AVX-512F) every list of more than 8 words goes to the AVX2
 * sort, faster on the meetings' final keys (perf of rankmc bench). */
RMC_INTERNAL void rmc_sort_u64_near(uint64_t *a, uint64_t *tmp, size_t n);

#endif
