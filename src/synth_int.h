/* Preset tables for synthetic markets (synth.c reads them, synth_presets.c
 * defines them). Every constant that calibration may move lives in one
 * rmc_synth_preset; docs/synth.md explains each field and its source. Not
 * installed. */
#ifndef RANKMC_SYNTH_INT_H
#define RANKMC_SYNTH_INT_H

#include <gsl/gsl_rng.h>
#include <stdbool.h>

#include "internal.h"
#include "rankmc/model.h"
#include "rankmc/synth.h"

/* How one applicant group is drawn and how it fares in interview offers. */
typedef struct rmc_synth_group_spec {
    rmc_type type;             /* value of the type column */
    double count;              /* applicants at scale 1 (shares are count / total) */
    double pre_mean;           /* mean of pre_score ~ N(pre_mean, 1) */
    double comm_a, comm_b;     /* communication ~ Beta(a, b) */
    double p_clinical;         /* P(clinical_years > 0) */
    double clinical_mean;      /* mean years when > 0 (1 + Poisson(mean - 1)) */
    double usexp[RMC_N_USEXP]; /* P(us_experience) none, observership, hands_on, sub_i */
    double visa[RMC_N_VISA];   /* P(visa) none, J1, H1B, uncertain */
    double applications;       /* mean applications sent (1 + Poisson), within the specialty */
    double cap;                /* mean interview cap: most interviews one attends */
    double offer_shift;        /* added to the offer score: programs' screening by group */
    double p_rotation;         /* P(advocacy rotation) per interview */
    double p_fellow;           /* P(research fellow at one interview program) per applicant */
    double p_chief;            /* P(worked with the chief / PD at one program) per applicant */
    double p_ties;             /* P(ties = 1) per interview */
} rmc_synth_group_spec;

/* The NRMP tracks of a program (programs.csv `track`; docs/synth.md
 * "Tracks"): categorical, preliminary (PGY-1 only; transitional counts as
 * preliminary), advanced (starts at PGY-2). */
typedef enum {
    RMC_SYNTH_CATEGORICAL = 0,
    RMC_SYNTH_PRELIMINARY = 1,
    RMC_SYNTH_ADVANCED = 2,
    RMC_SYNTH_N_TRACKS = 3
} rmc_synth_track;

/* A specialty row: programs and positions at scale 1, and how attractive it
 * is to each group (relative weights on top of its share of positions).
 * Rows of one name must be adjacent: together they are one field (one
 * x_specialty), and an applicant applies to every program of their field,
 * whatever the row's track. */
typedef struct rmc_synth_specialty {
    const char *name;                    /* x_specialty value */
    double programs;                     /* programs at scale 1 */
    double positions;                    /* positions at scale 1 */
    double affinity[RMC_SYNTH_N_GROUPS]; /* P(specialty | group) ∝ positions × affinity */
    rmc_synth_track track;               /* categorical (0) unless said */
    double supp_weight;                  /* preliminary rows: weight in supplemental applications */
    const char *revert_to;               /* preliminary rows: the field of reversion receivers */
} rmc_synth_specialty;

typedef struct rmc_synth_preset {
    const char *name;
    const char *doc;
    const rmc_synth_group_spec *groups;     /* [RMC_SYNTH_N_GROUPS] */
    const rmc_synth_specialty *specialties; /* [n_specialties] */
    size_t n_specialties;
    double applicants;          /* applicants at scale 1 (split by the groups' counts) */
    double slots_per_position;  /* interview slots a program offers per position */
    double offer_concentration; /* weight of pre_score in the offer score (noise sd 1) */
    double size_dispersion;     /* negative-binomial shape of program size - 1 (small = skewed) */
    double p_community;         /* share of community (vs academic) programs */
    double sponsors_academic[RMC_N_SPONSORS]; /* P(sponsors) none, J1, J1_H1B */
    double sponsors_community[RMC_N_SPONSORS];
    double visa_exception;  /* P(a non-sponsoring program interviews a visa applicant) */
    double h1b_at_j1;       /* P(a J1-only program considers an H1B applicant) */
    double academic_bonus;  /* desirability ~ N(0, 1) + bonus for academic programs */
    double p_interest_low;  /* P(interest low) per interview */
    double p_interest_high; /* P(interest high) per interview */
    /* couples (docs/synth.md "Couples"); couples = 0: none */
    double couples;                          /* couples at scale 1 (scaled with applicants) */
    double couple_group[RMC_SYNTH_N_GROUPS]; /* P(a couple's partners come from group g) */
    double couple_max_pairs;                 /* longest joint list */
    double couple_solo;                      /* "one partner unmatched" options per partner */
    double couple_min_interviews;            /* partners hold at least this many interviews */
    double programs_per_city;                /* programs per city, on average */
    /* tracks (docs/synth.md "Tracks"); track_specialties NULL: no tracks */
    const rmc_synth_specialty *track_specialties; /* the rows with tracks on */
    size_t n_track_specialties;
    bool tracks_default;            /* tracks on unless the options say otherwise */
    double supp_applications;       /* mean supplemental (preliminary) applications */
    double supp_cap;                /* mean most supplemental interviews attended */
    double supp_slots_per_position; /* supplemental interview slots per preliminary position */
    double p_revert;                /* P(a preliminary program reverts to a categorical one) */
    double track_pre_mean[RMC_SYNTH_N_GROUPS]; /* added to a group's pre_mean with tracks */
    /* [soap] keys written with tracks (docs/soap.md; calibrated) */
    double soap_decline, soap_eligible_us, soap_eligible_img;
} rmc_synth_preset;

/* The preset with this name, or NULL. */
RMC_INTERNAL const rmc_synth_preset *rmc_synth_preset_find(const char *name);
/* The i-th preset, or NULL. */
RMC_INTERNAL const rmc_synth_preset *rmc_synth_preset_at(size_t i);

/* ---- the screening and interview-offer model (synth_offers.c) ----
 * docs/synth.md steps 5 and 6, shared by synth.c (building a market) and
 * apply.c (one applicant's applications at run time), so both use one model.
 * Each draws from g exactly as synth always has (a seed writes the same
 * bytes). */

/* Does a program sponsoring `sponsors` consider an applicant with visa
 * `visa` at all? Draws one uniform only when a visa applicant meets a
 * program that does not sponsor them fully. */
RMC_INTERNAL bool rmc_synth_considers(const gsl_rng *g, const rmc_synth_preset *pre, int visa,
                                      int sponsors);
/* A program's offer score for an applicant of group `group` with this
 * pre_score: offer_concentration * pre_score + offer_shift + N(0, 1). */
RMC_INTERNAL double rmc_synth_offer_score(const gsl_rng *g, const rmc_synth_preset *pre, int group,
                                          double pre_score);
/* An applicant's interview cap: 1 + Poisson(cap - 1) of their group. */
RMC_INTERNAL int32_t rmc_synth_draw_cap(const gsl_rng *g, const rmc_synth_group_spec *gs);
/* The synth group a profile's type stands for (US_MD: md_senior, US_DO:
 * do_senior, US_IMG: us_img, IMG: non_us_img). */
RMC_INTERNAL rmc_synth_group rmc_synth_group_of_type(rmc_type t);

/* rmc_synth_write that also returns every program's interview-offer cutoff
 * at the end of the offers (docs/synth.md step 6): the offer score of the
 * last applicant the program offered a slot to when its slots are all held,
 * -HUGE_VAL when a slot is still open (it would offer to anyone it
 * considers). An applicant whose score is above the cutoff would have been
 * offered a slot (the cutoff view of deferred acceptance; one applicant does
 * not move it). *cutoff is [n_programs], index order (= programs.csv row
 * order); caller frees it with rmc_free. */
RMC_INTERNAL rmc_status rmc_synth_write_offers(const rmc_synth_options *o, const char *dir,
                                               rmc_synth_summary *summary, double **cutoff,
                                               size_t *n_programs, rmc_diag *d);

#endif
