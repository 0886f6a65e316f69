/* Running one job over several processes (docs/mpi.md). The only module
 * that knows about MPI: `make mpi` builds it over Open MPI (src/dist_mpi.c),
 * every other build over a world of one process (src/dist_serial.c), so the
 * serial binary has no MPI dependency and nothing else includes mpi.h.
 *
 * Ranks are numbered 0 .. size-1; rank 0 is the root, which alone prints
 * and writes files. Every function taking a rmc_dist is collective: every
 * rank calls it, in the same order, with the same counts. Calls are made
 * from the thread that called rmc_dist_init, outside OpenMP parallel
 * regions (MPI_THREAD_FUNNELED).
 *
 * Exactness. Sums are of integers (counts and fixed-point move sums), so the
 * reduced tables are the same bits whatever the number of ranks and however
 * MPI orders the additions.
 */
#ifndef RANKMC_DIST_H
#define RANKMC_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rmc_dist rmc_dist;

/* Join the job (MPI_Init_thread with MPI_THREAD_FUNNELED under MPI; argc and
 * argv may be rewritten by it). Call once, first thing in main. Caller owns
 * *out; end with rmc_dist_finish. RMC_EINTERNAL when MPI refuses. */
rmc_status rmc_dist_init(int *argc, char ***argv, rmc_dist **out, rmc_diag *d);

/* Leave the job (MPI_Finalize) and free g. NULL is allowed. */
void rmc_dist_finish(rmc_dist *g);

/* End every rank of the job at once with exit status code (MPI_Abort; a
 * plain exit with one process). For failures that leave ranks out of step. */
_Noreturn void rmc_dist_abort(const rmc_dist *g, int code);

/* Collective over g: the first n ranks (1 <= n <= size) get *out, a job of
 * just them (rank numbers kept); the others get NULL. Free with
 * rmc_dist_free. For measuring fewer ranks inside one job (rankmc bench). */
rmc_status rmc_dist_split(const rmc_dist *g, int n, rmc_dist **out, rmc_diag *d);

/* Free a job made by rmc_dist_split (not the one from rmc_dist_init). */
void rmc_dist_free(rmc_dist *g);

/* This process's rank and the number of ranks; NULL g is a world of one. */
int rmc_dist_rank(const rmc_dist *g);
int rmc_dist_size(const rmc_dist *g);

/* "serial" or the MPI library's version ("Open MPI v4.1.4, ..."). */
const char *rmc_dist_backend(void);

/* The deterministic share of n items (variants, design points) that a rank
 * runs: contiguous blocks, rank r gets [n*r/size, n*(r+1)/size). Depends on
 * nothing but the counts. */
void rmc_dist_share(uint64_t n, int rank, int size, uint64_t *first, uint64_t *count);

/* Called for each item of a rank's share. */
typedef rmc_status (*rmc_dist_item_fn)(void *ctx, uint64_t item, rmc_diag *d);

/* Collective: every rank runs fn on the items of its share of n
 * (rmc_dist_share), one per round, in order; after each round the ranks
 * agree (rmc_dist_agree), so a failure or a stop on any rank ends every
 * rank's loop with that status. progress (may be NULL) is called on rank 0
 * after each round with the items done by all ranks so far. */
rmc_status rmc_dist_for_share(const rmc_dist *g, uint64_t n, rmc_dist_item_fn fn, void *ctx,
                              void (*progress)(void *ctx, uint64_t done, uint64_t n), rmc_diag *d);

/* Collective: after rmc_dist_for_share filled, on each rank, the elements
 * of its share of arr[n] (elem bytes each), every rank holds all n. */
rmc_status rmc_dist_gather_share(const rmc_dist *g, uint64_t n, void *arr, size_t elem,
                                 rmc_diag *d);

/* Collective sums of n elements into rank 0's buf (MPI_Reduce with
 * MPI_IN_PLACE at the root, in chunks below 2^31 elements). Other ranks'
 * buf is left as it was. The caller guarantees the sums fit the type (for
 * counts: at most the replicates of the whole run, as on one process). */
rmc_status rmc_dist_sum_u32(const rmc_dist *g, uint32_t *buf, size_t n, rmc_diag *d);
rmc_status rmc_dist_sum_u64(const rmc_dist *g, uint64_t *buf, size_t n, rmc_diag *d);
rmc_status rmc_dist_sum_i64(const rmc_dist *g, int64_t *buf, size_t n, rmc_diag *d);

/* Element-wise minimum / maximum over every rank, the result on every rank. */
rmc_status rmc_dist_all_min_i64(const rmc_dist *g, int64_t *buf, size_t n, rmc_diag *d);
rmc_status rmc_dist_all_max_i64(const rmc_dist *g, int64_t *buf, size_t n, rmc_diag *d);

/* Every rank's n elements of mine, in rank order, into all[size * n] on every rank. */
rmc_status rmc_dist_all_gather_u32(const rmc_dist *g, const uint32_t *mine, size_t n, uint32_t *all,
                                   rmc_diag *d);

/* root's bytes into buf on every rank. */
rmc_status rmc_dist_bcast(const rmc_dist *g, void *buf, size_t bytes, int root, rmc_diag *d);

/* Collective: agree on an outcome. st is this rank's status (d its
 * details). Returns RMC_OK on every rank when every rank passed RMC_OK;
 * else, on every rank, the status and diagnostic of the lowest-numbered
 * failing rank (copied into d), so every rank stops with one message. */
rmc_status rmc_dist_agree(const rmc_dist *g, rmc_status st, rmc_diag *d);

#ifdef __cplusplus
}
#endif
#endif
