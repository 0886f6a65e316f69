/* Interchange with the stable-matching-suite (Bacchus, Drummond and
 * Perrault): its text format for matching problems with couples, read,
 * written and converted to and from a rankmc model folder (`rankmc
 * convert`), and its matching files (`rankmc verify`). docs/interchange.md.
 *
 * The problem format: one item per line; blank lines and lines starting
 * with '#' are comments.
 *   r RID PID...              a single resident and its rank order list
 *   c CID RID1 RID2 PA PB...  a couple and its joint list of program pairs,
 *                             -1 for "that member unmatched"
 *   p PID QUOTA RID...        a program, its positions and its rank order list
 * Ids are integers >= 0. A matching file has lines "r RID PID" (PID -1 or
 * no line: unmatched) and optionally "m 0" / "m 1" (a matcher's claim that
 * it found no matching / a matching).
 */
#ifndef RANKMC_SMP_H
#define RANKMC_SMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rankmc/model.h"
#include "rankmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A problem in the suite's terms. Residents and programs are indexed in
 * ascending id order; lists hold indices. Couples are in ascending CID
 * order. A transparent value; free with rmc_smp_free. */
typedef struct rmc_smp {
    size_t n_res, n_prog, n_couples;
    int64_t *res_id;    /* [n_res] ascending */
    int64_t *prog_id;   /* [n_prog] ascending */
    int64_t *couple_id; /* [n_couples] ascending */
    int32_t *quota;     /* [n_prog] */
    size_t *rol_off;    /* [n_res + 1] singles' lists (empty for couple members) */
    size_t *rol;        /* program indices */
    size_t *couple_a;   /* [n_couples] resident indices */
    size_t *couple_b;   /* [n_couples] */
    size_t *crol_off;   /* [n_couples + 1] */
    int64_t *crol_pa;   /* program index, or -1: that member unmatched */
    int64_t *crol_pb;   /* same for the second member */
    size_t *prol_off;   /* [n_prog + 1] programs' lists */
    size_t *prol;       /* resident indices */
} rmc_smp;

void rmc_smp_free(rmc_smp *s);

/* Read a problem file. Every problem found ("FILE:LINE: message") goes to
 * problems and RMC_EINPUT is returned (nothing in *out); RMC_EIO when the
 * file cannot be read; RMC_ENOMEM. Rejected, beyond malformed lines: an id
 * given two r / c / p lines, a resident both single and in a couple or in
 * two couples, a list naming an id twice (a pair twice), an odd joint list,
 * a pair "-1 -1", a program named but without a p line, a quota below 1
 * (a rankmc program has at least one position). */
rmc_status rmc_smp_read(const char *path, rmc_problems *problems, rmc_diag *d, rmc_smp **out);

/* Write s in the canonical form: an r line for every resident not in a
 * couple (ascending id), then the c lines, then the p lines, fields
 * separated by one space. Reading that file back gives s again, and
 * writing it again the same bytes. Written under a temporary name and
 * renamed; an existing path is kept (RMC_EEXIST) unless force. RMC_EIO. */
rmc_status rmc_smp_write(const char *path, bool force, const rmc_smp *s, rmc_diag *d);

/* The model's fixed lists as a problem: applicants are residents, ids taken
 * from applicants.csv when every id there is a plain decimal integer below
 * 2^31 (no sign, no leading zero), else their 0-based positions; programs
 * the same from programs.csv; couple ids are positions in couples.csv.
 * Singles' lists from applicant_rols.csv (a couple member's own list is
 * left out, as the Match ignores it), programs' from program_rols.csv,
 * quota = positions. RMC_ENOMEM. */
rmc_status rmc_smp_from_model(const rmc_model *m, rmc_diag *d, rmc_smp **out);

/* Write s as a model folder (docs/interchange.md): applicants.csv and
 * programs.csv with neutral attributes, interviews.csv with every pair a
 * list names, applicant_rols.csv, program_rols.csv, couples.csv and a
 * model.ini of defaults. The folder is created; an existing non-empty one
 * is refused (RMC_EEXIST) unless force. RMC_EIO, RMC_ENOMEM. */
rmc_status rmc_smp_write_model(const char *dir, bool force, const rmc_smp *s, const char *source,
                               rmc_diag *d);

/* The resident id of model applicant i under rmc_smp_from_model's rule,
 * and the program id of program j; -1 when out of range. */
int64_t rmc_smp_model_res_id(const rmc_model *m, size_t i);
int64_t rmc_smp_model_prog_id(const rmc_model *m, size_t j);

/* Read a suite matching file against model m (ids as rmc_smp_model_res_id
 * gives them) into app_prog[n_applicants] (RMC_ID_NONE: unmatched).
 * *claimed is 1 / 0 for an "m 1" / "m 0" line, -1 without one. Problems
 * (unknown ids, a resident twice, malformed lines) go to problems with
 * RMC_EINPUT; RMC_EIO. */
rmc_status rmc_smp_read_matching(const char *path, const rmc_model *m, rmc_problems *problems,
                                 rmc_diag *d, rmc_id *app_prog, int *claimed);

/* Read a matching CSV as `rankmc match` writes it (header
 * applicant,program; ids as in the model; an empty program or an
 * applicant not listed: unmatched) into app_prog[n_applicants]. Problems
 * (unknown ids, an applicant twice, malformed CSV) go to problems with
 * RMC_EINPUT; RMC_EIO. Line numbers count rows. */
rmc_status rmc_matching_read_csv(const char *path, const rmc_model *m, rmc_problems *problems,
                                 rmc_diag *d, rmc_id *app_prog);

#ifdef __cplusplus
}
#endif
#endif
