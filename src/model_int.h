/* The model's internal layout, shared by the library modules that need raw
 * arrays on the hot path (meeting, sim, synth). Not installed; the CLI and
 * users go through rankmc/model.h.
 *
 * Layout: struct-of-arrays per table, in file order. Interviews are stored in
 * interviews.csv order and indexed both ways in CSR form:
 *   program j's interviews are iv_by_prog[prog_off[j] .. prog_off[j+1])
 *   applicant i's interviews are iv_by_app[app_off[i] .. app_off[i+1])
 * (each entry an interview index k). Fixed ROLs are CSR too, with a length-0
 * row for "no fixed list" and has_*_rol telling the two cases apart.
 */
#ifndef RANKMC_MODEL_INT_H
#define RANKMC_MODEL_INT_H

#include "id_table_int.h"
#include "internal.h"
#include "rankmc/model.h"

struct rmc_model {
    char *dir;       /* folder it was loaded from */
    char sha256[65]; /* hex digest of the files, NUL-terminated */
    rmc_params params;

    /* applicants [n_app] */
    size_t n_app;
    char **app_id;
    uint8_t *app_type;      /* rmc_type */
    double *pre_score;      /* z scale */
    double *communication;  /* 0..1 */
    double *clinical_years; /* >= 0 */
    uint8_t *us_exp;        /* rmc_usexp */
    uint8_t *visa;          /* rmc_visa */
    uint8_t *profile;       /* rmc_profile: given, or derived from params */

    /* programs [n_prog] */
    size_t n_prog;
    char **prog_id;
    char **prog_name;
    int32_t *positions;    /* >= 1 */
    int32_t *interviewers; /* >= 1 */
    int32_t *residents;    /* >= 0 */
    uint8_t *sponsors;     /* rmc_sponsors */
    double *service_load;  /* 0..1 */
    double *desirability;  /* any real */
    uint8_t *track;        /* rmc_track (optional column; categorical when absent) */
    size_t n_positions;    /* sum of positions */
    /* locations (optional region / city columns; NULL when programs.csv has neither):
     * indices into region_name / city_name, -1 when the row leaves it empty; a city is
     * in one region (city_region) */
    int32_t *prog_region;
    int32_t *prog_city;
    size_t n_region, n_city;
    char **region_name, **city_name;
    int32_t *city_region;

    /* interviews [n_iv], file order */
    size_t n_iv;
    rmc_id *iv_app;      /* applicant index */
    rmc_id *iv_prog;     /* program index */
    uint8_t *advocacy;   /* rmc_advocacy */
    uint8_t *ties;       /* 0/1 */
    uint8_t *interest;   /* rmc_interest */
    uint8_t *loi;        /* 0/1: a letter of intent (optional column; NULL reads as all 0) */
    size_t *prog_off;    /* [n_prog + 1] */
    rmc_id *iv_by_prog;  /* [n_iv] interview indices grouped by program, file order within */
    size_t *app_off;     /* [n_app + 1] */
    rmc_id *iv_by_app;   /* [n_iv] interview indices grouped by applicant, file order within */
    rmc_id *prog_by_app; /* [n_iv] iv_prog[iv_by_app[e]]: each applicant's programs in one run */

    /* fixed applicant ROLs: programs in rank order */
    bool *has_app_rol; /* [n_app] */
    size_t *arol_off;  /* [n_app + 1] */
    rmc_id *arol_prog; /* program indices */
    rmc_id *arol_iv;   /* the matching interview index (validated to exist) */
    rmc_id *arol_sup;  /* supplemental list serving each entry (an index into the sup_*
                          tables), or RMC_ID_NONE */
    /* supplemental lists (supplemental_rols.csv) [n_sup], in order of first row; list s
     * belongs to applicant sup_app[s], is labelled sup_label[s] and holds the preliminary
     * programs sup_prog[sup_off[s] .. sup_off[s+1]) in rank order (interviews sup_iv) */
    size_t n_sup;
    rmc_id *sup_app;
    char **sup_label;
    size_t *sup_off; /* [n_sup + 1] */
    rmc_id *sup_prog;
    rmc_id *sup_iv;
    /* fixed program ROLs: applicants in rank order */
    bool *has_prog_rol; /* [n_prog] */
    size_t *prol_off;   /* [n_prog + 1] */
    rmc_id *prol_app;   /* applicant indices */
    rmc_id *prol_iv;    /* the matching interview index (validated to exist) */

    /* couples [n_couples]; their joint ROLs in rank order */
    size_t n_couples;
    rmc_id *couple_a, *couple_b; /* applicant indices; an applicant is in at most one couple */
    size_t *crol_off;            /* [n_couples + 1] */
    rmc_id *crol_pa, *crol_pb;   /* program for a / for b; RMC_ID_NONE = unmatched is fine */
    rmc_id *crol_iva, *crol_ivb; /* matching interview index, or RMC_ID_NONE with the program */
    rmc_id *couple_of;           /* [n_app]: couple index or RMC_ID_NONE */
    uint8_t *couple_gen;         /* [n_couples] 1: no fixed list, one generated each replicate
                                    from the partners' utilities (model.ini [couples]) */
    size_t n_couples_gen;        /* couples with couple_gen */
    /* the couples whose partners both interviewed at program j (added by the
     * loader: rmc_together_plan): their interviews there, a's then b's, are
     * tog_iv[2 t], tog_iv[2 t + 1] for t in tog_off[j] .. tog_off[j + 1) */
    size_t *tog_off; /* [n_prog + 1], or NULL (no couples) */
    rmc_id *tog_iv;

    /* reversions (reversions.csv) [n_rev], file order: up to rev_positions[r] unfilled
     * positions of rev_donor[r] move to rev_receiver[r]; no cycles */
    size_t n_rev;
    rmc_id *rev_donor, *rev_receiver;
    int32_t *rev_positions;

    /* summaries and id lookup (added by the loader) */
    size_t n_by_type[RMC_N_TYPES]; /* applicants of each rmc_type */
    size_t n_app_rols;             /* applicants with has_app_rol */
    size_t n_prog_rols;            /* programs with has_prog_rol */
    rmc_id_table app_index;        /* applicant indices by id (id_table_int.h) */
    rmc_id_table prog_index;       /* program indices by id */
};

/* prog_by_app (allocated, n_iv entries) from iv_prog and iv_by_app: the
 * loader's and the tests' fixture's one way to fill it. */
static inline void rmc_model_fill_prog_by_app(rmc_model *m)
{
    for (size_t e = 0; e < m->n_iv; e++) {
        m->prog_by_app[e] = m->iv_prog[m->iv_by_app[e]];
    }
}

/* Program j's track (models built by hand may leave track NULL: categorical). */
static inline uint8_t rmc_model_track_of(const rmc_model *m, size_t j)
{
    return m->track != NULL ? m->track[j] : (uint8_t)RMC_TRACK_CATEGORICAL;
}

/* The profile applicants.csv's rule gives applicant i of m under p when the
 * column leaves it out (docs/model-format.md). */
RMC_INTERNAL uint8_t rmc_model_derive_profile(const rmc_params *p, const rmc_model *m, size_t i);

#endif
