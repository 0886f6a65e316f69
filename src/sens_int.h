/* Internal helpers shared by the what-if (sens_whatif.c) and Sobol
 * (sens_sobol.c) runners. */
#ifndef RANKMC_SENS_INT_H
#define RANKMC_SENS_INT_H

#include "internal.h"
#include "rankmc/sim.h"

/* The engine options for one of many runs of an analysis: base's seed,
 * replicates, threads and limits, with everything that belongs to a single
 * user-facing run switched off (focal recording, --until-se, checkpoints,
 * resuming, progress). */
RMC_INTERNAL rmc_sim_options rmc_sens_engine_options(const rmc_sim_options *base);

#endif
