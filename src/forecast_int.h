/* Internals of the forecast (rankmc/forecast.h): placing the applicant of a
 * profile into one market (forecast_market.c). Not installed. */
#ifndef RANKMC_FORECAST_INT_H
#define RANKMC_FORECAST_INT_H

#include "internal.h"
#include "model_int.h"
#include "rankmc/forecast.h"

/* The forecast's statistic of a probability (docs/forecast.md) from x[k]
 * successes of N replicates in market k = 0..K-1: the mean over markets,
 * its Monte Carlo SE, the between-market spread net of that noise, and the
 * 95% interval for one more market like these (Wilson when K == 1). Shared
 * by the forecast and apply. */
RMC_INTERNAL rmc_forecast_stat rmc_fc_stat(const uint32_t *x, size_t K, uint64_t N);

/* Where the markets come from (--market): a synth preset, optionally
 * PRESET:SCALE with 0 < SCALE <= 10, or else a model folder. */
typedef struct rmc_fc_market_src {
    bool folder;     /* not a preset name: a model folder */
    char preset[32]; /* the preset's name (when !folder) */
    double scale;    /* 1 unless PRESET:SCALE */
} rmc_fc_market_src;

/* Read --market s into *ms; RMC_EUSAGE for a preset with a bad scale. */
RMC_INTERNAL rmc_status rmc_fc_parse_market(const char *s, rmc_fc_market_src *ms, rmc_diag *d);

/* One market with the applicant in it. */
typedef struct rmc_fc_market {
    rmc_model *m;         /* the applicant's component of the base market, with them */
    rmc_id app;           /* the applicant (the last row) */
    rmc_id *iv;           /* [L] the applicant's interview at profile program l */
    rmc_id *prog;         /* [L] its program */
    char (*replaced)[64]; /* [L] id of the synthetic program each one took the place of */
    double pre_score;     /* the applicant's, under the market's [step2_ck] keys */
} rmc_fc_market;

/* Load the market in base_dir, keep the component of the applicant's
 * specialty, let each profile program take the place of its most similar
 * program there (docs/forecast.md), add the applicant with their interviews
 * and their list (the profile's order), write that model into out_dir
 * (created; its files removed again after loading) and load it into *mk.
 * Problems of the profile against this market go to pr (RMC_EINPUT). */
RMC_INTERNAL rmc_status rmc_fc_market_build(const rmc_profile_file *pf, const char *base_dir,
                                            const char *out_dir, rmc_problems *pr,
                                            rmc_fc_market *mk, rmc_diag *d);
RMC_INTERNAL void rmc_fc_market_free(rmc_fc_market *mk);

/* Remove the model files a forecast writes into dir, then dir itself. */
RMC_INTERNAL void rmc_fc_remove_model_dir(const char *dir);

#endif
