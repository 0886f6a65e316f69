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

/* Most entries of a couple's joint list (the NRMP's limit on a list). */
#define RMC_FC_MAX_JOINT 300

/* An entry of a couple's joint list: the applicant's program a (0-based in
 * the profile's order) and the partner's b; -1 = that partner unmatched. */
typedef struct rmc_fc_pair {
    int16_t a, b;
} rmc_fc_pair;

/* The couple's joint list from the profile (docs/forecast.md): pairs in one
 * city, then (pairs = region or any) in one region, then (any) the rest,
 * each tier by the sum of the two list positions (then the applicant's),
 * cut so that the "one partner unmatched" options that follow fit in
 * RMC_FC_MAX_JOINT entries: (applicant's k-th, unmatched), (unmatched,
 * partner's k-th) for k < unmatched_options. Caller frees *out. */
RMC_INTERNAL rmc_status rmc_fc_joint_list(const rmc_profile_file *pf, rmc_fc_pair **out,
                                          size_t *n_out, rmc_diag *d);

/* Slots of the profile's programs: the applicant's, then the partner's. */
RMC_INTERNAL size_t rmc_fc_slots(const rmc_profile_file *pf);

/* One market with the applicant (and partner) in it. */
typedef struct rmc_fc_market {
    rmc_model *m;         /* the applicant's component of the base market, with them; a
                             couple's partners are in it as singles with their own lists */
    rmc_model *m_couple;  /* a couple's market with its joint list (couples.csv), when asked;
                             the same rows as m */
    rmc_id app;           /* the applicant (the last row; a couple: the one before last) */
    rmc_id partner;       /* the partner (the last row), RMC_ID_NONE */
    size_t n_slots;       /* L: the applicant's programs, then the partner's */
    rmc_id *iv;           /* [L] the interview of slot l (the applicant's or the partner's) */
    rmc_id *prog;         /* [L] its program */
    char (*replaced)[64]; /* [L] id of the synthetic program each one took the place of */
    double pre_score;     /* the applicant's, under the market's [step2_ck] keys */
    double partner_pre_score;
    rmc_fc_pair *joint; /* [n_joint] a couple's joint list */
    size_t n_joint;
} rmc_fc_market;

/* Load the market in base_dir, keep the component of the applicant's
 * specialty (and the partner's), let each profile program take the place of
 * its most similar program there (docs/forecast.md), add the applicant (and
 * partner) with their interviews and their lists (the profile's order),
 * write that model into out_dir (created; its files removed again after
 * loading) and load it into *mk; with couple_model (a couple) also the same
 * model with the couple's joint list. Problems of the profile against this
 * market go to pr (RMC_EINPUT). */
RMC_INTERNAL rmc_status rmc_fc_market_build(const rmc_profile_file *pf, const char *base_dir,
                                            const char *out_dir, bool couple_model,
                                            rmc_problems *pr, rmc_fc_market *mk, rmc_diag *d);
RMC_INTERNAL void rmc_fc_market_free(rmc_fc_market *mk);

/* Remove the model files a forecast writes into dir, then dir itself. */
RMC_INTERNAL void rmc_fc_remove_model_dir(const char *dir);

#endif
