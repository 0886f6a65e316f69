/* The Monte Carlo engine (DESIGN 5): replicates of every program's rank
 * meeting, every applicant's ROL and the Match, accumulated into integer
 * histograms (rankmc/accum.h).
 *
 * Replicates run in batches of RMC_SIM_BATCH (a fixed size, independent of
 * the thread count); inside a batch, OpenMP threads take replicates, each
 * with its own workspace allocated once before the first batch. Replicate r
 * draws only from streams named (seed, r, purpose, substream), and every
 * accumulated quantity is an integer, so the result is bit-identical for a
 * given seed and model whatever the thread count. Between batches the caller
 * gets a progress callback; a stop flag is honoured between a thread's
 * groups of at most four replicates (one process) or batches (ranks).
 *
 * Ranks (rankmc/dist.h, docs/mpi.md). With o->dist naming a job of P > 1
 * processes, rmc_sim_run is collective: every rank calls it with the same
 * model, parameters and options. Counting batches from the first replicate
 * run (0, or the checkpoint's count; batches end at multiples of
 * RMC_SIM_BATCH), batch b runs on rank b mod P; the P
 * batches of a round run at once, one per rank, each with the rank's own
 * threads. After each round the ranks agree on failures, the stop flag and
 * --until-se (tested batch by batch in order, as one process would: batches
 * of the round after the stopping one are dropped), and at the end every
 * table is summed exactly into rank 0 (rmc_accum_reduce). So the totals are
 * bit-identical whatever the number of ranks and threads.
 */
#ifndef RANKMC_SIM_H
#define RANKMC_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rankmc/accum.h"
#include "rankmc/dist.h"
#include "rankmc/match.h"
#include "rankmc/model.h"
#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Replicates per batch: the granularity of progress reports, --until-se,
 * checkpoints and (with ranks) stopping; batches end at multiples of it. */
#define RMC_SIM_BATCH 64

/* Default memory limit for a run (--max-memory): 2 GiB. */
#define RMC_SIM_DEFAULT_MAX_MEMORY ((size_t)2 << 30)

/* Phases of a replicate timed when rmc_sim_options.time_phases is set:
 * the rank meetings (with the interview-day draws), ROL generation (with
 * building the Match input), the Match (with the stability check), and
 * accumulation (histogram columns, counts, the batch fold into the rank
 * histogram and the merge of the threads' partials), and SOAP after the
 * Match (0 when the model has no SOAP stage). */
typedef enum {
    RMC_SIM_PHASE_MEETING,
    RMC_SIM_PHASE_ROLS,
    RMC_SIM_PHASE_MATCH,
    RMC_SIM_PHASE_ACCUM,
    RMC_SIM_PHASE_SOAP,
    RMC_SIM_N_PHASES
} rmc_sim_phase;

/* Called between batches (on the calling thread, outside any parallel
 * region) with replicates done so far and the number requested. With ranks:
 * on rank 0 only, after each round, with the replicates of all ranks. */
typedef void (*rmc_sim_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* Called (outside any parallel region) at the first batch boundary at or
 * after each multiple of checkpoint_every replicates, with the complete
 * totals so far (rmc_accum_replicates(totals) replicates, a multiple of
 * RMC_SIM_BATCH). Borrowed for the call. A non-OK return ends the run with
 * that status. With ranks: at the first round boundary at or after each
 * multiple, on rank 0 only, with the totals of all ranks; its status ends
 * every rank's run. */
typedef rmc_status (*rmc_sim_checkpoint_fn)(void *ctx, const rmc_accum *totals, rmc_diag *d);

typedef struct rmc_sim_options {
    uint64_t seed;                /* master seed */
    uint64_t replicates;          /* replicates to run, 1 .. UINT32_MAX */
    int threads;                  /* OpenMP threads; 0 = omp_get_max_threads() */
    rmc_proposing proposing;      /* which side proposes in the Match */
    bool check_stability;         /* verify every replicate's matching (slow) */
    size_t rank_bins;             /* group list positions into at most this many bins; 0 = auto */
    size_t max_memory;            /* refuse runs estimated above this many bytes; 0 = default */
    const char *rng_name;         /* generator, NULL = "philox4x32" */
    rmc_sim_progress_fn progress; /* may be NULL */
    void *progress_ctx;           /* passed to progress */
    const volatile int *stop;     /* nonzero: stop (one process: after the replicates under
                                     way; ranks: at the next batch boundary); read atomically,
                                     so set it with an atomic store; may be NULL */
    double until_se;              /* > 0: stop after the first batch at which every reported
                                     probability -- each applicant's P(match) and each
                                     interview's P(matched here) -- has SE <= until_se (see
                                     docs/output.md); 0 = off */
    uint64_t checkpoint_every;    /* > 0: call checkpoint every this many replicates */
    rmc_sim_checkpoint_fn checkpoint; /* may be NULL */
    void *checkpoint_ctx;             /* passed to checkpoint */
    const rmc_accum *resume;          /* totals of replicates 0 .. n-1 of an earlier run with the
                                         same model, seed and settings (a checkpoint): continue from
                                         replicate n; the result equals an uninterrupted run. NULL =
                                         start afresh. Borrowed. */
    bool time_phases;                 /* fill rmc_sim_stats.phase_seconds (two clock reads per
                                         phase per replicate; off by default) */
    const rmc_dist *dist;      /* the job's ranks to split the batches over (see above); NULL or a
                                  world of one = this process alone. Borrowed */
    size_t n_focal;            /* applicants whose outcome every replicate records; 0 = none;
                                  not with more than one rank (RMC_EUSAGE) */
    const rmc_id *focal;       /* [n_focal] their indices; borrowed */
    int32_t *focal_choice;     /* [replicates][n_focal], caller's: replicate r writes only row
                                  r, the 0-based ROL position each focal applicant matched
                                  at (a couple member: the joint-list entry), -1 unmatched.
                                  Rows of replicates not run (resume, stop, failure) are
                                  left alone. Borrowed; NULL = record nothing */
    size_t n_exclude;          /* applicants left out of the Match (an empty ROL) while still
                                  interviewed, discussed and ranked at every meeting; 0 = none */
    const rmc_id *exclude;     /* [n_exclude] their indices; borrowed */
    size_t n_cutoff;           /* programs whose admission cutoff every replicate records */
    const rmc_id *cutoff_prog; /* [n_cutoff] their indices; borrowed */
    rmc_id *cutoff_iv; /* [replicates][n_cutoff], caller's: replicate r writes row r, for each
                          program the interview of its lowest-ranked matched applicant when
                          every seat is filled, else RMC_ID_NONE (a ranked newcomer would get
                          a seat). Rows of replicates not run are left alone. NULL = none;
                          not with more than one rank (RMC_EUSAGE) */
    bool skip_soap;    /* true: no SOAP stage even when the model's soap.enabled is on (callers
                          that read only the Main Match: forecast, apply) */
} rmc_sim_options;

/* Defaults: seed 1, 1000 replicates, all threads, applicants propose, no
 * stability check, automatic binning, 2 GiB, Philox, no callbacks. */
void rmc_sim_options_default(rmc_sim_options *o);

/* What a run did, besides the histograms. */
typedef struct rmc_sim_stats {
    uint64_t replicates;       /* replicates done (fewer than asked when stopped) */
    int threads;               /* threads used (by this rank) */
    int ranks;                 /* ranks the run was split over (1: this process alone) */
    bool stopped;              /* the stop flag ended the run early */
    bool se_reached;           /* until_se ended the run before o->replicates */
    double max_se;             /* largest SE of a P(match) or P(matched here) at the end
                                  (smoothed, as for until_se) */
    uint64_t unconverged;      /* replicates whose couples procedure hit its bound */
    int64_t first_unconverged; /* lowest such replicate index, or -1 */
    uint64_t unstable;         /* replicates failing --check-stability */
    int64_t first_unstable;    /* lowest such replicate index, or -1 */
    double wall_seconds;       /* time in rmc_sim_run (on this rank) */
    double reduce_seconds;     /* of which summing the tables into rank 0, after every rank
                                  arrived (0 with one rank) */
    size_t memory_estimate;    /* bytes the run was estimated to need */
    char rng_name[32];         /* the generator used */
    double phase_seconds[RMC_SIM_N_PHASES]; /* with time_phases: thread-seconds per phase,
                                               summed over threads; else 0 */
} rmc_sim_stats;

/* The accumulator shape a run of m with parameters p and options o uses (binning decided as
 * documented in docs/output.md: --rank-bins, else one bin per position
 * unless the rank histogram would take more than a quarter of max_memory) and
 * its estimated peak memory (with o->resume, the checkpoint's shape, which
 * must fit m: else RMC_EUSAGE). RMC_ELIMIT (with the remedy in d) when the
 * estimate exceeds o->max_memory. */
rmc_status rmc_sim_plan(const rmc_model *m, const rmc_params *p, const rmc_sim_options *o,
                        rmc_accum_dims *dims, size_t *bytes, rmc_diag *d);

/* Run o->replicates replicates of m with parameters p (usually
 * rmc_model_params(m); a sensitivity variant may pass its own). On success
 * *out holds the totals (caller owns it; rmc_accum_free) and *stats what the
 * run did. RMC_ELIMIT (memory estimate), RMC_EUSAGE (bad options),
 * RMC_ENOMEM, or the first failing replicate's status with its index in d
 * (the lowest index, whatever the thread count). A stop request is not a
 * failure: stats->stopped is set and the totals cover the replicates done,
 * always the first ones (a run of -n stats->replicates gives the same).
 * With ranks: *out is set on rank 0 only (NULL elsewhere); *stats is the
 * same on every rank but for threads, wall_seconds, reduce_seconds,
 * memory_estimate and phase_seconds, which are this rank's; a failure on any
 * rank comes back on every rank with the same status and message. */
rmc_status rmc_sim_run(const rmc_model *m, const rmc_params *p, const rmc_sim_options *o,
                       rmc_accum **out, rmc_sim_stats *stats, rmc_diag *d);

#ifdef __cplusplus
}
#endif
#endif
