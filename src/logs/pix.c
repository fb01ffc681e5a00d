/* SPDX-License-Identifier: MIT
 * pix.c — Cisco PIX/ASA syslog messages (Cisco's "ASA Series Syslog Messages" guide, whose
 * formats are quoted above each parser). Reads the connection life cycle (302013-302016),
 * translations (305009-305012), denies and ACL hits (106001, 106006, 106015, 106023, 106100,
 * 710003) into one struct log_rec. Everything is read through util/rd.h; nothing is copied:
 * the record's slices borrow from the line. Other message ids are "unsupported", counted by
 * the driver. */
#include "logs/logs.h"

#include <arpa/inet.h>
#include <string.h>

enum { PIX_MAX_SKIP_WORDS = 4,   /* user names printed bare between fields (302016 samples) */
       PIX_MAX_GROUPS = 4 };     /* "(mapped/port)", "(LOCAL\user)", "(user)" after a socket */

static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

static bool peek_is(const struct rd *r, uint8_t c)
{
    return rd_left(r) > 0 && r->p[r->off] == c;
}

static void spaces(struct rd *r)
{
    while (peek_is(r, ' ') || peek_is(r, '\t'))
        r->off++;
}

/* The literal s at the reader (case kept), then any spaces. */
static bool lit(struct rd *r, const char *s)
{
    size_t k = strlen(s);
    if (rd_left(r) < k || memcmp(rd_ptr(r), s, k) != 0)
        return false;
    r->off += k;
    spaces(r);
    return true;
}

/* A word: bytes up to a space (or end); then the spaces. */
static struct bytes word(struct rd *r)
{
    size_t k = 0, left = rd_left(r);
    while (k < left && r->p[r->off + k] != ' ' && r->p[r->off + k] != '\t')
        k++;
    struct bytes b = rd_bytes(r, k);
    spaces(r);
    return b;
}

static bool bytes_is(struct bytes b, const char *s)
{
    size_t k = strlen(s);
    return b.len == k && memcmp(b.p, s, k) == 0;
}

/* A decimal number of at most 19 digits, then any spaces. */
static bool number(struct rd *r, uint64_t *v)
{
    size_t k = 0;
    uint64_t x = 0;
    while (rd_left(r) > k && is_digit(r->p[r->off + k]) && k < 19) {
        x = x * 10 + (uint64_t)(r->p[r->off + k] - '0');
        k++;
    }
    if (!k || (rd_left(r) > k && is_digit(r->p[r->off + k])))
        return false;
    r->off += k;
    *v = x;
    spaces(r);
    return true;
}

static bool parse_port(const uint8_t *p, size_t n, uint16_t *port)
{
    if (!n || n > 5)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return false;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v > 65535)
        return false;
    *port = (uint16_t)v;
    return true;
}

bool log_addr_parse(const uint8_t *p, size_t n, uint8_t *family, uint8_t a[16])
{
    memset(a, 0, 16);
    /* dotted quad by hand: the common case, and strict (no leading "+", four parts) */
    unsigned part = 0, v = 0, nd = 0;
    size_t i = 0;
    for (; i < n; i++) {
        uint8_t c = p[i];
        if (is_digit(c)) {
            v = v * 10 + (unsigned)(c - '0');
            if (++nd > 3 || v > 255)
                break;
        } else if (c == '.' && nd && part < 3) {
            a[part++] = (uint8_t)v;
            v = nd = 0;
        } else {
            break;
        }
    }
    if (i == n && part == 3 && nd) {
        a[3] = (uint8_t)v;
        *family = 4;
        return true;
    }
    char buf[INET6_ADDRSTRLEN + 1];
    if (n < 2 || n >= sizeof buf || !memchr(p, ':', n))
        return false;
    memcpy(buf, p, n);
    buf[n] = 0;
    if (inet_pton(AF_INET6, buf, a) != 1)
        return false;
    *family = 6;
    return true;
}

/* addr_text, family/a and port from "ADDR/PORT" or "ADDR" (no port). */
static void set_addr(struct log_endpoint *ep, const uint8_t *p, size_t n)
{
    const uint8_t *slash = NULL;
    for (size_t i = n; i-- > 0;)
        if (p[i] == '/') {
            slash = p + i;
            break;
        }
    size_t an = slash ? (size_t)(slash - p) : n;
    if (slash && parse_port(slash + 1, n - an - 1, &ep->port))
        ep->has_port = true;
    else
        an = n;          /* "name/ssh": keep it whole, no port */
    ep->addr_text = (struct bytes){ p, an };
    if (!log_addr_parse(p, an, &ep->family, ep->a))
        ep->family = 0;
}

/* A socket "iface:addr/port" (iface_required) or "addr/port", up to a space or "(". */
static bool endpoint(struct rd *r, struct log_endpoint *ep, bool iface_required)
{
    size_t k = 0, left = rd_left(r);
    while (k < left && r->p[r->off + k] != ' ' && r->p[r->off + k] != '(' &&
           r->p[r->off + k] != ',')
        k++;
    struct bytes t = rd_bytes(r, k);
    if (!t.len)
        return false;
    const uint8_t *colon = iface_required ? memchr(t.p, ':', t.len) : NULL;
    if (iface_required) {
        if (!colon || colon == t.p)
            return false;
        ep->iface = (struct bytes){ t.p, (size_t)(colon - t.p) };
        t.len -= (size_t)(colon - t.p) + 1;
        t.p = colon + 1;
    }
    if (!t.len)
        return false;
    set_addr(ep, t.p, t.len);
    return true;
}

/* After a socket: "(mapped/port)" (the first group, when it reads as a socket) and user
 * groups "(LOCAL\user)" or "(user)", which are skipped. */
static bool groups(struct rd *r, struct log_endpoint *ep, bool mapped_ok)
{
    for (unsigned g = 0; g < PIX_MAX_GROUPS; g++) {
        spaces(r);
        if (!peek_is(r, '('))
            break;
        const uint8_t *close = memchr(rd_ptr(r), ')', rd_left(r));
        if (!close)
            return false;
        size_t n = (size_t)(close - rd_ptr(r)) + 1;
        struct bytes b = rd_bytes(r, n);
        if (mapped_ok && g == 0 && !ep->has_mapped) {
            struct log_endpoint m = { 0 };
            set_addr(&m, b.p + 1, n - 2);
            if (m.family || m.has_port) {
                ep->has_mapped = true;
                ep->mapped_text = m.addr_text;
                ep->mfamily = m.family;
                memcpy(ep->ma, m.a, 16);
                ep->mport = m.port;
            }
        }
    }
    spaces(r);
    return true;
}

/* Skips up to PIX_MAX_SKIP_WORDS words (bare user names) until the keyword kw. */
static bool until_kw(struct rd *r, const char *kw)
{
    for (unsigned i = 0; i <= PIX_MAX_SKIP_WORDS; i++) {
        if (lit(r, kw))
            return true;
        if (!word(r).len)
            return false;
        groups(r, NULL, false);
    }
    return false;
}

/* "H:MM:SS", hours unbounded ("67:30:25" in the third seed). */
static bool duration(struct rd *r, uint64_t *s)
{
    uint64_t h, m, sec;
    if (!number(r, &h) || !lit(r, ":") || !number(r, &m) || !lit(r, ":") || !number(r, &sec) ||
        m > 59 || sec > 59 || h > 1000000)
        return false;
    *s = h * 3600 + m * 60 + sec;
    return true;
}

static uint8_t proto_of(struct bytes w)
{
    static const struct { const char *n; uint8_t v; } t[] = {
        { "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmp6", 58 }, { "sctp", 132 },
        { "gre", 47 }, { "esp", 50 },
    };
    char low[8];
    if (!w.len || w.len >= sizeof low)
        return 0;
    for (size_t i = 0; i < w.len; i++)
        low[i] = (char)(w.p[i] >= 'A' && w.p[i] <= 'Z' ? w.p[i] + 32 : w.p[i]);
    low[w.len] = 0;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (strcmp(low, t[i].n) == 0)
            return t[i].v;
    uint16_t v;
    return parse_port(w.p, w.len, &v) && v < 256 ? (uint8_t)v : 0;
}

/* TCP flag words as 106001/106015 print them ("SYN", "RST ACK", "ACK FIN PSH"). */
static uint8_t flag_bit(struct bytes w)
{
    static const struct { const char *n; uint8_t bit; } t[] = {
        { "FIN", 0x01 }, { "SYN", 0x02 }, { "RST", 0x04 }, { "PSH", 0x08 }, { "ACK", 0x10 },
        { "URG", 0x20 }, { "ECE", 0x40 }, { "CWR", 0x80 },
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (bytes_is(w, t[i].n))
            return t[i].bit;
    return 0;
}

/* "flags SYN ACK" up to "on interface". */
static void flags(struct rd *r, struct log_rec *rec)
{
    if (!lit(r, "flags"))
        return;
    rec->has_flags = true;
    for (unsigned i = 0; i < 8 && rd_left(r); i++) {
        size_t save = r->off;
        uint8_t b = flag_bit(word(r));
        if (!b) {
            r->off = save;
            break;
        }
        rec->tcp_flags |= b;
    }
}

/* "on interface NAME" (a trailing "." dropped) */
static void on_interface(struct rd *r, struct log_endpoint *ep)
{
    if (!lit(r, "on interface"))
        return;
    struct bytes w = word(r);
    if (w.len && w.p[w.len - 1] == '.')
        w.len--;
    ep->iface = w;
}

/* The teardown's reason: the rest, up to " from " (ASA 9: "TCP FINs from outside") or " (". */
static struct bytes reason_text(struct rd *r)
{
    struct bytes b = rd_rest(r);
    if (b.len && b.p[0] == '(')
        return (struct bytes){ b.p, 0 };          /* only a user name: no reason */
    for (size_t i = 0; i < b.len; i++)
        if ((b.len - i >= 6 && memcmp(b.p + i, " from ", 6) == 0) ||
            (b.len - i >= 2 && memcmp(b.p + i, " (", 2) == 0)) {
            b.len = i;
            break;
        }
    while (b.len && (b.p[b.len - 1] == ' ' || b.p[b.len - 1] == '\t'))
        b.len--;
    return b;
}

/* 302013 Built {inbound|outbound} TCP connection_id for interface:real-address/real-port
 *        (mapped-address/mapped-port) [(idfw_user)] to interface:real-address/real-port
 *        (mapped-address/mapped-port) [(idfw_user)] [(user)]
 * 302015 the same with UDP. */
static bool conn_built(struct rd *r, struct log_rec *rec)
{
    if (lit(r, "inbound"))
        rec->dir = -1;
    else if (lit(r, "outbound"))
        rec->dir = 1;
    else
        return false;
    lit(r, "Probe");                                 /* FTD's probe connections */
    if (!lit(r, rec->ip_proto == 6 ? "TCP" : "UDP") || !lit(r, "connection") ||
        !number(r, &rec->conn_id) || !lit(r, "for") || !endpoint(r, &rec->ep[0], true) ||
        !groups(r, &rec->ep[0], true) || !until_kw(r, "to") ||
        !endpoint(r, &rec->ep[1], true) || !groups(r, &rec->ep[1], true))
        return false;
    rec->kind = LR_CONN_BUILT;
    return true;
}

/* 302014 Teardown TCP connection id for interface:real-address/real-port [(idfw_user)] to
 *        interface:real-address/real-port [(idfw_user)] duration hh:mm:ss bytes bytes
 *        [reason] [(user)]
 * 302016 Teardown UDP connection number for ... duration hh:mm:ss bytes bytes [(user)] */
static bool conn_teardown(struct rd *r, struct log_rec *rec)
{
    if (!lit(r, rec->ip_proto == 6 ? "TCP" : "UDP") || !lit(r, "connection") ||
        !number(r, &rec->conn_id) || !lit(r, "for") || !endpoint(r, &rec->ep[0], true) ||
        !groups(r, &rec->ep[0], false) || !until_kw(r, "to") ||
        !endpoint(r, &rec->ep[1], true) || !groups(r, &rec->ep[1], false) ||
        !until_kw(r, "duration") || !duration(r, &rec->duration_s) || !lit(r, "bytes") ||
        !number(r, &rec->bytes))
        return false;
    spaces(r);
    rec->has_duration = rec->has_bytes = true;
    rec->reason = reason_text(r);
    rec->kind = LR_CONN_TEARDOWN;
    return true;
}

/* 305009 Built {dynamic|static} translation from interface[(acl)]:real_address to
 *        interface:mapped_address
 * 305010 Teardown {dynamic|static} translation from interface:real_address to
 *        interface:mapped_address duration time
 * 305011 Built {dynamic|static} {TCP|UDP|ICMP} translation from interface:real_address/
 *        real_port [(idfw_user)] to interface:mapped_address/mapped_port
 * 305012 Teardown {dynamic|static} {TCP|UDP|ICMP} translation from ... duration time
 * ep[0] is the real side, ep[1] the mapped side (which may be any text: the third seed's
 * "aaa.bbb.ccc.ddd" is an address its author hid). */
static bool xlate(struct rd *r, struct log_rec *rec, bool with_proto, bool teardown)
{
    if (!lit(r, "dynamic") && !lit(r, "static"))
        return false;
    if (with_proto) {
        rec->ip_proto = proto_of(word(r));
        if (!rec->ip_proto)
            return false;
    }
    if (!lit(r, "translation") || !lit(r, "from") || !endpoint(r, &rec->ep[0], true) ||
        !rec->ep[0].family || !groups(r, &rec->ep[0], false) || !until_kw(r, "to") ||
        !endpoint(r, &rec->ep[1], true) || !groups(r, &rec->ep[1], false))
        return false;
    if (teardown) {
        if (!lit(r, "duration") || !duration(r, &rec->duration_s))
            return false;
        rec->has_duration = true;
    }
    rec->kind = teardown ? LR_XLATE_TEARDOWN : LR_XLATE_BUILT;
    return true;
}

/* 106001 Inbound TCP connection denied from IP_address/port to IP_address/port flags
 *        tcp_flags on interface interface_name */
static bool deny_106001(struct rd *r, struct log_rec *rec)
{
    if (!lit(r, "Inbound TCP connection denied from") || !endpoint(r, &rec->ep[0], false) ||
        !lit(r, " ") || !lit(r, "to") || !endpoint(r, &rec->ep[1], false))
        return false;
    spaces(r);
    rec->ip_proto = 6;
    flags(r, rec);
    on_interface(r, &rec->ep[1]);
    rec->kind = LR_DENY;
    return true;
}

/* 106006 Deny inbound UDP from outside_address/outside_port to inside_address/inside_port
 *        on interface interface_name */
static bool deny_106006(struct rd *r, struct log_rec *rec)
{
    if (!lit(r, "Deny") || !(lit(r, "inbound") || lit(r, "outbound")) || !lit(r, "UDP from") ||
        !endpoint(r, &rec->ep[0], false))
        return false;
    spaces(r);
    if (!lit(r, "to") || !endpoint(r, &rec->ep[1], false))
        return false;
    spaces(r);
    rec->ip_proto = 17;
    on_interface(r, &rec->ep[1]);
    rec->kind = LR_DENY;
    return true;
}

/* 106015 Deny TCP (no connection) from IP_address/port to IP_address/port flags tcp_flags
 *        on interface interface_name */
static bool deny_106015(struct rd *r, struct log_rec *rec)
{
    if (!lit(r, "Deny TCP (no connection) from") || !endpoint(r, &rec->ep[0], false))
        return false;
    spaces(r);
    if (!lit(r, "to") || !endpoint(r, &rec->ep[1], false))
        return false;
    spaces(r);
    rec->ip_proto = 6;
    flags(r, rec);
    on_interface(r, &rec->ep[0]);
    rec->kind = LR_DENY;
    return true;
}

/* 106023 Deny protocol src [interface_name:source_address/source_port] [(idfw_user)]
 *        dst interface_name:dest_address/dest_port [(idfw_user)] [type {string}, code
 *        {code}] by access_group acl_ID [0x8ed66b60, 0xf8852875] */
static bool deny_106023(struct rd *r, struct log_rec *rec)
{
    if (!lit(r, "Deny"))
        return false;
    rec->ip_proto = proto_of(word(r));
    if (!rec->ip_proto || !lit(r, "src") || !endpoint(r, &rec->ep[0], true) ||
        !groups(r, &rec->ep[0], false) || !lit(r, "dst") || !endpoint(r, &rec->ep[1], true) ||
        !groups(r, &rec->ep[1], false))
        return false;
    /* the ACL's name, for the record: by access-group "NAME" */
    struct bytes rest = rd_rest(r);
    for (size_t i = 0; i + 1 < rest.len; i++)
        if (rest.p[i] == '"') {
            const uint8_t *q = memchr(rest.p + i + 1, '"', rest.len - i - 1);
            if (q)
                rec->reason = (struct bytes){ rest.p + i + 1, (size_t)(q - rest.p - i - 1) };
            break;
        }
    rec->kind = LR_DENY;
    return true;
}

/* 106100 access-list acl_ID {permitted|denied|est-allowed} protocol interface_name/
 *        source_address(source_port) (idfw_user, sg_info) -> interface_name/dest_address
 *        (dest_port) (idfw_user, sg_info) hit-cnt number ({first hit|number-second
 *        interval}) hash codes */
static bool acl_side(struct rd *r, struct log_endpoint *ep)
{
    size_t k = 0, left = rd_left(r);
    while (k < left && r->p[r->off + k] != '(' && r->p[r->off + k] != ' ')
        k++;
    struct bytes t = rd_bytes(r, k);
    const uint8_t *slash = t.p ? memchr(t.p, '/', t.len) : NULL;
    if (!slash || slash == t.p)
        return false;
    ep->iface = (struct bytes){ t.p, (size_t)(slash - t.p) };
    ep->addr_text = (struct bytes){ slash + 1, t.len - ep->iface.len - 1 };
    if (!log_addr_parse(ep->addr_text.p, ep->addr_text.len, &ep->family, ep->a))
        ep->family = 0;
    if (peek_is(r, '(')) {
        const uint8_t *close = memchr(rd_ptr(r), ')', rd_left(r));
        if (!close)
            return false;
        struct bytes b = rd_bytes(r, (size_t)(close - rd_ptr(r)) + 1);
        if (parse_port(b.p + 1, b.len - 2, &ep->port))
            ep->has_port = true;
    }
    spaces(r);
    while (peek_is(r, '(')) {                         /* (idfw_user, sg_info) */
        const uint8_t *close = memchr(rd_ptr(r), ')', rd_left(r));
        if (!close)
            return false;
        rd_skip(r, (size_t)(close - rd_ptr(r)) + 1);
        spaces(r);
    }
    return true;
}

static bool acl_106100(struct rd *r, struct log_rec *rec)
{
    if (!lit(r, "access-list"))
        return false;
    rec->reason = word(r);
    struct bytes verdict = word(r);
    bool denied = bytes_is(verdict, "denied");
    if (!denied && !bytes_is(verdict, "permitted") && !bytes_is(verdict, "est-allowed"))
        return false;
    rec->ip_proto = proto_of(word(r));
    if (!rec->ip_proto || !acl_side(r, &rec->ep[0]) || !lit(r, "->") || !acl_side(r, &rec->ep[1]))
        return false;
    uint64_t hits = 1;
    if (lit(r, "hit-cnt") && !number(r, &hits))
        return false;
    rec->hit_count = hits > UINT32_MAX ? UINT32_MAX : (uint32_t)hits;
    rec->kind = denied ? LR_DENY : LR_ACL_PERMIT;
    return true;
}

/* 710003 {TCP|UDP} access denied by ACL from source_IP/source_port to interface_name:
 *        dest_IP/service */
static bool deny_710003(struct rd *r, struct log_rec *rec)
{
    rec->ip_proto = proto_of(word(r));
    if ((rec->ip_proto != 6 && rec->ip_proto != 17) || !lit(r, "access denied by ACL from") ||
        !endpoint(r, &rec->ep[0], false))
        return false;
    spaces(r);
    if (!lit(r, "to") || !endpoint(r, &rec->ep[1], true))
        return false;
    rec->kind = LR_DENY;
    return true;
}

bool pix_is_message(const uint8_t *p, size_t n)
{
    if (n && p[0] == '%') {
        p++;
        n--;
    }
    return n >= 4 && (memcmp(p, "ASA-", 4) == 0 || memcmp(p, "PIX-", 4) == 0);
}

enum bw_status pix_parse(const uint8_t *p, size_t n, struct log_rec *rec, enum log_bad *why)
{
    memset(rec, 0, sizeof *rec);
    struct rd r = rd_init(p, n);
    if (peek_is(&r, '%'))
        r.off++;
    *why = LB_BAD_MSGID;
    if (rd_left(&r) < 4)
        return BW_E_MALFORMED;
    rec->vendor = r.p[r.off] == 'P' ? 'P' : 'A';
    if (!lit(&r, "ASA-") && !lit(&r, "PIX-"))
        return BW_E_MALFORMED;
    /* an optional class ("session-"), then LEVEL-MSGID */
    size_t k = 0, left = rd_left(&r);
    while (k < left && k < 16 && r.p[r.off + k] >= 'a' && r.p[r.off + k] <= 'z')
        k++;
    if (k && k < left && r.p[r.off + k] == '-')
        r.off += k + 1;
    uint64_t level, id;
    if (!number(&r, &level) || level > 7 || !peek_is(&r, '-'))
        return BW_E_MALFORMED;
    r.off++;
    if (!number(&r, &id) || id < 100000 || id > 999999)
        return BW_E_MALFORMED;
    if (peek_is(&r, ':'))
        r.off++;
    spaces(&r);
    rec->level = (unsigned)level;
    rec->msgid = (unsigned)id;
    bool ok;
    switch (id) {
    case 302013: rec->ip_proto = 6;  ok = lit(&r, "Built") && conn_built(&r, rec); break;
    case 302015: rec->ip_proto = 17; ok = lit(&r, "Built") && conn_built(&r, rec); break;
    case 302014: rec->ip_proto = 6;  ok = lit(&r, "Teardown") && conn_teardown(&r, rec); break;
    case 302016: rec->ip_proto = 17; ok = lit(&r, "Teardown") && conn_teardown(&r, rec); break;
    case 305009: ok = lit(&r, "Built") && xlate(&r, rec, false, false); break;
    case 305010: ok = lit(&r, "Teardown") && xlate(&r, rec, false, true); break;
    case 305011: ok = lit(&r, "Built") && xlate(&r, rec, true, false); break;
    case 305012: ok = lit(&r, "Teardown") && xlate(&r, rec, true, true); break;
    case 106001: ok = deny_106001(&r, rec); break;
    case 106006: ok = deny_106006(&r, rec); break;
    case 106015: ok = deny_106015(&r, rec); break;
    case 106023: ok = deny_106023(&r, rec); break;
    case 106100: ok = acl_106100(&r, rec); break;
    case 710003: ok = deny_710003(&r, rec); break;
    default:
        *why = LB_UNSUPPORTED_ID;
        return BW_E_MALFORMED;
    }
    if (!ok || r.bad) {
        *why = LB_MALFORMED;
        return BW_E_MALFORMED;
    }
    if (rec->ep[0].family && rec->ep[1].family && rec->ep[0].family != rec->ep[1].family &&
        rec->kind != LR_XLATE_BUILT && rec->kind != LR_XLATE_TEARDOWN) {
        *why = LB_BAD_ADDRESS;
        return BW_E_MALFORMED;
    }
    *why = LB_NONE;
    return BW_OK;
}
