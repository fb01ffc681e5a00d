/* SPDX-License-Identifier: MIT
 * imap.c — IMAP4 identification (RFC 9051 7.1): the server greets "* OK", "* PREAUTH" or
 * "* BYE"; the client's lines are "tag SP command". */
#include "proto/mailftp.h"

static enum probe_verdict imap_probe(const struct probe_in *in)
{
    const uint8_t *s = in->data[DIR_TOCLIENT];
    size_t sn = in->len[DIR_TOCLIENT];
    if (!sn)
        return in->len[DIR_TOSERVER] > 64 ? PROBE_NO : PROBE_NEED_MORE;
    static const char *const greet[] = { "* OK", "* PREAUTH", "* BYE" };
    bool partial = false;
    for (size_t i = 0; i < 3; i++) {
        enum prefix_match m = prefix_match(s, sn, greet[i], true);
        if (m == PFX_YES) {
            struct bytes g;
            enum probe_verdict v = first_text_line(s, sn, &g);
            return v;
        }
        partial |= m == PFX_PARTIAL;
    }
    return partial ? PROBE_NEED_MORE : PROBE_NO;
}

const struct proto_desc proto_imap = {
    .id = PROTO_IMAP,
    .name = "imap",
    .transports = PT_TCP,
    .ports = { 143 },
    .probe = imap_probe,
};
