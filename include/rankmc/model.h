/* The model: applicants, programs, interviews, fixed rank order lists,
 * couples and parameters, loaded from a model folder (DESIGN 1).
 *
 * A loaded model is immutable: every thread may share a const rmc_model *.
 * Applicants, programs and interviews are addressed by dense 0-based indices
 * in file order; ids are looked up once at load time.
 */
#ifndef RANKMC_MODEL_H
#define RANKMC_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t rmc_id; /* index into a model table; RMC_ID_NONE for none */
#define RMC_ID_NONE ((rmc_id)-1)

typedef enum {
    RMC_TYPE_US_MD,
    RMC_TYPE_US_DO,
    RMC_TYPE_US_IMG,
    RMC_TYPE_IMG,
    RMC_N_TYPES
} rmc_type;
typedef enum {
    RMC_USEXP_NONE,
    RMC_USEXP_OBSERVERSHIP,
    RMC_USEXP_HANDS_ON,
    RMC_USEXP_SUB_I,
    RMC_N_USEXP
} rmc_usexp;
typedef enum { RMC_VISA_NONE, RMC_VISA_J1, RMC_VISA_H1B, RMC_VISA_UNCERTAIN, RMC_N_VISA } rmc_visa;
typedef enum {
    RMC_PROFILE_WORKHORSE,
    RMC_PROFILE_STAR,
    RMC_PROFILE_VISA_HEADACHE,
    RMC_PROFILE_RISKY,
    RMC_N_PROFILES
} rmc_profile;
typedef enum {
    RMC_SPONSORS_NONE,
    RMC_SPONSORS_J1,
    RMC_SPONSORS_J1_H1B,
    RMC_N_SPONSORS
} rmc_sponsors;
typedef enum {
    RMC_ADVOCACY_NONE,
    RMC_ADVOCACY_ROTATION,
    RMC_ADVOCACY_RESEARCH_FELLOW,
    RMC_ADVOCACY_CHIEF,
    RMC_N_ADVOCACY
} rmc_advocacy;
typedef enum {
    RMC_INTEREST_LOW,
    RMC_INTEREST_NORMAL,
    RMC_INTEREST_HIGH,
    RMC_N_INTEREST
} rmc_interest;
/* A program's track (programs.csv `track`): categorical (PGY-1 onwards, the
 * default), preliminary (PGY-1 only; transitional years too) or advanced
 * (starts at PGY-2; its PGY-1 comes from a supplemental list). */
typedef enum {
    RMC_TRACK_CATEGORICAL,
    RMC_TRACK_PRELIMINARY,
    RMC_TRACK_ADVANCED,
    RMC_N_TRACKS
} rmc_track;

/* The spelling used in the CSV files for each enum value ("US_MD", ...). */
const char *rmc_type_name(rmc_type t);
const char *rmc_usexp_name(rmc_usexp v);
const char *rmc_visa_name(rmc_visa v);
const char *rmc_profile_name(rmc_profile v);
const char *rmc_sponsors_name(rmc_sponsors v);
const char *rmc_advocacy_name(rmc_advocacy v);
const char *rmc_interest_name(rmc_interest v);
const char *rmc_track_name(rmc_track v);

/* Every model.ini parameter (rankmc/params.def lists them with defaults,
 * ranges and meanings). A transparent value struct: sensitivity analyses
 * copy it and change fields. */
typedef struct rmc_params {
#define RMC_PARAM_REAL(sec, key, field, def, lo, hi, doc) double field;
#define RMC_PARAM_INT(sec, key, field, def, lo, hi, doc) int field;
#define RMC_PARAM_ENUM(sec, key, field, def, choices, doc) int field;
#include "rankmc/params.def"
#undef RMC_PARAM_REAL
#undef RMC_PARAM_INT
#undef RMC_PARAM_ENUM
} rmc_params;

/* Fill p with every default. */
void rmc_params_default(rmc_params *p);

/* One row of the parameter table (rankmc/params.def), for loaders and docs. */
typedef enum { RMC_PARAM_KIND_REAL, RMC_PARAM_KIND_INT, RMC_PARAM_KIND_ENUM } rmc_param_kind;
typedef struct rmc_param_info {
    const char *section; /* ini section, e.g. "interview" */
    const char *key;     /* ini key, e.g. "sigma_day" */
    rmc_param_kind kind;
    double def, lo, hi;  /* default and inclusive range (ENUM: default index, 0, 0) */
    const char *choices; /* ENUM: "a|b|c"; else NULL */
    const char *doc;     /* one-line meaning */
    size_t offset;       /* offsetof(rmc_params, field) */
} rmc_param_info;

/* Number of parameters, and the i-th (static, never NULL for i < count). */
size_t rmc_params_count(void);
const rmc_param_info *rmc_params_info(size_t i);
/* The parameter with this section and key, or NULL. */
const rmc_param_info *rmc_params_find(const char *section, const char *key);
/* Read / write a parameter's value in p as a double (INT and ENUM convert). */
double rmc_params_get(const rmc_params *p, const rmc_param_info *info);
void rmc_params_set(rmc_params *p, const rmc_param_info *info, double value);

typedef struct rmc_model rmc_model;

/* Load and validate the model folder `dir`. Every input problem is added to
 * `problems` (may be NULL) as "FILE:LINE: message"; if there is any, returns
 * RMC_EINPUT and *out is NULL. A missing required file is a problem naming
 * that file. RMC_ENOMEM / RMC_EIO otherwise, with details in d. Caller owns
 * the result; free with rmc_model_free. */
rmc_status rmc_model_load(const char *dir, rmc_problems *problems, rmc_diag *d, rmc_model **out);
void rmc_model_free(rmc_model *m);

size_t rmc_model_n_applicants(const rmc_model *m);
size_t rmc_model_n_programs(const rmc_model *m);
size_t rmc_model_n_interviews(const rmc_model *m);
size_t rmc_model_n_couples(const rmc_model *m);
size_t rmc_model_n_positions(const rmc_model *m);          /* sum over programs */
size_t rmc_model_n_type(const rmc_model *m, rmc_type t);   /* applicants of type t */
size_t rmc_model_n_applicant_rols(const rmc_model *m);     /* applicants with a fixed ROL */
size_t rmc_model_n_program_rols(const rmc_model *m);       /* programs with a fixed ROL */
size_t rmc_model_n_supplemental(const rmc_model *m);       /* supplemental lists */
size_t rmc_model_n_reversions(const rmc_model *m);         /* rows of reversions.csv */
size_t rmc_model_n_track(const rmc_model *m, rmc_track t); /* programs of track t */

/* Borrowed strings, valid while m lives. Indices must be in range. */
const char *rmc_model_applicant_id(const rmc_model *m, size_t i);
rmc_type rmc_model_applicant_type(const rmc_model *m, size_t i);
const char *rmc_model_program_id(const rmc_model *m, size_t j);
const char *rmc_model_program_name(const rmc_model *m, size_t j);
int32_t rmc_model_program_positions(const rmc_model *m, size_t j);
rmc_track rmc_model_program_track(const rmc_model *m, size_t j);
rmc_id rmc_model_interview_applicant(const rmc_model *m, size_t k);
rmc_id rmc_model_interview_program(const rmc_model *m, size_t k);

/* Index of the applicant / program with this id, or RMC_ID_NONE. */
rmc_id rmc_model_find_applicant(const rmc_model *m, const char *id);
rmc_id rmc_model_find_program(const rmc_model *m, const char *id);

const rmc_params *rmc_model_params(const rmc_model *m);
/* SHA-256 of the model's files (name and bytes, in a fixed order), as 64 hex
 * digits. Borrowed. */
const char *rmc_model_sha256(const rmc_model *m);
/* The folder the model was loaded from. Borrowed. */
const char *rmc_model_dir(const rmc_model *m);

#ifdef __cplusplus
}
#endif
#endif
