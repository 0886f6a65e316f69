/* Weak fallbacks for the model accessors `rankmc match` uses, so this
 * branch links before the model loader lands. The loader's strong
 * definitions in model.c replace them; delete this file when merging the
 * model module. */
#include "model_int.h"

#define RMC_WEAK __attribute__((weak))

RMC_WEAK size_t rmc_model_n_applicants(const rmc_model *m)
{
    return m->n_app;
}

RMC_WEAK size_t rmc_model_n_programs(const rmc_model *m)
{
    return m->n_prog;
}

RMC_WEAK const char *rmc_model_applicant_id(const rmc_model *m, size_t i)
{
    return m->app_id[i];
}

RMC_WEAK const char *rmc_model_program_id(const rmc_model *m, size_t j)
{
    return m->prog_id[j];
}

RMC_WEAK int32_t rmc_model_program_positions(const rmc_model *m, size_t j)
{
    return m->positions[j];
}
