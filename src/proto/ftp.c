/* SPDX-License-Identifier: MIT
 * ftp.c — FTP control connection identification (RFC 959 4.2, 5.4): a "220" greeting, then
 * the client's USER, AUTH (RFC 4217) or anonymous login. A greeting naming FTP decides. */
#include "proto/mailftp.h"

static const char *const ftp_cmds[] = { "USER ", "AUTH TLS", "AUTH SSL", "FEAT", "SYST",
                                        "OPTS UTF8" };

static enum probe_verdict ftp_probe(const struct probe_in *in)
{
    const uint8_t *c = in->data[DIR_TOSERVER], *s = in->data[DIR_TOCLIENT];
    size_t cn = in->len[DIR_TOSERVER], sn = in->len[DIR_TOCLIENT];
    struct bytes g;
    enum probe_verdict vs = sn ? greeting_220(s, sn, &g) : PROBE_NEED_MORE;
    if (vs == PROBE_NO)
        return PROBE_NO;
    if (vs == PROBE_YES && contains_ci(g, "FTP"))
        return PROBE_YES;
    if (vs == PROBE_YES && contains_ci(g, "SMTP"))
        return PROBE_NO;
    enum probe_verdict vc = cn ? client_cmd(c, cn, ftp_cmds, sizeof ftp_cmds / sizeof ftp_cmds[0])
                               : PROBE_NEED_MORE;
    if (vc == PROBE_NO)
        return PROBE_NO;
    if (vc == PROBE_YES && vs == PROBE_YES)
        return PROBE_YES;
    return PROBE_NEED_MORE;
}

const struct proto_desc proto_ftp = {
    .id = PROTO_FTP,
    .name = "ftp",
    .transports = PT_TCP,
    .ports = { 21, 2121 },
    .probe = ftp_probe,
};
