/* SPDX-License-Identifier: MIT
 * pool.c — see pool.h. */
#include "util/pool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/hugemem.h"
#include "util/poison.h"

enum { CLASSES = POOL_MAX / POOL_GRAIN };

struct chunk {
    struct chunk *next;
    uint8_t pad[POOL_GRAIN - sizeof(struct chunk *)];
    uint8_t data[];
};
enum { CHUNK_DATA = HUGEMEM_PAGE - sizeof(struct chunk) };

static struct {
    void *free[CLASSES];         /* chained through each block's first word */
    struct chunk *chunks;        /* newest first; reachable, so leak checkers stay quiet */
    size_t used;                 /* bytes handed out from the newest chunk */
} P;

static size_t class_of(size_t n)
{
    return n ? (n - 1) / POOL_GRAIN : 0;
}

void *pool_get(size_t n)
{
    if (n > POOL_MAX)
        return malloc(n);
    size_t c = class_of(n), size = (c + 1) * POOL_GRAIN;
    uint8_t *b = P.free[c];
    if (b) {
        UNPOISON(b, size);
        memcpy(&P.free[c], b, sizeof(void *));
        return b;
    }
    if (!P.chunks || P.used + size > CHUNK_DATA) {
        struct chunk *ch = huge_alloc(HUGEMEM_PAGE);
        if (!ch)
            return NULL;
        ch->next = P.chunks;
        P.chunks = ch;
        P.used = 0;
        POISON(ch->data, CHUNK_DATA);
    }
    b = P.chunks->data + P.used;
    P.used += size;
    UNPOISON(b, size);
    return b;
}

void *pool_get_zero(size_t n)
{
    void *p = pool_get(n);
    if (p)
        memset(p, 0, n);
    return p;
}

void pool_put(void *p, size_t n)
{
    if (!p)
        return;
    if (n > POOL_MAX) {
        free(p);
        return;
    }
    size_t c = class_of(n), size = (c + 1) * POOL_GRAIN;
    memcpy(p, &P.free[c], sizeof(void *));
    P.free[c] = p;
    POISON((uint8_t *)p + sizeof(void *), size - sizeof(void *));
}
