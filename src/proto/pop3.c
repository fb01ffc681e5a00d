/* SPDX-License-Identifier: MIT
 * pop3.c — POP3 identification (RFC 1939 4, RFC 2449): the server greets "+OK", the client
 * answers USER, APOP, CAPA, STLS or AUTH. */
#include "proto/mailftp.h"

static const char *const pop3_cmds[] = { "USER ", "APOP ", "CAPA", "STLS", "AUTH" };

static enum probe_verdict pop3_probe(const struct probe_in *in)
{
    const uint8_t *c = in->data[DIR_TOSERVER], *s = in->data[DIR_TOCLIENT];
    size_t cn = in->len[DIR_TOSERVER], sn = in->len[DIR_TOCLIENT];
    if (sn) {
        enum prefix_match m = prefix_match(s, sn, "+OK", false);
        if (m == PFX_NO)
            return PROBE_NO;
        struct bytes g;
        if (m == PFX_YES && first_text_line(s, sn, &g) == PROBE_YES)
            return PROBE_YES;
        if (m == PFX_YES && sn >= GREETING_MAX_LINE)
            return PROBE_NO;
    }
    if (cn && client_cmd(c, cn, pop3_cmds, sizeof pop3_cmds / sizeof pop3_cmds[0]) == PROBE_NO)
        return PROBE_NO;
    return PROBE_NEED_MORE;
}

const struct proto_desc proto_pop3 = {
    .id = PROTO_POP3,
    .name = "pop3",
    .transports = PT_TCP,
    .ports = { 110 },
    .probe = pop3_probe,
};
