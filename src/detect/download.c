/* SPDX-License-Identifier: MIT
 * download.c — detector 9: executables, scripts and archives fetched by internal hosts over
 * HTTP (by the body's magic bytes, http.c, so a renamed .exe is still found) or FTP (by the
 * name in RETR, the data connection's magic not being tied to it yet). The first seed's
 * analyst checked for "no downloads" before calling the IRC sessions harmless; this is that
 * check, recorded either way in the verdict's stages. */
#include "detect/internal.h"

#include <string.h>

#include "proto/proto.h"

enum dl_kind { DL_NONE, DL_ARCHIVE, DL_SCRIPT, DL_EXE };

static bool ends_with_ci(const char *s, const char *ext)
{
    size_t n = strlen(s), k = strlen(ext);
    return n > k && strcasecmp(s + n - k, ext) == 0;
}

static enum dl_kind by_name(const char *name)
{
    static const char *const exe[] = { ".exe", ".dll", ".scr", ".com", ".pif", ".msi", ".elf",
                                       ".bin", ".apk" };
    static const char *const script[] = { ".vbs", ".vbe", ".ps1", ".bat", ".cmd", ".hta",
                                          ".wsf", ".sh", ".pl", ".jar" };
    static const char *const arch[] = { ".zip", ".rar", ".7z", ".cab", ".tar", ".tgz", ".gz" };
    for (size_t i = 0; i < sizeof exe / sizeof exe[0]; i++)
        if (ends_with_ci(name, exe[i]))
            return DL_EXE;
    for (size_t i = 0; i < sizeof script / sizeof script[0]; i++)
        if (ends_with_ci(name, script[i]))
            return DL_SCRIPT;
    for (size_t i = 0; i < sizeof arch / sizeof arch[0]; i++)
        if (ends_with_ci(name, arch[i]))
            return DL_ARCHIVE;
    return DL_NONE;
}

static enum dl_kind by_magic(const char *m)
{
    if (!m)
        return DL_NONE;
    if (!strcmp(m, "pe") || !strcmp(m, "elf"))
        return DL_EXE;
    /* gzip magic is mostly Content-Encoding of ordinary pages: by name only (.gz, .tgz) */
    if (!strcmp(m, "zip") || !strcmp(m, "cab") || !strcmp(m, "rar") || !strcmp(m, "7z"))
        return DL_ARCHIVE;
    return DL_NONE;
}

static const char *const kind_word[] = { "", "archive", "script", "executable" };

void download_app(struct detect *d, const struct conn_event *c, const struct app_event *ev)
{
    char name[200], how[64];
    enum dl_kind k;
    if (ev->type == APP_EV_HTTP) {
        const struct http_txn *t = ev->u.http;
        if (!t->has_response || t->status < 200 || t->status >= 300)
            return;
        char path[100];
        text_copy(path, sizeof path, t->uri.p, t->uri.len);
        char *q = strchr(path, '?');
        if (q)
            *q = 0;
        enum dl_kind km = by_magic(t->resp_file), kn = by_name(path);
        k = km > kn ? km : kn;
        if (k == DL_NONE)
            return;
        char host[64];
        text_copy(host, sizeof host, t->host.p, t->host.len);
        if (strncasecmp(path, "http://", 7) == 0)          /* a proxy request: absolute */
            snprintf(name, sizeof name, "%s", path);
        else
            snprintf(name, sizeof name, "http://%s%s", host, path);
        snprintf(how, sizeof how, "%s, %" PRIu64 " bytes", t->resp_file ? t->resp_file
                 : "by name", t->resp_body);
    } else {
        const struct ftp_cmd *f = ev->u.ftp;
        if (f->command.len != 4 || strncasecmp((const char *)f->command.p, "RETR", 4) != 0 ||
            (f->reply != 226 && f->reply != 250))
            return;
        text_copy(name, sizeof name, f->arg.p, f->arg.len);
        k = by_name(name);
        if (k == DL_NONE)
            return;
        snprintf(how, sizeof how, "FTP RETR, reply %u", f->reply);
    }
    if (k == DL_NONE)
        return;
    struct host *h = detect_host(d, c->family, c->src);
    if (!h)
        return;
    struct finding *f = finding_of(d, h, FK_EXE_DOWNLOAD, k == DL_ARCHIVE ? 3 : 2,
                                   k == DL_ARCHIVE ? 0.5 : 0.8);
    if (!f)
        return;
    finding_evidence(f, c->flow_id, ev->ts_us, "%s %s (%s)", kind_word[k], name, how);
    finding_summary(f, "downloaded %" PRIu64 " file%s that can run or unpack (latest: %s %s)",
                    f->nev_total, f->nev_total == 1 ? "" : "s", kind_word[k], name);
    if (k != DL_ARCHIVE)
        h->stages |= 1u << STAGE_DOWNLOAD;
}
