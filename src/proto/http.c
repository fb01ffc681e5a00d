/* SPDX-License-Identifier: MIT
 * http.c — HTTP/1.x (RFC 9112) identification: a request line "METHOD SP target SP HTTP/1.x"
 * from the client, or a status line "HTTP/1.x SP 3DIGIT" from the server. CONNECT is HTTP
 * too (a proxy request: the proxy event comes with the parser). */
#include "proto/proto.h"
#include "proto/textline.h"

enum { HTTP_MAX_REQUEST_LINE = 8192 };

static const char *const methods[] = {
    "GET ", "POST ", "HEAD ", "PUT ", "DELETE ", "OPTIONS ", "CONNECT ", "TRACE ", "PATCH ",
    "PROPFIND ", "PROPPATCH ", "MKCOL ", "COPY ", "MOVE ", "LOCK ", "UNLOCK ", "SEARCH ",
};

/* A method outside the table (RFC 9110 9.1: any token; UPnP's SUBSCRIBE and NOTIFY, WebDAV
 * extensions, vendors' own): 3 to 20 capitals, '_' or '-', then SP. Returns its length with
 * the SP, 0 when d cannot start one, or -1 when more bytes are needed to tell. The request
 * line must still end in " HTTP/1.x", which keeps RTSP and SIP out. */
enum { HTTP_METHOD_MIN = 3, HTTP_METHOD_MAX = 20 };

static int other_method(const uint8_t *d, size_t n)
{
    for (size_t i = 0; i <= HTTP_METHOD_MAX; i++) {
        if (i == n)
            return -1;
        if (d[i] == ' ')
            return i >= HTTP_METHOD_MIN ? (int)i + 1 : 0;
        if (!((d[i] >= 'A' && d[i] <= 'Z') || d[i] == '_' || d[i] == '-'))
            return 0;
    }
    return 0;
}

static enum probe_verdict request(const uint8_t *d, size_t n)
{
    bool partial = false;
    size_t i, mlen = 0;
    for (i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        enum prefix_match m = prefix_match(d, n, methods[i], false);
        if (m == PFX_YES) {
            mlen = strlen(methods[i]);
            break;
        }
        partial |= m == PFX_PARTIAL;
    }
    if (!mlen) {
        int o = other_method(d, n);
        if (o < 0 || (o == 0 && partial))
            return PROBE_NEED_MORE;
        if (o == 0)
            return PROBE_NO;
        mlen = (size_t)o;
    }
    struct bytes l;
    size_t next;
    bool too_long;
    if (!text_line(d, n, 0, HTTP_MAX_REQUEST_LINE, &l, &next, &too_long))
        return too_long ? PROBE_NO : PROBE_NEED_MORE;
    /* ... target SP HTTP/1.x at the end of the line */
    if (l.len < mlen + 10)
        return PROBE_NO;
    struct bytes tail = { l.p + l.len - 9, 9 };
    return prefix_match(tail.p, tail.len, " HTTP/1.", false) == PFX_YES ? PROBE_YES : PROBE_NO;
}

static enum probe_verdict response(const uint8_t *d, size_t n)
{
    enum prefix_match m = prefix_match(d, n, "HTTP/1.", false);
    if (m != PFX_YES)
        return m == PFX_PARTIAL ? PROBE_NEED_MORE : PROBE_NO;
    if (n < 13)
        return PROBE_NEED_MORE;
    return d[8] == ' ' && is_digit(d[9]) && is_digit(d[10]) && is_digit(d[11]) ? PROBE_YES
                                                                               : PROBE_NO;
}

static enum probe_verdict http_probe(const struct probe_in *in)
{
    const uint8_t *c = in->data[DIR_TOSERVER], *s = in->data[DIR_TOCLIENT];
    size_t cn = in->len[DIR_TOSERVER], sn = in->len[DIR_TOCLIENT];
    enum probe_verdict vc = cn ? request(c, cn) : PROBE_NEED_MORE;
    enum probe_verdict vs = sn ? response(s, sn) : PROBE_NEED_MORE;
    if (vc == PROBE_YES || vs == PROBE_YES)
        return PROBE_YES;
    if (vc == PROBE_NO && (sn == 0 || vs == PROBE_NO))
        return PROBE_NO;
    if (vs == PROBE_NO && cn == 0)
        return PROBE_NO;                      /* a server that speaks first is not HTTP */
    return vc == PROBE_NO && vs == PROBE_NO ? PROBE_NO : PROBE_NEED_MORE;
}


/* ===== Parser: transactions, bodies, file magic, CONNECT =====
 * Each direction alternates between a header block (kept until its empty line, up to
 * HTTP_MAX_HEADERS) and a body: Content-Length bytes, chunks (RFC 9112 7.1), or, for a
 * response without either, everything up to the close. Requests wait in a short queue for
 * their responses (pipelining); a transaction is reported when its response body ends, when
 * the queue overflows, or at the end of the flow. The first bytes of each body are matched
 * against file magic. A CONNECT answered 2xx turns the rest of the flow into a tunnel whose
 * protocol is identified with the same probes as any flow, and reported as a proxy event. */

#include <stdlib.h>

enum {
    HTTP_MAX_HEADERS = 8192,
    HTTP_QUEUE = 2,               /* requests waiting for responses (pipelining) */
    HTTP_STR = 128, HTTP_URI = 256, HTTP_SMALL = 64,   /* copies kept per transaction */
    HTTP_MAGIC = 16,              /* body bytes kept for the file magic */
    HTTP_TUNNEL_BUF = 512,
};

enum body_mode { BODY_NONE, BODY_LENGTH, BODY_CHUNKED, BODY_CLOSE };
enum chunk_state { CH_SIZE, CH_EXT, CH_SIZE_LF, CH_DATA, CH_DATA_CR, CH_DATA_LF, CH_TRAILER };

struct http_slot {                /* storage behind one struct http_txn */
    struct http_txn t;
    uint8_t method[16], uri[HTTP_URI], version[16], host[HTTP_STR], ua[HTTP_STR];
    uint8_t rct[HTTP_SMALL], referer[HTTP_STR], rversion[16], reason[HTTP_SMALL];
    uint8_t sct[HTTP_SMALL], location[HTTP_STR], server[HTTP_SMALL];
};

struct http_dir {
    uint8_t *hdr;                 /* a header block split across segments (malloc'd) */
    size_t hdr_len;
    enum body_mode body;
    uint64_t left;                /* BODY_LENGTH: bytes to go; chunked: of this chunk */
    enum chunk_state ch;
    uint64_t chunk_size;
    uint8_t magic[HTTP_MAGIC];
    uint8_t magic_len;
    bool done;                    /* stop reading this direction */
};

struct http_state {
    struct http_dir d[2];
    struct http_slot q[HTTP_QUEUE];
    uint8_t qhead, qcount;        /* requests seen; the head is the one being answered */
    bool connect_pending;         /* the head request is a CONNECT */
    bool tunnel;                  /* CONNECT succeeded: the rest is someone else's */
    struct proxy_req proxy;
    uint8_t phost[HTTP_STR];
    uint8_t tun[2][HTTP_TUNNEL_BUF];
    uint16_t tlen[2];
    bool proxy_emitted;
};

static struct bytes cp(uint8_t *dst, size_t cap, struct bytes src)
{
    size_t n = src.len < cap ? src.len : cap;
    if (n && src.p)
        memcpy(dst, src.p, n);
    return (struct bytes){ dst, n };
}

static const char *file_magic(const uint8_t *p, size_t n)
{
    struct { const char *m; size_t len; const char *name; } t[] = {
        { "MZ", 2, "pe" }, { "\x7f" "ELF", 4, "elf" }, { "PK\x03\x04", 4, "zip" },
        { "MSCF", 4, "cab" }, { "FWS", 3, "swf" }, { "CWS", 3, "swf" }, { "ZWS", 3, "swf" },
        { "d8:announce", 11, "torrent" }, { "d13:announce-list", 17, "torrent" },
        { "d4:info", 7, "torrent" }, { "%PDF-", 5, "pdf" }, { "\x1f\x8b", 2, "gzip" },
        { "Rar!", 4, "rar" }, { "7z\xbc\xaf\x27\x1c", 6, "7z" },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (n >= t[i].len && memcmp(p, t[i].m, t[i].len) == 0)
            return t[i].name;
    return NULL;
}

static void emit_txn(struct app_sink *sink, const struct flow *f, struct http_state *s)
{
    if (!s->qcount)
        return;
    struct http_slot *sl = &s->q[s->qhead];
    struct app_event ev = { .type = APP_EV_HTTP, .dir = DIR_TOSERVER, .ts_us = sink->now_us,
                            .u.http = &sl->t };
    sink->emit(sink->ctx, f, &ev);
    s->qhead = (uint8_t)((s->qhead + 1) % HTTP_QUEUE);
    s->qcount--;
}

static void emit_proxy(struct app_sink *sink, const struct flow *f, struct http_state *s)
{
    if (s->proxy_emitted || !s->proxy.kind)
        return;
    s->proxy_emitted = true;
    struct app_event ev = { .type = APP_EV_PROXY, .dir = DIR_TOSERVER, .ts_us = sink->now_us,
                            .u.proxy = &s->proxy };
    sink->emit(sink->ctx, f, &ev);
}

static bool hname(struct bytes l, const char *name, struct bytes *value)
{
    size_t n = strlen(name);
    if (l.len <= n || l.p[n] != ':' || prefix_match(l.p, l.len, name, true) != PFX_YES)
        return false;
    size_t i = n + 1;
    while (i < l.len && (l.p[i] == ' ' || l.p[i] == '\t'))
        i++;
    size_t e = l.len;
    while (e > i && (l.p[e - 1] == ' ' || l.p[e - 1] == '\t'))
        e--;
    *value = (struct bytes){ l.p + i, e - i };
    return true;
}

static bool parse_u64(struct bytes v, uint64_t *out)
{
    uint64_t x = 0;
    if (!v.len)
        return false;
    for (size_t i = 0; i < v.len; i++) {
        if (!is_digit(v.p[i]) || x > (UINT64_MAX - 9) / 10)
            return false;
        x = x * 10 + (uint64_t)(v.p[i] - '0');
    }
    *out = x;
    return true;
}

/* A whole header block [p, p+n) of direction dir, the empty line excluded. */
static void header_block(struct app_sink *sink, const struct flow *f, struct http_state *s,
                         enum flow_dir dir, const uint8_t *p, size_t n, bool truncated)
{
    struct http_dir *hd = &s->d[dir];
    struct bytes l;
    size_t off = 0, next;
    bool too_long;
    if (!text_line(p, n, 0, HTTP_MAX_REQUEST_LINE, &l, &next, &too_long))
        l = (struct bytes){ p, n }, next = n;
    uint64_t clen = 0;
    bool has_len = false, chunked = false;
    struct http_slot *sl = NULL;
    if (dir == DIR_TOSERVER) {
        if (s->qcount == HTTP_QUEUE)
            emit_txn(sink, f, s);            /* no room: report the oldest as it is */
        sl = &s->q[(s->qhead + s->qcount) % HTTP_QUEUE];
        memset(&sl->t, 0, sizeof sl->t);
        s->qcount++;
        /* METHOD SP target SP HTTP/1.x */
        const uint8_t *sp1 = memchr(l.p, ' ', l.len);
        const uint8_t *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(l.p + l.len - sp1 - 1)) : NULL;
        sl->t.method = cp(sl->method, sizeof sl->method,
                          (struct bytes){ l.p, sp1 ? (size_t)(sp1 - l.p) : l.len });
        if (sp1) {
            const uint8_t *uend = sp2 ? sp2 : l.p + l.len;
            sl->t.uri = cp(sl->uri, sizeof sl->uri, (struct bytes){ sp1 + 1, (size_t)(uend - sp1 - 1) });
        }
        if (sp2)
            sl->t.version = cp(sl->version, sizeof sl->version,
                               (struct bytes){ sp2 + 1, (size_t)(l.p + l.len - sp2 - 1) });
        sl->t.truncated_headers = truncated;
        sl->t.bittorrent_announce = contains_ci(sl->t.uri, "info_hash=") &&
                                    contains_ci(sl->t.uri, "peer_id=");
        if (sl->t.method.len == 7 && prefix_match(sl->t.method.p, 7, "CONNECT", false) == PFX_YES) {
            s->connect_pending = true;
            s->proxy.kind = "http-connect";
            s->proxy.command = "connect";
            /* authority form: host:port */
            struct bytes a = sl->t.uri;
            const uint8_t *colon = NULL;
            for (size_t i = a.len; i > 0; i--)
                if (a.p[i - 1] == ':') {
                    colon = a.p + i - 1;
                    break;
                }
            uint64_t port = 0;
            if (colon && parse_u64((struct bytes){ colon + 1, (size_t)(a.p + a.len - colon - 1) }, &port) && port < 65536) {
                s->proxy.host = cp(s->phost, sizeof s->phost, (struct bytes){ a.p, (size_t)(colon - a.p) });
                s->proxy.port = (uint16_t)port;
            } else {
                s->proxy.host = cp(s->phost, sizeof s->phost, a);
            }
        }
    } else {
        if (!s->qcount) {                    /* a response with no request seen (midstream) */
            sl = &s->q[s->qhead];
            memset(&sl->t, 0, sizeof sl->t);
            s->qcount = 1;
        }
        sl = &s->q[s->qhead];
        /* HTTP/1.x SP 3DIGIT SP reason */
        sl->t.has_response = true;
        const uint8_t *sp1 = memchr(l.p, ' ', l.len);
        sl->t.resp_version = cp(sl->rversion, sizeof sl->rversion,
                                (struct bytes){ l.p, sp1 ? (size_t)(sp1 - l.p) : l.len });
        if (sp1 && (size_t)(l.p + l.len - sp1) >= 4 && is_digit(sp1[1]) && is_digit(sp1[2]) &&
            is_digit(sp1[3]))
            sl->t.status = (unsigned)(sp1[1] - '0') * 100 + (unsigned)(sp1[2] - '0') * 10 +
                           (unsigned)(sp1[3] - '0');
        if (sp1 && (size_t)(l.p + l.len - sp1) > 5)
            sl->t.reason = cp(sl->reason, sizeof sl->reason,
                              (struct bytes){ sp1 + 5, (size_t)(l.p + l.len - sp1 - 5) });
        sl->t.truncated_headers |= truncated;
    }
    off = next;
    while (off < n && text_line(p, n, off, HTTP_MAX_HEADERS, &l, &next, &too_long)) {
        struct bytes v;
        if (hname(l, "Content-Length", &v))
            has_len = parse_u64(v, &clen);
        else if (hname(l, "Transfer-Encoding", &v))
            chunked = contains_ci(v, "chunked");
        else if (dir == DIR_TOSERVER && hname(l, "Host", &v))
            sl->t.host = cp(sl->host, sizeof sl->host, v);
        else if (dir == DIR_TOSERVER && hname(l, "User-Agent", &v))
            sl->t.user_agent = cp(sl->ua, sizeof sl->ua, v);
        else if (dir == DIR_TOSERVER && hname(l, "Referer", &v))
            sl->t.referer = cp(sl->referer, sizeof sl->referer, v);
        else if (dir == DIR_TOSERVER && hname(l, "Content-Type", &v))
            sl->t.req_content_type = cp(sl->rct, sizeof sl->rct, v);
        else if (dir == DIR_TOCLIENT && hname(l, "Content-Type", &v))
            sl->t.resp_content_type = cp(sl->sct, sizeof sl->sct, v);
        else if (dir == DIR_TOCLIENT && hname(l, "Location", &v))
            sl->t.location = cp(sl->location, sizeof sl->location, v);
        else if (dir == DIR_TOCLIENT && hname(l, "Server", &v))
            sl->t.server = cp(sl->server, sizeof sl->server, v);
        off = next;
    }
    hd->magic_len = 0;
    hd->ch = CH_SIZE;
    hd->chunk_size = 0;
    if (dir == DIR_TOSERVER) {
        sl->t.req_chunked = chunked;
        hd->body = chunked ? BODY_CHUNKED : has_len && clen ? BODY_LENGTH : BODY_NONE;
        hd->left = clen;
        return;
    }
    sl->t.resp_chunked = chunked;
    unsigned st = sl->t.status;
    bool head = sl->t.method.len == 4 && prefix_match(sl->t.method.p, 4, "HEAD", false) == PFX_YES;
    if (s->connect_pending) {
        s->connect_pending = false;
        s->proxy.replied = true;
        s->proxy.reply = st;
        s->proxy.success = st / 100 == 2;
        if (s->proxy.success) {
            s->tunnel = true;                /* from here on: the tunnel */
            emit_txn(sink, f, s);
            return;
        }
        emit_proxy(sink, f, s);
    }
    if (st / 100 == 1) {                     /* interim response: the real one follows */
        sl->t.has_response = false;
        hd->body = BODY_NONE;
        return;
    }
    if (head || st == 204 || st == 304)
        hd->body = BODY_NONE;
    else if (chunked)
        hd->body = BODY_CHUNKED;
    else if (has_len)
        hd->body = clen ? BODY_LENGTH : BODY_NONE;
    else
        hd->body = BODY_CLOSE;
    hd->left = clen;
    if (hd->body == BODY_NONE)
        emit_txn(sink, f, s);
}

static void body_bytes(struct http_state *s, enum flow_dir dir, const uint8_t *p, size_t n)
{
    struct http_dir *hd = &s->d[dir];
    if (!s->qcount)
        return;
    struct http_txn *t = &s->q[dir == DIR_TOSERVER ? (s->qhead + s->qcount - 1) % HTTP_QUEUE
                                                   : s->qhead].t;
    if (dir == DIR_TOSERVER)
        t->req_body += n;
    else
        t->resp_body += n;
    if (hd->magic_len < HTTP_MAGIC && p) {
        size_t room = (size_t)HTTP_MAGIC - hd->magic_len, k = room < n ? room : n;
        memcpy(hd->magic + hd->magic_len, p, k);
        hd->magic_len = (uint8_t)(hd->magic_len + k);
        const char *m = file_magic(hd->magic, hd->magic_len);
        if (dir == DIR_TOSERVER)
            t->req_file = m;
        else
            t->resp_file = m;
    }
}

static void body_end(struct app_sink *sink, const struct flow *f, struct http_state *s,
                     enum flow_dir dir)
{
    s->d[dir].body = BODY_NONE;
    if (dir == DIR_TOCLIENT)
        emit_txn(sink, f, s);
}

/* Consumes body bytes; returns how many were used. */
static size_t body(struct app_sink *sink, const struct flow *f, struct http_state *s,
                   enum flow_dir dir, const uint8_t *p, size_t n)
{
    struct http_dir *hd = &s->d[dir];
    if (hd->body == BODY_CLOSE) {
        body_bytes(s, dir, p, n);
        return n;
    }
    if (hd->body == BODY_LENGTH) {
        size_t k = hd->left < n ? (size_t)hd->left : n;
        body_bytes(s, dir, p, k);
        hd->left -= k;
        if (!hd->left)
            body_end(sink, f, s, dir);
        return k;
    }
    /* chunked: size in hex [; ext] CRLF, data, CRLF ... 0 CRLF trailers CRLF */
    size_t i = 0;
    while (i < n && hd->body == BODY_CHUNKED) {
        uint8_t c = p[i];
        switch (hd->ch) {
        case CH_SIZE: {
            int lc = c | 32, v = -1;
            if (c >= '0' && c <= '9')
                v = c - '0';
            else if (lc >= 'a' && lc <= 'f')
                v = lc - 'a' + 10;
            if (v >= 0 && hd->chunk_size < (UINT64_MAX >> 4)) {
                hd->chunk_size = hd->chunk_size * 16 + (uint64_t)v;
            } else if (c == ';' || c == ' ' || c == '\t') {
                hd->ch = CH_EXT;
            } else if (c == '\r') {
                hd->ch = CH_SIZE_LF;
            } else if (c == '\n') {
                hd->ch = hd->chunk_size ? CH_DATA : CH_TRAILER;
                hd->left = hd->chunk_size;
            } else {
                hd->done = true;             /* not chunked after all: stop reading */
                return n;
            }
            i++;
            break;
        }
        case CH_EXT:
        case CH_SIZE_LF:
            if (c == '\n') {
                hd->ch = hd->chunk_size ? CH_DATA : CH_TRAILER;
                hd->left = hd->chunk_size;
            }
            i++;
            break;
        case CH_DATA: {
            size_t k = hd->left < n - i ? (size_t)hd->left : n - i;
            body_bytes(s, dir, p + i, k);
            hd->left -= k;
            i += k;
            if (!hd->left)
                hd->ch = CH_DATA_CR;
            break;
        }
        case CH_DATA_CR:
            hd->ch = c == '\r' ? CH_DATA_LF : CH_SIZE;
            if (c == '\n')
                hd->ch = CH_SIZE;
            hd->chunk_size = 0;
            i++;
            break;
        case CH_DATA_LF:
            hd->ch = CH_SIZE;
            hd->chunk_size = 0;
            i++;
            break;
        case CH_TRAILER:                     /* trailers end with an empty line */
            if (c == '\n' && (hd->left == 0 || hd->left == 1)) {
                body_end(sink, f, s, dir);
            } else if (c == '\r') {
                /* stay */
            } else if (c == '\n') {
                hd->left = 0;
            } else {
                hd->left = 2;                /* inside a trailer line */
            }
            if (c == '\n' && hd->left == 2)
                hd->left = 0;
            i++;
            break;
        }
    }
    return i;
}

static void tunnel_bytes(struct app_sink *sink, const struct flow *f, struct http_state *s,
                         enum flow_dir dir, const uint8_t *p, size_t n)
{
    if (s->proxy_emitted)
        return;
    size_t room = HTTP_TUNNEL_BUF - s->tlen[dir], k = n < room ? n : room;
    memcpy(s->tun[dir] + s->tlen[dir], p, k);
    s->tlen[dir] = (uint16_t)(s->tlen[dir] + k);
    struct probe_in in = { .tcp = true, .dir = dir, .server_port = s->proxy.port };
    for (int d = 0; d < 2; d++) {
        in.data[d] = s->tun[d];
        in.len[d] = s->tlen[d];
    }
    enum proto_id id = proto_identify(&in);
    if (id == PROTO_NONE && s->tlen[dir] < HTTP_TUNNEL_BUF)
        return;
    s->proxy.tunnel_proto = (uint8_t)(id == PROTO_NONE ? PROTO_UNKNOWN : id);
    emit_proxy(sink, f, s);
}

static void http_parse(struct app_sink *sink, const struct flow *f, void *state,
                       enum flow_dir dir, const uint8_t *data, size_t len)
{
    struct http_state *s = state;
    struct http_dir *hd = &s->d[dir];
    if (!data) {                             /* a gap: this direction cannot be followed */
        if (hd->body == BODY_CLOSE || hd->body == BODY_LENGTH) {
            body_bytes(s, dir, NULL, len);
            if (hd->body == BODY_LENGTH) {
                hd->left = hd->left > len ? hd->left - len : 0;
                if (!hd->left)
                    body_end(sink, f, s, dir);
            }
            return;
        }
        hd->done = true;
        return;
    }
    while (len && !hd->done) {
        if (s->tunnel) {
            tunnel_bytes(sink, f, s, dir, data, len);
            return;
        }
        if (hd->body != BODY_NONE) {
            size_t used = body(sink, f, s, dir, data, len);
            data += used;
            len -= used;
            continue;
        }
        /* headers: find the empty line, in this segment or across segments */
        const uint8_t *p = data;
        size_t n = len;
        if (hd->hdr) {
            size_t room = HTTP_MAX_HEADERS - hd->hdr_len, k = len < room ? len : room;
            memcpy(hd->hdr + hd->hdr_len, data, k);
            hd->hdr_len += k;
            p = hd->hdr;
            n = hd->hdr_len;
        }
        size_t end = 0, skip = 0;
        for (size_t i = 0; i + 1 < n; i++)
            if (p[i] == '\n' && (p[i + 1] == '\n' || (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n'))) {
                end = i + 1;
                skip = p[i + 1] == '\n' ? 1 : 2;
                break;
            }
        if (!end) {
            if (n >= HTTP_MAX_HEADERS) {     /* headers longer than we keep */
                header_block(sink, f, s, dir, p, n, true);
                free(hd->hdr);
                hd->hdr = NULL;
                hd->done = true;
                return;
            }
            if (!hd->hdr) {
                hd->hdr = malloc(HTTP_MAX_HEADERS);
                if (!hd->hdr) {
                    hd->done = true;
                    return;
                }
                memcpy(hd->hdr, data, len);
                hd->hdr_len = len;
            }
            return;                          /* wait for the rest */
        }
        header_block(sink, f, s, dir, p, end, false);
        size_t used_total = end + skip;      /* of p */
        if (hd->hdr) {
            size_t before = hd->hdr_len - (len < HTTP_MAX_HEADERS ? len : hd->hdr_len);
            size_t used = used_total > before ? used_total - before : 0;
            free(hd->hdr);
            hd->hdr = NULL;
            hd->hdr_len = 0;
            data += used;
            len -= used;
        } else {
            data += used_total;
            len -= used_total;
        }
    }
}

static void http_fini(struct app_sink *sink, const struct flow *f, void *state)
{
    struct http_state *s = state;
    while (s->qcount)
        emit_txn(sink, f, s);
    emit_proxy(sink, f, s);
    for (int d = 0; d < 2; d++) {
        free(s->d[d].hdr);
        s->d[d].hdr = NULL;
    }
}

const struct proto_desc proto_http = {
    .id = PROTO_HTTP,
    .name = "http",
    .transports = PT_TCP,
    .ports = { 80, 8080, 8000, 8008, 8888, 3128, 81 },
    .probe = http_probe,
    .state_size = sizeof(struct http_state),
    .parse = http_parse,
    .fini = http_fini,
};
