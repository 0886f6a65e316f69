/* Placeholder: the loader lands with the model module. */
#include "model_int.h"

rmc_status rmc_model_load(const char *dir, rmc_problems *problems, rmc_diag *d, rmc_model **out)
{
    (void)problems;
    *out = NULL;
    return RMC_FAIL(d, RMC_EIO, "%s: model loading is not available in this build", dir);
}

void rmc_model_free(rmc_model *m)
{
    (void)m;
}
