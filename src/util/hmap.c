/* SPDX-License-Identifier: MIT
 * hmap.c — see hmap.h. Load factor at most 1/2. */
#include "util/hmap.h"

#include <stdlib.h>

void *hmap_get(const struct hmap *m, uint64_t h, hmap_eq_fn eq, const void *key)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        if (!m->s[i].v)
            return NULL;
        if (m->s[i].h == h && eq(m->s[i].v, key))
            return m->s[i].v;
    }
}

static void put_slot(struct hmap_slot *s, size_t cap, uint64_t h, void *rec)
{
    size_t mask = cap - 1, i = h & mask;
    while (s[i].v)
        i = (i + 1) & mask;
    s[i] = (struct hmap_slot){ h, rec };
}

bool hmap_put(struct hmap *m, uint64_t h, void *rec)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct hmap_slot *s = calloc(cap, sizeof *s);
        if (!s)
            return false;
        for (size_t i = 0; i < m->cap; i++)
            if (m->s[i].v)
                put_slot(s, cap, m->s[i].h, m->s[i].v);
        free(m->s);
        m->s = s;
        m->cap = cap;
    }
    put_slot(m->s, m->cap, h, rec);
    m->n++;
    return true;
}

void *hmap_del(struct hmap *m, uint64_t h, hmap_eq_fn eq, const void *key)
{
    if (!m->cap)
        return NULL;
    size_t mask = m->cap - 1, i = h & mask;
    for (;; i = (i + 1) & mask) {
        if (!m->s[i].v)
            return NULL;
        if (m->s[i].h == h && eq(m->s[i].v, key))
            break;
    }
    void *rec = m->s[i].v;
    /* backward shift: pull later members of the probe run into the hole */
    for (size_t j = (i + 1) & mask; m->s[j].v; j = (j + 1) & mask) {
        size_t home = m->s[j].h & mask;
        /* j may move to i when its home is not in the cyclic range (i, j] */
        bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!between) {
            m->s[i] = m->s[j];
            i = j;
        }
    }
    m->s[i] = (struct hmap_slot){ 0, NULL };
    m->n--;
    return rec;
}

void hmap_free(struct hmap *m)
{
    free(m->s);
    m->s = NULL;
    m->cap = m->n = 0;
}
