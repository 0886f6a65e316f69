/* Synthetic markets: write a complete model folder (DESIGN 1) shaped like a
 * real match -- the NRMP 2025 Main Residency Match, a national internal
 * medicine market, or a regional one -- from a preset, a scale and a seed.
 *
 * The same options and seed always write byte-identical files. Applicant
 * ROLs are not written: rankmc generates them each replicate (DESIGN 3).
 * docs/synth.md describes the generative process and every preset constant.
 */
#ifndef RANKMC_SYNTH_H
#define RANKMC_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Applicant groups as NRMP reports them. The model's `type` column has four
 * values; "other" (previous graduates and others) is written as US_MD and
 * told apart by the applicants.csv column x_group. */
typedef enum {
    RMC_SYNTH_MD_SENIOR,
    RMC_SYNTH_DO_SENIOR,
    RMC_SYNTH_US_IMG,
    RMC_SYNTH_NON_US_IMG,
    RMC_SYNTH_OTHER,
    RMC_SYNTH_N_GROUPS
} rmc_synth_group;

/* What to generate. Start from rmc_synth_options_default and change fields.
 * n_applicants / n_programs override the preset's counts (0 = preset count
 * times scale); positions follow the preset's positions per program. */
typedef struct rmc_synth_options {
    const char *preset;  /* "nrmp2025", "im" or "im-regional" */
    double scale;        /* > 0: multiplies the preset's applicant and program counts */
    uint64_t seed;       /* every draw comes from RMC_STREAM_SYNTH streams of this seed */
    size_t n_applicants; /* 0 or an explicit applicant count */
    size_t n_programs;   /* 0 or an explicit program count */
    bool force;          /* write into a non-empty folder, replacing model files */
    int64_t couples;     /* 0 (default): none; -1: the preset's NRMP share; else this many */
    int tracks;          /* -1 (default): the preset's choice; 0: categorical only; 1: the
                            NRMP tracks (preliminary, advanced; reversions), nrmp2025 only */
    bool fixed_lists;    /* couples: write the joint lists drawn once (ranked couples.csv
                            rows) instead of rows without rank, whose lists rankmc run
                            generates every replicate (the default) */
} rmc_synth_options;

/* What was written: counts for the summary line and for tests. */
typedef struct rmc_synth_summary {
    size_t n_applicants;
    size_t n_programs;
    size_t n_positions;
    size_t n_interviews;
    size_t n_group[RMC_SYNTH_N_GROUPS];    /* applicants per group */
    size_t n_iv_group[RMC_SYNTH_N_GROUPS]; /* interviews held by each group */
    size_t n_specialties;                  /* specialties with at least one program */
    size_t n_couples;                      /* couples written to couples.csv */
    bool tracks;                           /* written with tracks (programs.csv `track`) */
    size_t n_positions_track[3];           /* positions: categorical, preliminary, advanced */
    size_t n_programs_track[3];            /* programs by track */
    size_t n_supp_interviews;              /* supplemental interviews (at preliminary programs) */
    size_t n_supp_applicants;              /* applicants with an advanced interview */
    size_t n_prelim_only;                  /* applicants whose interviews are all preliminary */
    size_t n_reversions;                   /* rows of reversions.csv */
} rmc_synth_summary;

/* Defaults: preset "im-regional", scale 1, seed 1, no overrides, no force,
 * tracks as the preset says. */
void rmc_synth_options_default(rmc_synth_options *o);

/* Generate the market described by o and write model.ini, applicants.csv,
 * programs.csv and interviews.csv into dir (created if missing). Each file
 * is written under a temporary name and renamed when complete.
 * RMC_EUSAGE: unknown preset, scale <= 0 or not finite, a size that rounds
 * to zero or is too large. RMC_EEXIST: dir exists, is not empty and
 * o->force is false. RMC_EIO: a file could not be written. RMC_ENOMEM.
 * With force, stale optional files (applicant_rols.csv, program_rols.csv,
 * supplemental_rols.csv, couples.csv, reversions.csv) are removed so the
 * folder is one consistent model. With tracks, programs.csv has a `track`
 * column and reversions.csv is written (docs/synth.md "Tracks");
 * RMC_EUSAGE when o->tracks = 1 and the preset has no tracks.
 * summary may be NULL. Cost: about linear in applications (~50 per
 * applicant); the national preset takes a second or two. */
rmc_status rmc_synth_write(const rmc_synth_options *o, const char *dir, rmc_synth_summary *summary,
                           rmc_diag *d);

/* Number of presets and the i-th preset's name / one-line description
 * (static strings, NULL when i is out of range). */
size_t rmc_synth_n_presets(void);
const char *rmc_synth_preset_name(size_t i);
const char *rmc_synth_preset_doc(size_t i);

/* The x_group spelling of a group ("md_senior", ...); NULL out of range. */
const char *rmc_synth_group_name(rmc_synth_group g);

#ifdef __cplusplus
}
#endif
#endif
