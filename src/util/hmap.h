/* SPDX-License-Identifier: MIT
 * hmap.h — an open-addressing hash map of pointers, for the detectors' per-host, per-session
 * and per-channel state. The caller owns the records and gives each one's 64-bit hash; the
 * map stores (hash, pointer) pairs with linear probing and deletes by backward shift, so no
 * tombstones build up. Lookups compare hashes first and call eq only on a hash match. */
#ifndef BW_HMAP_H
#define BW_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hmap_slot {
    uint64_t h;
    void *v;                     /* NULL: empty */
};

struct hmap {
    struct hmap_slot *s;
    size_t cap, n;               /* cap is 0 or a power of two */
};

typedef bool (*hmap_eq_fn)(const void *rec, const void *key);

void *hmap_get(const struct hmap *m, uint64_t h, hmap_eq_fn eq, const void *key);
/* Adds rec (not already present). False if memory ran out; the map is unchanged then. */
bool hmap_put(struct hmap *m, uint64_t h, void *rec);
/* Removes and returns the record, or NULL. */
void *hmap_del(struct hmap *m, uint64_t h, hmap_eq_fn eq, const void *key);
void hmap_free(struct hmap *m);

/* Visits every record; fn may not change the map. */
#define HMAP_FOREACH(m, var) \
    for (size_t hmap_i_ = 0; hmap_i_ < (m)->cap; hmap_i_++) \
        if (((var) = (m)->s[hmap_i_].v) != NULL)

/* FNV-1a over bytes, then a final mix so low bits are usable as the bucket index. */
static inline uint64_t hmap_hash(const void *p, size_t n, uint64_t seed)
{
    const uint8_t *b = p;
    uint64_t h = 0xcbf29ce484222325ull ^ seed;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

#endif
