/* Internals of the model loader, shared by model.c (orchestration, id
 * index, accessors), model_csv.c (the CSV table reader), model_config.c
 * (model.ini) and model_validate.c (per-table rows, ROLs, couples, CSR).
 * Not installed. Everything here lives only while rmc_model_load runs,
 * except what it leaves in struct rmc_model.
 */
#ifndef RANKMC_MODEL_LOAD_INT_H
#define RANKMC_MODEL_LOAD_INT_H

#include <stdbool.h>

#include "model_int.h"
#include "sha256_int.h"

#define RMC_CSV_MAX_FIELD 4096       /* longest accepted CSV field, bytes */
#define RMC_CSV_MAX_COLS 64          /* most columns a CSV header may have */
#define RMC_INI_MAX_BYTES (1u << 20) /* largest accepted model.ini */

/* The state of one load: the model being filled, where problems go, the
 * running digest of the files, and per-row line numbers for messages. */
typedef struct rmc_loader {
    rmc_model *m;                     /* being filled; owned by rmc_model_load */
    rmc_problems *pr;                 /* input problems (may be NULL) */
    rmc_diag *d;                      /* ENOMEM / EIO details (may be NULL) */
    size_t n_problems;                /* problems recorded by this load */
    rmc_sha256 sha;                   /* digest over every file read, in order */
    char *path;                       /* dir + "/" + current file name */
    size_t path_cap;                  /* bytes allocated for path */
    size_t cap_app, cap_prog, cap_iv; /* rows allocated in each table */
    long *app_line;                   /* [cap_app] line of each applicant row */
    long *prog_line;                  /* [cap_prog] line of each program row */
    long *iv_line;                    /* [cap_iv] line of each interview row */
    long *city_line;                  /* [cap_city] line that named each city first */
    size_t cap_city, cap_region;      /* names allocated in city_* / region_name */
    bool has_region, has_city;        /* programs.csv has the column */
    rmc_id_table iv_index;            /* (applicant, program) -> interview */
    void *stage;                      /* rows of the ROL / couples file being read */
    bool app_score_reported;          /* "no pre_score / step2_ck column" was reported */
    rmc_id *sup_first;                /* [n_app] applicant's last-created supplemental list */
    rmc_id *sup_next;                 /* [cap_sup] the applicant's list created before */
    long *sup_line;                   /* [cap_sup] first line of each supplemental list */
    bool *sup_used;                   /* [cap_sup] an applicant_rols.csv entry names it */
    size_t cap_sup;                   /* lists allocated */
    rmc_diag *first;                  /* when set, the first problem also goes here as
                                         RMC_EINPUT with its file and line (for readers that
                                         report one problem, such as groups.c) */
} rmc_loader;

/* The CSV spelling of each enum value (model.c). */
RMC_INTERNAL extern const char *const rmc_type_names[RMC_N_TYPES];
RMC_INTERNAL extern const char *const rmc_usexp_names[RMC_N_USEXP];
RMC_INTERNAL extern const char *const rmc_visa_names[RMC_N_VISA];
RMC_INTERNAL extern const char *const rmc_profile_names[RMC_N_PROFILES];
RMC_INTERNAL extern const char *const rmc_sponsors_names[RMC_N_SPONSORS];
RMC_INTERNAL extern const char *const rmc_advocacy_names[RMC_N_ADVOCACY];
RMC_INTERNAL extern const char *const rmc_interest_names[RMC_N_INTEREST];
RMC_INTERNAL extern const char *const rmc_track_names[RMC_N_TRACKS];

/* Record a problem "PATH:LINE: message" for the current file (line 0: no
 * line) and count it. */
RMC_INTERNAL void rmc_model_problem(rmc_loader *L, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Point L->path at dir/name. */
RMC_INTERNAL rmc_status rmc_model_set_path(rmc_loader *L, const char *name);

/* Add a file's name and length to the digest, before its bytes. */
RMC_INTERNAL void rmc_model_hash_header(rmc_loader *L, const char *name, uint64_t size);

/* Grow the n_arrs parallel arrays *arrs[i] (element sizes elem[i]) holding
 * n_used rows so they hold at least n_used + 1; *cap is updated. On failure
 * the old arrays are kept and RMC_ENOMEM returned. */
RMC_INTERNAL rmc_status rmc_model_grow(void **const arrs[], const size_t elem[], size_t n_arrs,
                                       size_t n_used, size_t *cap, rmc_diag *d);

/* Build the index t over ids[0..n); a repeated id is a problem at its
 * line, naming the first line. */
RMC_INTERNAL rmc_status rmc_model_index_build(rmc_loader *L, char *const *ids, size_t n,
                                              const long *lines, const char *what, rmc_id_table *t);
/* Index of id in the table built above, or RMC_ID_NONE. */
RMC_INTERNAL rmc_id rmc_model_index_find(char *const *ids, const rmc_id_table *t, const char *id);
/* The interview of applicant a at program p, or RMC_ID_NONE (after
 * rmc_model_validate_interviews built the pair index). */
RMC_INTERNAL rmc_id rmc_model_find_interview(const rmc_loader *L, rmc_id a, rmc_id p);

/* One CSV table: its file, the columns it expects, and what to do with a
 * data row. Columns [0, n_required) are required, the rest optional;
 * row() gets fields[c] for expected column c (NULL for an absent optional
 * column) and the row's first physical line. */
typedef struct rmc_csv_spec {
    const char *name;        /* file name inside the model folder */
    const char *const *cols; /* expected column names */
    size_t n_cols;
    size_t n_required;
    bool need_rows; /* a header with no data rows is a problem */
    rmc_status (*row)(rmc_loader *L, const char *const *fields, long line);
    bool other_columns; /* columns not in cols are skipped, not problems (a reader that
                           wants a few columns of a model file, such as groups.c) */
} rmc_csv_spec;

/* Read L->path as the table spec: BOM, CRLF, quoting handled; every
 * structural problem recorded. *found is false (and nothing recorded)
 * when the file does not exist. RMC_ENOMEM / RMC_EIO on failure. */
RMC_INTERNAL rmc_status rmc_csv_read(rmc_loader *L, const rmc_csv_spec *spec, bool *found);

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
RMC_INTERNAL bool rmc_utf8_valid(const unsigned char *s, size_t n);

/* Read model.ini into L->m->params (defaults first). *found as above. */
RMC_INTERNAL rmc_status rmc_model_config_read(rmc_loader *L, bool *found);

/* The tables, in load order (model_validate.c). Each reads its file, if
 * present, reporting a missing required one. */
RMC_INTERNAL rmc_status rmc_model_read_applicants(rmc_loader *L);
RMC_INTERNAL rmc_status rmc_model_read_programs(rmc_loader *L);
RMC_INTERNAL rmc_status rmc_model_read_interviews(rmc_loader *L);
RMC_INTERNAL rmc_status rmc_model_read_rols(rmc_loader *L, bool applicant_side);
RMC_INTERNAL rmc_status rmc_model_read_couples(rmc_loader *L);
/* supplemental_rols.csv (before applicant_rols.csv, whose entries name its lists) and
 * reversions.csv (model_tracks.c); rmc_model_check_supplemental after couples.csv. */
RMC_INTERNAL rmc_status rmc_model_read_supplemental(rmc_loader *L);
RMC_INTERNAL rmc_status rmc_model_read_reversions(rmc_loader *L);
RMC_INTERNAL rmc_status rmc_model_check_supplemental(rmc_loader *L);
/* Shared value parsers of model_validate.c (each reports its own problem). */
RMC_INTERNAL bool rmc_model_get_int(rmc_loader *L, long line, const char *col, const char *s,
                                    long lo, long hi, int32_t *out);
RMC_INTERNAL bool rmc_model_get_enum(rmc_loader *L, long line, const char *col, const char *s,
                                     const char *const *names, size_t n, uint8_t *out);
RMC_INTERNAL rmc_id rmc_model_resolve(rmc_loader *L, long line, bool applicant, const char *col,
                                      const char *id);
/* Derive missing profiles from the parameters and count types. */
RMC_INTERNAL void rmc_model_finish(rmc_loader *L);

#endif
