/* The model's NRMP features beyond plain lists (docs/model-format.md):
 * checks on supplemental lists that need every file read, and
 * reversions.csv (donor, receiver, positions) with its cycle check.
 *
 * Reversions form a directed graph on programs (donor -> receiver). Chains
 * are allowed, cycles are not: a depth-first search from every program, in
 * file order of the rows, reports each row that closes a cycle at its
 * line, naming the programs around the cycle.
 */
#include <string.h>

#include "model_load_int.h"

rmc_status rmc_model_check_supplemental(rmc_loader *L)
{
    const rmc_model *m = L->m;
    if (m->n_sup == 0) {
        return RMC_OK;
    }
    RMC_TRY(rmc_model_set_path(L, "supplemental_rols.csv"));
    for (size_t l = 0; l < m->n_sup; l++) {
        const rmc_id a = m->sup_app[l];
        if (m->couple_of != NULL && m->couple_of[a] != RMC_ID_NONE) {
            rmc_model_problem(L, L->sup_line[l],
                              "applicant '%.80s' is in a couple (couples.csv): supplemental "
                              "lists of couple members are not supported",
                              m->app_id[a]);
        } else if (!L->sup_used[l]) {
            rmc_model_problem(L, L->sup_line[l],
                              "supplemental list '%.40s' of applicant '%.80s' serves no entry: "
                              "name it in applicant_rols.csv (column 'supplemental') on an "
                              "advanced program's entry",
                              m->sup_label[l], m->app_id[a]);
        }
    }
    return RMC_OK;
}

/* ---- reversions.csv ---- */

typedef struct rev_stage {
    size_t cap;
    long *line; /* [cap] line of each stored row */
} rev_stage;

static rmc_status rev_row(rmc_loader *L, const char *const *f, long line)
{
    rmc_model *m = L->m;
    rev_stage *s = L->stage;
    const rmc_id donor = rmc_model_resolve(L, line, false, "donor", f[0]);
    const rmc_id recv = rmc_model_resolve(L, line, false, "receiver", f[1]);
    int32_t pos = 0;
    bool ok = rmc_model_get_int(L, line, "positions", f[2], 1, 1000000, &pos);
    if (donor == RMC_ID_NONE || recv == RMC_ID_NONE) {
        return RMC_OK;
    }
    if (ok && pos > m->positions[donor]) {
        rmc_model_problem(L, line, "column 'positions': %d is more than donor '%.80s' offers (%d)",
                          (int)pos, m->prog_id[donor], (int)m->positions[donor]);
        ok = false;
    }
    if (donor == recv) {
        rmc_model_problem(L, line, "program '%.80s' reverts positions to itself (a cycle)",
                          m->prog_id[donor]);
        ok = false;
    }
    for (size_t r = 0; r < m->n_rev && ok; r++) {
        if (m->rev_donor[r] == donor && m->rev_receiver[r] == recv) {
            rmc_model_problem(L, line,
                              "the reversion from '%.80s' to '%.80s' is already on line %ld",
                              m->prog_id[donor], m->prog_id[recv], s->line[r]);
            ok = false;
        }
    }
    if (!ok) {
        return RMC_OK;
    }
    void **const arrs[] = {(void **)&m->rev_donor, (void **)&m->rev_receiver,
                           (void **)&m->rev_positions, (void **)&s->line};
    const size_t elem[] = {sizeof(rmc_id), sizeof(rmc_id), sizeof(int32_t), sizeof(long)};
    RMC_TRY(rmc_model_grow(arrs, elem, 4, m->n_rev, &s->cap, L->d));
    const size_t r = m->n_rev++;
    m->rev_donor[r] = donor;
    m->rev_receiver[r] = recv;
    m->rev_positions[r] = pos;
    s->line[r] = line;
    return RMC_OK;
}

/* Report the cycle closed by row `r` (receiver already on the search path
 * path[0 .. depth), at path[at]). */
static void report_cycle(rmc_loader *L, const rev_stage *s, size_t r, const rmc_id *path, size_t at,
                         size_t depth)
{
    const rmc_model *m = L->m;
    char text[512];
    size_t len = 0;
    for (size_t k = at; k < depth && len < sizeof text; k++) {
        len += (size_t)snprintf(text + len, sizeof text - len, "'%.40s' -> ", m->prog_id[path[k]]);
    }
    if (len < sizeof text) {
        snprintf(text + len, sizeof text - len, "'%.40s'", m->prog_id[path[at]]);
    }
    rmc_model_problem(L, s->line[r], "reversion cycle: %s (circular reversions are not allowed)",
                      text);
}

/* Iterative depth-first search over donor -> receiver edges (rows grouped
 * by donor in off / rows). state: 0 unvisited, 1 on the path, 2 done. */
static rmc_status find_cycles(rmc_loader *L, const rev_stage *s)
{
    const rmc_model *m = L->m;
    const size_t n = m->n_prog;
    size_t *off = NULL, *rows = NULL, *next = NULL;
    rmc_id *path = NULL;
    uint8_t *state = NULL;
    size_t *pos_on_path = NULL;
    rmc_status st = rmc_calloc_array((void **)&off, n + 1, sizeof *off, L->d);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&rows, m->n_rev, sizeof *rows, L->d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&next, n, sizeof *next, L->d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&path, n, sizeof *path, L->d), done);
    RMC_TRY_GOTO(st, rmc_calloc_array((void **)&state, n, 1, L->d), done);
    RMC_TRY_GOTO(st, rmc_alloc_array((void **)&pos_on_path, n, sizeof *pos_on_path, L->d), done);
    for (size_t r = 0; r < m->n_rev; r++) {
        off[m->rev_donor[r] + 1]++;
    }
    for (size_t j = 0; j < n; j++) {
        off[j + 1] += off[j];
        next[j] = off[j];
    }
    for (size_t r = 0; r < m->n_rev; r++) {
        rows[next[m->rev_donor[r]]++] = r;
    }
    for (size_t j = 0; j < n; j++) {
        next[j] = off[j];
    }
    for (size_t r0 = 0; r0 < m->n_rev; r0++) {
        const rmc_id root = m->rev_donor[r0];
        if (state[root] != 0) {
            continue;
        }
        size_t depth = 0;
        path[depth] = root;
        pos_on_path[root] = depth++;
        state[root] = 1;
        while (depth > 0) {
            const rmc_id u = path[depth - 1];
            if (next[u] == off[u + 1]) {
                state[u] = 2;
                depth--;
                continue;
            }
            const size_t r = rows[next[u]++];
            const rmc_id v = m->rev_receiver[r];
            if (state[v] == 1) {
                report_cycle(L, s, r, path, pos_on_path[v], depth);
            } else if (state[v] == 0) {
                state[v] = 1;
                pos_on_path[v] = depth;
                path[depth++] = v;
            }
        }
    }
done:
    rmc_free(pos_on_path);
    rmc_free(state);
    rmc_free(path);
    rmc_free(next);
    rmc_free(rows);
    rmc_free(off);
    return st;
}

static const char *const rev_cols[] = {"donor", "receiver", "positions"};

rmc_status rmc_model_read_reversions(rmc_loader *L)
{
    static const rmc_csv_spec spec = {"reversions.csv", rev_cols, 3, 3, false, rev_row, false};
    rev_stage s = {0};
    L->stage = &s;
    bool found = false;
    rmc_status st = rmc_csv_read(L, &spec, &found);
    if (st == RMC_OK && L->m->n_rev > 0) {
        st = find_cycles(L, &s);
    }
    rmc_free(s.line);
    L->stage = NULL;
    return st;
}
