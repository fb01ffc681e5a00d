/* SPDX-License-Identifier: MIT
 * rd.h — the one bounded reader for untrusted bytes.
 * Invariant: off <= len always. Once a getter fails the reader is "bad" and every later getter
 * returns 0 / an empty slice, so a parser reads straight through and checks `bad` only where it
 * makes a decision (STYLE.md 2.4). Lengths are compared by subtraction from what is left, never
 * by adding to an offset, so no arithmetic can overflow past the end of the buffer. */
#ifndef BW_RD_H
#define BW_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bytes {
    const uint8_t *p;
    size_t len;
};

struct rd {
    const uint8_t *p;
    size_t len;
    size_t off;
    bool bad;
};

static inline struct rd rd_init(const uint8_t *p, size_t len)
{
    return (struct rd){ p, len, 0, false };
}

static inline size_t rd_left(const struct rd *r) { return r->len - r->off; }
static inline const uint8_t *rd_ptr(const struct rd *r) { return r->p + r->off; }

static inline bool rd_need(struct rd *r, size_t n)
{
    if (r->bad || rd_left(r) < n) {
        r->bad = true;
        return false;
    }
    return true;
}

static inline uint8_t rd_u8(struct rd *r)
{
    if (!rd_need(r, 1))
        return 0;
    return r->p[r->off++];
}

static inline uint16_t rd_be16(struct rd *r)
{
    if (!rd_need(r, 2))
        return 0;
    uint16_t v = (uint16_t)((unsigned)r->p[r->off] << 8 | r->p[r->off + 1]);
    r->off += 2;
    return v;
}

static inline uint16_t rd_le16(struct rd *r)
{
    if (!rd_need(r, 2))
        return 0;
    uint16_t v = (uint16_t)((unsigned)r->p[r->off + 1] << 8 | r->p[r->off]);
    r->off += 2;
    return v;
}

static inline uint32_t rd_be32(struct rd *r)
{
    if (!rd_need(r, 4))
        return 0;
    const uint8_t *q = r->p + r->off;
    r->off += 4;
    return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}

static inline uint32_t rd_le32(struct rd *r)
{
    if (!rd_need(r, 4))
        return 0;
    const uint8_t *q = r->p + r->off;
    r->off += 4;
    return (uint32_t)q[3] << 24 | (uint32_t)q[2] << 16 | (uint32_t)q[1] << 8 | q[0];
}

static inline void rd_skip(struct rd *r, size_t n)
{
    if (rd_need(r, n))
        r->off += n;
}

/* A slice of the next n bytes; it borrows from the reader's buffer. */
static inline struct bytes rd_bytes(struct rd *r, size_t n)
{
    if (!rd_need(r, n))
        return (struct bytes){ NULL, 0 };
    struct bytes b = { r->p + r->off, n };
    r->off += n;
    return b;
}

/* Copies n bytes into dst (which holds at least n); on failure dst is zeroed. */
static inline bool rd_copy(struct rd *r, void *dst, size_t n)
{
    struct bytes b = rd_bytes(r, n);
    uint8_t *d = dst;
    for (size_t i = 0; i < n; i++)
        d[i] = b.p ? b.p[i] : 0;
    return b.p != NULL;
}

/* A child reader over the next n bytes: it cannot see past them. */
static inline struct rd rd_sub(struct rd *r, size_t n)
{
    if (!rd_need(r, n))
        return (struct rd){ NULL, 0, 0, true };
    struct rd c = { r->p + r->off, n, 0, false };
    r->off += n;
    return c;
}

/* Everything left, as a slice. */
static inline struct bytes rd_rest(struct rd *r)
{
    return rd_bytes(r, rd_left(r));
}

#endif
