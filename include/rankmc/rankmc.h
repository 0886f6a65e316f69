/* rankmc: Monte Carlo estimates of residency-match outcomes.
 * Umbrella header: every public module plus the version. */
#ifndef RANKMC_RANKMC_H
#define RANKMC_RANKMC_H

#define RMC_VERSION_MAJOR 0
#define RMC_VERSION_MINOR 1
#define RMC_VERSION_PATCH 0
#define RMC_VERSION_STRING "0.1.0"

#include "rankmc/status.h"
#include "rankmc/model.h"
#include "rankmc/rng.h"
#include "rankmc/match.h"
#include "rankmc/meeting.h"
#include "rankmc/dist.h"
#include "rankmc/accum.h"
#include "rankmc/stats.h"
#include "rankmc/sim.h"
#include "rankmc/h5io.h"
#include "rankmc/sobol.h"
#include "rankmc/sensitivity.h"
#include "rankmc/synth.h"
#include "rankmc/smp.h"
#include "rankmc/groups.h"
#include "rankmc/profile.h"
#include "rankmc/forecast.h"
#include "rankmc/apply.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "0.1.0 (git abc1234)": the version and the commit the library was built
 * from. Static string. */
const char *rmc_version(void);

#ifdef __cplusplus
}
#endif
#endif
