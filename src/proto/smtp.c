/* SPDX-License-Identifier: MIT
 * smtp.c — SMTP/ESMTP identification (RFC 5321 4.2, 3.1): the server greets "220 host ...
 * ESMTP", the client says EHLO or HELO. A 220 greeting that names SMTP decides alone; one
 * that does not waits for the client's first command (FTP greets with 220 too). The seed's
 * spam relay spoke SMTP on non-standard ports, so the port never decides. */
#include "proto/mailftp.h"

static const char *const smtp_cmds[] = { "EHLO ", "HELO ", "EHLO\r", "HELO\r", "MAIL FROM:" };

static enum probe_verdict smtp_probe(const struct probe_in *in)
{
    const uint8_t *c = in->data[DIR_TOSERVER], *s = in->data[DIR_TOCLIENT];
    size_t cn = in->len[DIR_TOSERVER], sn = in->len[DIR_TOCLIENT];
    struct bytes g;
    enum probe_verdict vs = sn ? greeting_220(s, sn, &g) : PROBE_NEED_MORE;
    if (vs == PROBE_NO)
        return PROBE_NO;
    if (vs == PROBE_YES && (contains_ci(g, "SMTP") || contains_ci(g, "mail")))
        return PROBE_YES;
    if (vs == PROBE_YES && contains_ci(g, "FTP"))
        return PROBE_NO;
    enum probe_verdict vc = cn ? client_cmd(c, cn, smtp_cmds, sizeof smtp_cmds / sizeof smtp_cmds[0])
                               : PROBE_NEED_MORE;
    if (vc == PROBE_NO)
        return PROBE_NO;
    if (vc == PROBE_YES && (vs == PROBE_YES || (sn == 0 && in->midstream)))
        return PROBE_YES;                     /* EHLO after a 220, or the greeting was missed */
    return PROBE_NEED_MORE;
}

const struct proto_desc proto_smtp = {
    .id = PROTO_SMTP,
    .name = "smtp",
    .transports = PT_TCP,
    .ports = { 25, 587, 465 },
    .probe = smtp_probe,
};
