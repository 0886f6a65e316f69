/* Internal helpers shared by every library file: visibility, asserts and
 * checked allocation (mem.c). Not installed. */
#ifndef RANKMC_INTERNAL_H
#define RANKMC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "rankmc/status.h"

/* The CLI and the end-to-end benchmark are built with RMC_PUBLIC_API_ONLY
 * and without -Isrc (Makefile): like any program on the library they may
 * use include/rankmc/ only. Every internal header includes this one, so
 * reaching one by a relative path fails here. */
#ifdef RMC_PUBLIC_API_ONLY
#error "internal header included by code limited to the public API (include/rankmc/)"
#endif

#define RMC_INTERNAL __attribute__((visibility("hidden")))

/* A broken invariant is a bug, not a status. On in debug, test and sanitizer
 * builds (anything without NDEBUG); compiled out of release builds. */
#ifdef NDEBUG
#define RMC_ASSERT(cond) ((void)0)
#else
#define RMC_ASSERT(cond) ((cond) ? (void)0 : rmc_assert_fail(#cond, __FILE__, __LINE__))
#endif
RMC_INTERNAL _Noreturn void rmc_assert_fail(const char *cond, const char *file, int line);

/* Overflow-checked n * size. Returns false (and leaves *out alone) on overflow. */
static inline int rmc_mul_ok(size_t n, size_t size, size_t *out)
{
    if (size != 0 && n > SIZE_MAX / size) {
        return 0;
    }
    *out = n * size;
    return 1;
}

/* Allocate n * size bytes (uninitialised / zeroed) into *out, which is set to
 * NULL on failure. n == 0 allocates a 1-byte block so the result is never
 * NULL on success. Fails with RMC_ENOMEM on overflow or exhaustion, and when
 * the fault-injection hook says so. Free with rmc_free. */
RMC_INTERNAL rmc_status rmc_alloc_array(void **out, size_t n, size_t size, rmc_diag *d);
RMC_INTERNAL rmc_status rmc_calloc_array(void **out, size_t n, size_t size, rmc_diag *d);
/* 64-byte aligned, zeroed: per-thread workspaces, so threads never share a
 * cache line. Free with rmc_free. */
RMC_INTERNAL rmc_status rmc_alloc_aligned(void **out, size_t n, size_t size, rmc_diag *d);
RMC_INTERNAL void rmc_free(void *ptr);
/* Duplicate a string through the checked allocator. */
RMC_INTERNAL rmc_status rmc_strdup(char **out, const char *s, rmc_diag *d);

/* Create folder dir if needed; refuse a non-empty one (RMC_EEXIST) unless
 * force, and a path that is not a folder (RMC_EUSAGE). RMC_EIO. Used by the
 * writers of model folders (synth.c, smp.c). */
RMC_INTERNAL rmc_status rmc_prepare_dir(const char *dir, _Bool force, rmc_diag *d);

/* body(ctx, i, thread) for every i < n, on up to `threads` OpenMP threads
 * (thread: the caller's number, below threads, for per-thread scratch), in
 * any order: body may write only item i's own output and thread's own
 * scratch, and makes no HDF5 call. In sim.c, beside the replicate loop, so
 * that one module holds every OpenMP parallel region; the result writer
 * compresses its chunks through it. */
RMC_INTERNAL void rmc_par_for(size_t n, int threads, void (*body)(void *ctx, size_t i, int thread),
                              void *ctx);

/* Fault injection for tests: make the k-th allocation from now fail (k >= 1),
 * or switch it off with k = 0. Returns the number of allocations made since
 * the last call, so a test can sweep k over every allocation of an operation. */
RMC_INTERNAL size_t rmc_mem_fail_at(size_t k);

#endif
