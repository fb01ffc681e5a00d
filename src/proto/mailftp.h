/* SPDX-License-Identifier: MIT
 * mailftp.h — shared reading of the "server speaks first" text protocols: SMTP and FTP greet
 * with "220", POP3 with "+OK", IMAP with "* OK". The greeting alone often decides; when it is
 * ambiguous (220 is SMTP's and FTP's) the client's first command does. */
#ifndef BW_MAILFTP_H
#define BW_MAILFTP_H

#include "proto/proto.h"
#include "proto/textline.h"

enum { GREETING_MAX_LINE = 1024 };

/* The first complete line of one direction; PROBE_NEED_MORE when it is not complete yet,
 * PROBE_NO when it is too long or not text, PROBE_YES with *line set. */
static inline enum probe_verdict first_text_line(const uint8_t *d, size_t n, struct bytes *line)
{
    size_t next;
    bool too_long;
    if (!text_line(d, n, 0, GREETING_MAX_LINE, line, &next, &too_long))
        return too_long ? PROBE_NO : PROBE_NEED_MORE;
    return is_text(*line) ? PROBE_YES : PROBE_NO;
}

/* One of the client's first commands (a list of "CMD " or "CMD" prefixes, case-insensitive):
 * YES if the first line starts with one, NEED_MORE if it still could, else NO. */
static inline enum probe_verdict client_cmd(const uint8_t *d, size_t n, const char *const *cmds,
                                            size_t ncmds)
{
    bool partial = false;
    for (size_t i = 0; i < ncmds; i++) {
        enum prefix_match m = prefix_match(d, n, cmds[i], true);
        if (m == PFX_YES)
            return PROBE_YES;
        partial |= m == PFX_PARTIAL;
    }
    return partial ? PROBE_NEED_MORE : PROBE_NO;
}

/* "220" then space or dash: the SMTP and FTP greeting. */
static inline enum probe_verdict greeting_220(const uint8_t *d, size_t n, struct bytes *line)
{
    enum prefix_match m = prefix_match(d, n, "220", false);
    if (m == PFX_NO)
        return PROBE_NO;
    if (m == PFX_PARTIAL || n < 4)
        return PROBE_NEED_MORE;
    if (d[3] != ' ' && d[3] != '-')
        return PROBE_NO;
    return first_text_line(d, n, line);
}

/* The decision SMTP and FTP share: both greet with 220. A greeting naming one of `ours`
 * decides; one naming the rival rules us out; otherwise the client's first command (one of
 * cmds) decides after a 220, or alone when client_first is allowed (greeting missed). */
static inline enum probe_verdict greet_220_probe(const struct probe_in *in,
                                                 const char *const *ours, size_t nours,
                                                 const char *rival, const char *const *cmds,
                                                 size_t ncmds, bool client_first)
{
    const uint8_t *c = in->data[DIR_TOSERVER], *s = in->data[DIR_TOCLIENT];
    size_t cn = in->len[DIR_TOSERVER], sn = in->len[DIR_TOCLIENT];
    struct bytes g;
    enum probe_verdict vs = sn ? greeting_220(s, sn, &g) : PROBE_NEED_MORE;
    if (vs == PROBE_NO)
        return PROBE_NO;
    for (size_t i = 0; vs == PROBE_YES && i < nours; i++)
        if (contains_ci(g, ours[i]))
            return PROBE_YES;
    if (vs == PROBE_YES && contains_ci(g, rival))
        return PROBE_NO;
    enum probe_verdict vc = cn ? client_cmd(c, cn, cmds, ncmds) : PROBE_NEED_MORE;
    if (vc == PROBE_NO)
        return PROBE_NO;
    if (vc == PROBE_YES && (vs == PROBE_YES || (sn == 0 && client_first)))
        return PROBE_YES;
    return PROBE_NEED_MORE;
}

#endif
