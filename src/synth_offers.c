/* The screening and interview-offer model of synthetic markets (docs/synth.md
 * steps 3, 5 and 6): the visa screen, a program's offer score and an
 * applicant's interview cap. synth.c builds markets with it and apply.c
 * draws one applicant's offers at run time with it, so both are one model.
 */
#include <gsl/gsl_randist.h>

#include "synth_int.h"

bool rmc_synth_considers(const gsl_rng *g, const rmc_synth_preset *pre, int visa, int sponsors)
{
    if (visa == RMC_VISA_NONE || sponsors == RMC_SPONSORS_J1_H1B) {
        return true;
    }
    if (sponsors == RMC_SPONSORS_NONE) {
        return gsl_rng_uniform(g) < pre->visa_exception;
    }
    return visa != RMC_VISA_H1B || gsl_rng_uniform(g) < pre->h1b_at_j1;
}

double rmc_synth_offer_score(const gsl_rng *g, const rmc_synth_preset *pre, int group,
                             double pre_score)
{
    return pre->offer_concentration * pre_score + pre->groups[group].offer_shift +
           gsl_ran_gaussian_ziggurat(g, 1.0);
}

int32_t rmc_synth_draw_cap(const gsl_rng *g, const rmc_synth_group_spec *gs)
{
    return 1 + (int32_t)gsl_ran_poisson(g, gs->cap - 1.0);
}

rmc_synth_group rmc_synth_group_of_type(rmc_type t)
{
    switch (t) {
    case RMC_TYPE_US_DO:
        return RMC_SYNTH_DO_SENIOR;
    case RMC_TYPE_US_IMG:
        return RMC_SYNTH_US_IMG;
    case RMC_TYPE_IMG:
        return RMC_SYNTH_NON_US_IMG;
    default:
        return RMC_SYNTH_MD_SENIOR;
    }
}
