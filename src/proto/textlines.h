/* SPDX-License-Identifier: MIT
 * textlines.h — the line machinery of the command/reply text protocols (FTP, POP3, IMAP):
 * lines per direction (capped, resync after a gap), splitting and copying. */
#ifndef BW_TEXTLINES_H
#define BW_TEXTLINES_H

#include "proto/proto.h"
#include "proto/textline.h"

enum { TEXT_MAX_LINE = 1024, MAIL_STR = 128 };

struct text_lines {
    uint8_t line[2][TEXT_MAX_LINE];
    uint16_t len[2];
    bool resync[2];
};

/* Feeds bytes; calls fn(ctx, dir, line) for each complete line (CR stripped). A line longer
 * than TEXT_MAX_LINE is cut. data == NULL is a gap: the line in progress is dropped and the
 * tail of the cut line skipped. `raw`, if set, is asked first how many of the bytes are not
 * lines (literals, message bodies) and skips them. */
static inline void text_lines_feed(struct text_lines *ml, enum flow_dir dir, const uint8_t *data,
                                   size_t len, void *ctx,
                                   void (*fn)(void *ctx, enum flow_dir dir, struct bytes line),
                                   size_t (*raw)(void *ctx, enum flow_dir dir, size_t avail))
{
    if (!data) {
        ml->len[dir] = 0;
        ml->resync[dir] = true;
        return;
    }
    while (len) {
        if (raw && ml->len[dir] == 0) {
            size_t skip = raw(ctx, dir, len);
            data += skip;
            len -= skip;
            if (!len)
                return;
        }
        if (ml->resync[dir]) {
            if (!skip_line_tail(&data, &len))
                return;
            ml->resync[dir] = false;
            continue;
        }
        const uint8_t *lf = memchr(data, '\n', len);
        size_t n = lf ? (size_t)(lf - data) : len;
        size_t room = TEXT_MAX_LINE - ml->len[dir], take = n < room ? n : room;
        memcpy(ml->line[dir] + ml->len[dir], data, take);
        ml->len[dir] = (uint16_t)(ml->len[dir] + take);
        if (!lf)
            return;
        struct bytes l = { ml->line[dir], ml->len[dir] };
        if (l.len && l.p[l.len - 1] == '\r')
            l.len--;
        ml->len[dir] = 0;
        data += n + 1;
        len -= n + 1;
        fn(ctx, dir, l);
    }
}

/* Splits "word rest" at the first space. */
static inline void mail_split(struct bytes l, struct bytes *word, struct bytes *rest)
{
    size_t n = 0;
    while (n < l.len && l.p[n] != ' ')
        n++;
    *word = (struct bytes){ l.p, n };
    *rest = n < l.len ? (struct bytes){ l.p + n + 1, l.len - n - 1 } : (struct bytes){ l.p + n, 0 };
}

static inline struct bytes mail_keep(uint8_t *dst, size_t cap, struct bytes src)
{
    size_t n = src.len < cap ? src.len : cap;
    if (n)
        memcpy(dst, src.p, n);
    return (struct bytes){ dst, n };
}

#endif
