/* SPDX-License-Identifier: MIT
 * eve.c — writes EVE JSON lines. A line is built whole in memory and written with one call,
 * so a failed allocation never leaves half a line in the file. */
#include "output/eve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "detect/detect.h"
#include "util/fmt.h"
#include "util/timefmt.h"

enum { EVE_BUFSIZE = 1 << 16 };

enum bw_status eve_open(struct eve *e, const char *path, bool line_buffered, struct bw_diag *d)
{
    memset(e, 0, sizeof *e);
    e->path = path;
    if (strcmp(path, "-") == 0) {
        e->f = stdout;
        e->is_stdout = true;
    } else {
        e->f = fopen(path, "w");
        if (!e->f) {
            snprintf(d->msg, sizeof d->msg, "%s: cannot write EVE output: %s", path,
                     strerror(errno));
            return BW_E_IO;
        }
    }
    setvbuf(e->f, NULL, line_buffered ? _IOLBF : _IOFBF, EVE_BUFSIZE);
    return BW_OK;
}

enum bw_status eve_close(struct eve *e, struct bw_diag *d)
{
    enum bw_status st = BW_OK;
    if (e->f) {
        if (fflush(e->f) != 0 || ferror(e->f))
            e->failed = true;
        int saved = errno;
        if (!e->is_stdout && fclose(e->f) != 0)
            e->failed = true;
        if (e->failed) {
            snprintf(d->msg, sizeof d->msg, "%s: writing EVE output failed: %s", e->path,
                     strerror(saved ? saved : errno));
            st = BW_E_IO;
        }
    }
    jb_free(&e->jb);
    e->f = NULL;
    return st;
}

const char *eve_proto_name(uint8_t proto, char buf[8])
{
    switch (proto) {
    case IPPROTO_NUM_TCP: return "TCP";
    case IPPROTO_NUM_UDP: return "UDP";
    case IPPROTO_NUM_ICMP: return "ICMP";
    case IPPROTO_NUM_ICMPV6: return "IPv6-ICMP";
    default:
        snprintf(buf, 8, "%u", proto);
        return buf;
    }
}

static void emit(struct eve *e)
{
    jb_raw(&e->jb, "\n", 1);
    if (e->jb.oom || e->failed)
        return;
    if (fwrite(e->jb.p, 1, e->jb.len, e->f) != e->jb.len)
        e->failed = true;
}

static void addr(struct jb *j, const char *k, uint8_t family, const uint8_t *a)
{
    char s[INET6_ADDRSTRLEN];
    if (family == 4) {                       /* by hand: inet_ntop goes via printf */
        fmt_ipv4(a, s);
    } else {
        inet_ntop(AF_INET6, a, s, sizeof s);
    }
    jb_cstr(j, k, s);
}

static void tcp_flags_hex(struct jb *j, const char *k, uint8_t fl)
{
    static const char hex[] = "0123456789abcdef";
    char b[3] = { hex[fl >> 4], hex[fl & 15], 0 };
    jb_cstr(j, k, b);
}

static const char *flow_state_name(const struct flow *f)
{
    switch (f->tcp_state) {
    case TCPS_NONE:
        return f->pkts[DIR_TOCLIENT] ? "established" : "new";
    case TCPS_SYN_SENT:
    case TCPS_SYN_RECV:
        return "new";
    case TCPS_CLOSED:
        return "closed";
    default:
        return "established";
    }
}

static const char *tcp_state_name(const struct flow *f)
{
    static const char *const n[] = { "none", "syn_sent", "syn_recv", "established",
                                     "fin_wait1", "closed" };
    return n[f->tcp_state];
}

/* The common head of every event: timestamp, flow id, event type, 5-tuple; src is the
 * client, or for an alert the sender of the bytes that matched (c: its key side). */
static void head_side(struct eve *e, uint64_t ts_us, const struct flow *f, const char *type,
                      int c)
{
    struct jb *j = &e->jb;
    char ts[TS_BUF], pb[8];
    jb_reset(j);
    jb_open(j);
    ts_format_cached(&e->tsc, ts_us, ts);
    jb_cstr(j, "timestamp", ts);
    jb_u64(j, "flow_id", f->id);
    jb_cstr(j, "event_type", type);
    addr(j, "src_ip", f->key.family, f->key.addr[c]);
    if (f->key.proto == IPPROTO_NUM_TCP || f->key.proto == IPPROTO_NUM_UDP)
        jb_u64(j, "src_port", f->key.port[c]);
    addr(j, "dest_ip", f->key.family, f->key.addr[!c]);
    if (f->key.proto == IPPROTO_NUM_TCP || f->key.proto == IPPROTO_NUM_UDP)
        jb_u64(j, "dest_port", f->key.port[!c]);
    jb_cstr(j, "proto", eve_proto_name(f->key.proto, pb));
}

static void head(struct eve *e, uint64_t ts_us, const struct flow *f, const char *type)
{
    head_side(e, ts_us, f, type, f->client_side);
}

/* "flow":{ and the counters every flow-like event carries (Suricata's names); the caller
 * adds state and reason and closes the object. */
static void flow_counts(struct eve *e, const uint64_t pkts[2], const uint64_t bytes[2],
                        uint64_t start_us, uint64_t end_us)
{
    struct jb *j = &e->jb;
    char ts[TS_BUF];
    jb_obj(j, "flow");
    jb_u64(j, "pkts_toserver", pkts[DIR_TOSERVER]);
    jb_u64(j, "pkts_toclient", pkts[DIR_TOCLIENT]);
    jb_u64(j, "bytes_toserver", bytes[DIR_TOSERVER]);
    jb_u64(j, "bytes_toclient", bytes[DIR_TOCLIENT]);
    ts_format_cached(&e->tsc_start, start_us, ts);
    jb_cstr(j, "start", ts);
    ts_format_cached(&e->tsc, end_us, ts);
    jb_cstr(j, "end", ts);
    jb_u64(j, "age", (end_us - start_us) / 1000000);
}

void eve_flow(struct eve *e, const struct flow *f)
{
    struct jb *j = &e->jb;
    head(e, f->last_us, f, "flow");
    if (f->key.proto == IPPROTO_NUM_ICMP || f->key.proto == IPPROTO_NUM_ICMPV6) {
        jb_u64(j, "icmp_type", f->icmp_type);
        jb_u64(j, "icmp_code", f->icmp_code);
    }
    if (f->key.proto == IPPROTO_NUM_TCP || f->key.proto == IPPROTO_NUM_UDP) {
        jb_cstr(j, "app_proto", proto_name[f->app_proto < PROTO_MAX ? f->app_proto : 0]);
        if (f->app_unusual_port) {
            /* e.g. irc on tcp/80: say so, and what the port is registered for */
            jb_bool(j, "app_proto_unusual_port", true);
            enum proto_id reg = proto_by_port(f->key.port[!f->client_side],
                                              f->key.proto == IPPROTO_NUM_TCP);
            if (reg != PROTO_NONE)
                jb_cstr(j, "app_proto_port_expected", proto_name[reg]);
        }
        if (f->related_back)
            jb_u64(j, "related_flow_id", f->id - f->related_back);
        if (f->app_tunnel && f->app_tunnel < PROTO_MAX)
            jb_cstr(j, "app_proto_tunnel", proto_name[f->app_tunnel]);
        if (f->app_proto == PROTO_UNKNOWN && f->app_sample_bytes) {
            char b[16];
            snprintf(b, sizeof b, "%u.%02u", f->app_entropy_x100 / 100,
                     f->app_entropy_x100 % 100);
            jb_obj(j, "app_unknown");
            jb_raw(j, "\"entropy\":", 10);
            jb_raw(j, b, strlen(b));
            j->need_comma = true;
            jb_u64(j, "sample_bytes", f->app_sample_bytes);
            jb_close(j);
        }
    }

    flow_counts(e, f->pkts, f->bytes, f->first_us, f->last_us);
    jb_cstr(j, "state", flow_state_name(f));
    jb_cstr(j, "reason", flow_end_name[f->end]);
    jb_close(j);

    if (f->key.proto == IPPROTO_NUM_TCP) {
        uint8_t all = f->tcp_flags[0] | f->tcp_flags[1];
        jb_obj(j, "tcp");
        tcp_flags_hex(j, "tcp_flags", all);
        tcp_flags_hex(j, "tcp_flags_ts", f->tcp_flags[DIR_TOSERVER]);
        tcp_flags_hex(j, "tcp_flags_tc", f->tcp_flags[DIR_TOCLIENT]);
        static const struct { uint8_t bit; const char *name; } fl[] = {
            { TCP_SYN, "syn" }, { TCP_FIN, "fin" }, { TCP_RST, "rst" }, { TCP_PSH, "psh" },
            { TCP_ACK, "ack" }, { TCP_URG, "urg" }, { TCP_ECE, "ecn" }, { TCP_CWR, "cwr" },
        };
        for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++)
            if (all & fl[i].bit)
                jb_bool(j, fl[i].name, true);
        jb_cstr(j, "state", tcp_state_name(f));
        if (f->rst_by)
            jb_cstr(j, "rst_by", f->rst_by - 1 == DIR_TOSERVER ? "client" : "server");
        jb_close(j);

        const struct tcp_half *ts_ = &f->half[DIR_TOSERVER], *tc = &f->half[DIR_TOCLIENT];
        jb_obj(j, "stream");
        jb_u64(j, "bytes_toserver", ts_->delivered);
        jb_u64(j, "bytes_toclient", tc->delivered);
        jb_u64(j, "gaps", (uint64_t)ts_->gaps + tc->gaps);
        jb_u64(j, "gap_bytes", (uint64_t)ts_->gap_bytes + tc->gap_bytes);
        jb_u64(j, "retransmissions", (uint64_t)ts_->retransmissions + tc->retransmissions);
        jb_u64(j, "overlaps", (uint64_t)ts_->overlaps + tc->overlaps);
        jb_u64(j, "overlaps_differ", (uint64_t)ts_->overlaps_differ + tc->overlaps_differ);
        jb_bool(j, "midstream", f->midstream);
        jb_bool(j, "depth_reached", ts_->depth_hit || tc->depth_hit);
        jb_close(j);
    }
    jb_close(j);
    emit(e);
}

void eve_finding(struct eve *e, const struct finding *f)
{
    struct jb *j = &e->jb;
    char ts[TS_BUF];
    jb_reset(j);
    jb_open(j);
    ts_format_cached(&e->tsc, f->ts_us, ts);
    jb_cstr(j, "timestamp", ts);
    jb_cstr(j, "event_type", "finding");
    jb_obj(j, "finding");
    char id[17];
    uint8_t kb[8];
    for (int i = 0; i < 8; i++)
        kb[i] = (uint8_t)(f->key >> (56 - 8 * i));
    fmt_hex(kb, 8, id);
    jb_cstr(j, "id", id);                      /* the same id again: this one replaces it */
    addr(j, "host", f->family, f->host);
    jb_cstr(j, "kind", finding_kind_name[f->kind]);
    jb_u64(j, "severity", (uint64_t)f->severity);
    jb_fixed2(j, "confidence", f->confidence);
    jb_str(j, "summary", (const uint8_t *)f->summary, strlen(f->summary));
    if (f->site[0])
        jb_str(j, "site", (const uint8_t *)f->site, strlen(f->site));
    if (f->verdict) {
        jb_cstr(j, "verdict", f->verdict);
        jb_obj(j, "stages");
        for (int pass = 0; pass < 2; pass++) {
            jb_array(j, pass ? "not_seen" : "seen");
            for (int s = 0; s < STAGE_MAX; s++)
                if ((int)!(f->stages_seen >> s & 1) == pass)
                    jb_array_str(j, (const uint8_t *)stage_name[s], strlen(stage_name[s]));
            jb_array_end(j);
        }
        jb_close(j);
    }
    if (f->nmembers) {
        jb_array(j, "members");
        for (unsigned i = 0; i < f->nmembers; i++) {
            char s[INET6_ADDRSTRLEN];
            inet_ntop(f->family == 6 ? AF_INET6 : AF_INET, f->members[i], s, sizeof s);
            jb_array_str(j, (const uint8_t *)s, strlen(s));
        }
        jb_array_end(j);
    }
    jb_array(j, "evidence");
    for (unsigned i = 0; i < f->nev; i++) {
        const struct evidence *v = &f->ev[i];
        if (i)
            jb_raw(j, ",", 1);
        j->need_comma = false;
        jb_open(j);
        jb_str(j, "what", (const uint8_t *)v->what, strlen(v->what));
        if (v->flow_id)
            jb_u64(j, "flow_id", v->flow_id);
        char vts[TS_BUF];
        ts_format(v->ts_us, vts);
        jb_cstr(j, "ts", vts);
        jb_close(j);
    }
    jb_array_end(j);
    if (f->nev_total > f->nev)
        jb_u64(j, "evidence_total", f->nev_total);
    jb_close(j);
    jb_close(j);
    emit(e);
}

/* A rule alert with Suricata's fields (docs/eve.md): "alert" {action, gid, signature_id,
 * rev, signature, category, severity}, app_proto and the flow's counters so far. Offline
 * every action is "allowed"; a rule whose action is not alert says so in rule_action. */
void eve_alert(struct eve *e, const struct rule_alert *a)
{
    struct jb *j = &e->jb;
    const struct flow *f = a->f;
    const struct rule *r = a->r;
    char ts[TS_BUF];
    int c = a->dir == DIR_TOSERVER ? f->client_side : !f->client_side;
    head_side(e, a->ts_us, f, "alert", c);
    jb_cstr(j, "direction", a->dir == DIR_TOSERVER ? "to_server" : "to_client");
    jb_obj(j, "alert");
    bool blocked = e->inline_mode && (r->action == RA_DROP || r->action == RA_REJECT ||
                                      r->action == RA_SDROP);
    jb_cstr(j, "action", blocked ? "blocked" : "allowed");
    if (r->action != RA_ALERT)
        jb_cstr(j, "rule_action", rule_action_name[r->action]);
    jb_u64(j, "gid", r->gid);
    jb_u64(j, "signature_id", r->sid);
    jb_u64(j, "rev", r->rev);
    const char *msg = r->msg ? r->msg : "";
    jb_str(j, "signature", (const uint8_t *)msg, strlen(msg));
    const char *cat = r->class_desc ? r->class_desc : "";
    jb_str(j, "category", (const uint8_t *)cat, strlen(cat));
    jb_u64(j, "severity", (uint64_t)r->priority);
    jb_close(j);
    if (f->key.proto == IPPROTO_NUM_TCP || f->key.proto == IPPROTO_NUM_UDP)
        jb_cstr(j, "app_proto", proto_name[f->app_proto < PROTO_MAX ? f->app_proto : 0]);
    jb_obj(j, "flow");
    jb_u64(j, "pkts_toserver", f->pkts[DIR_TOSERVER]);
    jb_u64(j, "pkts_toclient", f->pkts[DIR_TOCLIENT]);
    jb_u64(j, "bytes_toserver", f->bytes[DIR_TOSERVER]);
    jb_u64(j, "bytes_toclient", f->bytes[DIR_TOCLIENT]);
    ts_format_cached(&e->tsc_start, f->first_us, ts);
    jb_cstr(j, "start", ts);
    jb_close(j);
    jb_close(j);
    emit(e);
}

void eve_stats(struct eve *e, const struct bw_stats *s, const struct proto_stats *ps,
               uint64_t ts_us)
{
    struct jb *j = &e->jb;
    char ts[TS_BUF];
    jb_reset(j);
    jb_open(j);
    ts_format_cached(&e->tsc, ts_us, ts);
    jb_cstr(j, "timestamp", ts);
    jb_cstr(j, "event_type", "stats");
    jb_obj(j, "stats");

    jb_obj(j, "capture");
    jb_u64(j, "files", s->input.files);
    jb_u64(j, "files_failed", s->input.files_failed);
    jb_u64(j, "pkts", s->input.pkts);
    jb_u64(j, "bytes", s->input.bytes);
    jb_close(j);

    jb_obj(j, "decoder");
    jb_u64(j, "ipv4", s->decode.ipv4);
    jb_u64(j, "ipv6", s->decode.ipv6);
    jb_u64(j, "tcp", s->decode.tcp);
    jb_u64(j, "udp", s->decode.udp);
    jb_u64(j, "icmpv4", s->decode.icmp);
    jb_u64(j, "icmpv6", s->decode.icmpv6);
    jb_u64(j, "other", s->decode.other_l4);
    jb_u64(j, "non_ip", s->decode.non_ip);
    jb_u64(j, "snapped", s->decode.snapped);
    jb_u64(j, "ipv4_tso", s->decode.ipv4_tso);
    jb_u64(j, "invalid", s->decode.errors);
    jb_obj(j, "error");
    for (int i = 0; i < DEC_ERR_MAX; i++)
        if (s->decode.err[i])
            jb_u64(j, decode_err_name[i], s->decode.err[i]);
    jb_close(j);
    jb_close(j);

    jb_obj(j, "defrag");
    jb_u64(j, "fragments", s->frag.fragments);
    jb_u64(j, "reassembled", s->frag.reassembled);
    jb_u64(j, "timeouts", s->frag.timeout);
    jb_u64(j, "incomplete", s->frag.incomplete);
    jb_u64(j, "overlaps", s->frag.overlap);
    jb_u64(j, "overlaps_differ", s->frag.overlap_differ);
    jb_u64(j, "too_large", s->frag.too_large);
    jb_u64(j, "snapped", s->frag.snapped);
    jb_u64(j, "memcap_drops", s->frag.memcap_drop);
    jb_close(j);

    jb_obj(j, "flow");
    jb_u64(j, "total", s->flow.created);
    jb_u64(j, "peak", s->flow.active_peak);
    jb_u64(j, "port_reuse", s->flow.port_reuse);
    jb_u64(j, "nomem", s->flow.nomem);
    jb_u64(j, "evicted", s->flow.evicted);
    jb_obj(j, "ended");
    for (int i = 1; i < FLOW_END_MAX; i++)
        jb_u64(j, flow_end_name[i], s->flow.ended[i]);
    jb_close(j);
    jb_close(j);

    jb_obj(j, "tcp");
    jb_u64(j, "midstream", s->stream.midstream);
    jb_u64(j, "reassembled_bytes", s->stream.delivered_bytes);
    jb_u64(j, "segments_ooo", s->stream.segments_ooo);
    jb_u64(j, "retransmissions", s->stream.retransmissions);
    jb_u64(j, "overlaps", s->stream.overlaps);
    jb_u64(j, "overlaps_differ", s->stream.overlaps_differ);
    jb_u64(j, "overlaps_unchecked", s->stream.overlaps_unchecked);
    jb_u64(j, "gaps", s->stream.gaps);
    jb_u64(j, "gap_bytes", s->stream.gap_bytes);
    jb_u64(j, "depth_reached", s->stream.depth_reached);
    jb_u64(j, "depth_bytes", s->stream.depth_bytes);
    jb_u64(j, "ooo_cap", s->stream.ooo_cap);
    jb_u64(j, "memcap_drops", s->stream.memcap_drop);
    jb_u64(j, "bogus_seq", s->stream.bogus_seq);
    jb_close(j);

    jb_obj(j, "app_layer");
    jb_obj(j, "flow");
    for (int i = 1; i < PROTO_MAX; i++)
        if (ps->flows[i])
            jb_u64(j, proto_name[i], ps->flows[i]);
    jb_close(j);
    jb_u64(j, "unusual_port", ps->unusual_port);
    jb_u64(j, "gave_up_gap", ps->gave_up_gap);
    jb_u64(j, "memcap_drops", ps->memcap_drop);
    jb_u64(j, "parser_memcap_drops", ps->parser_memcap_drop);
    jb_u64(j, "events", ps->events);
    jb_u64(j, "expected", ps->expected);
    jb_u64(j, "expect_matched", ps->expect_matched);
    jb_u64(j, "expect_dropped", ps->expect_dropped);
    jb_u64(j, "irc_overlong", ps->irc_overlong);
    jb_close(j);

    jb_close(j);
    jb_close(j);
    emit(e);
}

static bool cmd_is(struct bytes c, const char *s)
{
    size_t n = strlen(s);
    if (c.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((c.p[i] & 0xdf) != (uint8_t)(s[i] & 0xdf))
            return false;
    return true;
}

static void jb_bytes(struct jb *j, const char *k, struct bytes b)
{
    if (b.p)
        jb_str(j, k, b.p, b.len);
}

/* "Welcome to the Sina Network, nick": the words up to and with "Network" (RFC 2812 5.1
 * RPL_WELCOME; servers word it as they like, the network name is what analysts want). */
static struct bytes network_name(struct bytes t)
{
    static const char lead[] = "Welcome to the ";
    for (size_t i = 0; i + sizeof lead - 1 <= t.len; i++) {
        if (memcmp(t.p + i, lead, sizeof lead - 1) != 0)
            continue;
        const uint8_t *s = t.p + i + sizeof lead - 1;
        size_t left = t.len - (size_t)(s - t.p);
        for (size_t k = 0; k + 7 <= left; k++)
            if (memcmp(s + k, "Network", 7) == 0)
                return (struct bytes){ s, k + 7 };
        return (struct bytes){ NULL, 0 };
    }
    return (struct bytes){ NULL, 0 };
}

static void irc_fields(struct jb *j, const struct irc_msg *m)
{
    jb_bytes(j, "command", m->command);
    if (m->numeric)
        jb_u64(j, "numeric", m->numeric);
    if (m->prefix.len) {
        jb_bytes(j, "prefix", m->prefix);
        /* RFC 2812 2.3.1: servername / nickname [[!user] @host]; a bare name with a dot is
         * a server (nicknames cannot contain one) */
        bool server = !m->user.p && !m->host.p && memchr(m->nick.p, '.', m->nick.len);
        jb_bytes(j, server ? "server" : "nick", m->nick);
        if (m->user.p)
            jb_bytes(j, "user", m->user);
        if (m->host.p)
            jb_bytes(j, "host", m->host);
    }
    jb_array(j, "params");
    for (unsigned i = 0; i < m->nparams; i++)
        jb_array_str(j, m->params[i].p, m->params[i].len);
    jb_array_end(j);
    /* what each command means, under names a detector or analyst can query */
    struct bytes p0 = m->nparams > 0 ? m->params[0] : (struct bytes){ NULL, 0 };
    struct bytes last = m->nparams > 0 ? m->params[m->nparams - 1] : (struct bytes){ NULL, 0 };
    struct bytes c = m->command;
    bool chan0 = p0.len && (p0.p[0] == '#' || p0.p[0] == '&' || p0.p[0] == '+' || p0.p[0] == '!');
    if (cmd_is(c, "NICK")) {
        jb_bytes(j, "new_nick", p0);
    } else if (cmd_is(c, "USER")) {
        jb_bytes(j, "username", p0);
        if (m->nparams >= 4)
            jb_bytes(j, "realname", last);
    } else if (cmd_is(c, "PASS")) {
        jb_bytes(j, "password", p0);
    } else if (cmd_is(c, "JOIN") || cmd_is(c, "PART")) {
        jb_bytes(j, "channel", p0);
        if (cmd_is(c, "PART") && m->nparams >= 2)
            jb_bytes(j, "text", last);
    } else if (cmd_is(c, "PRIVMSG") || cmd_is(c, "NOTICE")) {
        jb_bytes(j, "target", p0);
        if (chan0)
            jb_bytes(j, "channel", p0);
        if (m->nparams >= 2)
            jb_bytes(j, "text", last);
        if (m->ctcp.p) {
            jb_bytes(j, "ctcp", m->ctcp);
            if (m->ctcp_args.p)
                jb_bytes(j, "ctcp_args", m->ctcp_args);
        }
    } else if (cmd_is(c, "MODE")) {
        jb_bytes(j, "target", p0);
        if (chan0)
            jb_bytes(j, "channel", p0);
        if (m->nparams >= 2)
            jb_bytes(j, "modes", m->params[1]);
    } else if (cmd_is(c, "PING") || cmd_is(c, "PONG")) {
        jb_bytes(j, "token", last);
    } else if (cmd_is(c, "ERROR") || cmd_is(c, "QUIT") || cmd_is(c, "TOPIC") ||
               cmd_is(c, "KICK")) {
        if (chan0)
            jb_bytes(j, "channel", p0);
        if (m->nparams)
            jb_bytes(j, "text", last);
    } else if (m->numeric) {
        jb_bytes(j, "target", p0);
        if (m->nparams >= 2)
            jb_bytes(j, "text", last);
        struct bytes net = { NULL, 0 };
        if (m->numeric == 1)
            net = network_name(last);
        for (unsigned i = 1; m->numeric == 5 && i < m->nparams; i++)   /* 005 NETWORK=name */
            if (m->params[i].len > 8 && memcmp(m->params[i].p, "NETWORK=", 8) == 0)
                net = (struct bytes){ m->params[i].p + 8, m->params[i].len - 8 };
        if (net.p)
            jb_bytes(j, "network", net);
    }
    if (m->truncated)
        jb_bool(j, "truncated", true);
}

/* Suricata's smtp record (helo, mail_from, rcpt_to) with what the relay question needs:
 * every reply, whether the message was taken, its size, AUTH and STARTTLS. */
static void smtp_fields(struct jb *j, const struct smtp_tx *t)
{
    jb_bytes(j, "helo", t->helo);
    jb_bytes(j, "mail_from", t->mail_from);
    jb_array(j, "rcpt_to");
    for (unsigned i = 0; i < t->nrcpt; i++)
        jb_array_str(j, t->rcpt[i].p, t->rcpt[i].len);
    jb_array_end(j);
    if (t->rcpt_total > t->nrcpt)
        jb_u64(j, "rcpt_total", t->rcpt_total);
    unsigned accepted = 0;
    for (unsigned i = 0; i < t->nrcpt; i++)
        accepted += t->rcpt_code[i] / 100 == 2;
    jb_u64(j, "rcpt_accepted", accepted);
    if (t->mail_code)
        jb_u64(j, "mail_from_reply", t->mail_code);
    jb_bool(j, "data", t->data);
    if (t->data_code)
        jb_u64(j, "data_reply", t->data_code);
    if (t->data_code == 354)
        jb_u64(j, "message_bytes", t->message_bytes);
    jb_bool(j, "delivered", t->delivered);
    if (t->end_code) {
        jb_u64(j, "delivery_reply", t->end_code);
        jb_bytes(j, "delivery_reply_text", t->end_reply);
    }
    if (t->auth_ok >= 0 && t->auth_mech.p) {
        jb_obj(j, "auth");
        jb_bytes(j, "mechanism", t->auth_mech);
        jb_bool(j, "success", t->auth_ok == 1);
        jb_close(j);
    }
    if (t->starttls)
        jb_bool(j, "starttls", true);
    if (!t->complete)
        jb_bool(j, "incomplete", true);
}

static const char *dns_type_name(uint16_t t, char buf[8])
{
    switch (t) {
    case 1: return "A";
    case 2: return "NS";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 12: return "PTR";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 33: return "SRV";
    case 65: return "HTTPS";
    case 255: return "ANY";
    default:
        snprintf(buf, 8, "%u", t);
        return buf;
    }
}

/* Suricata's names for TLS versions. */
static const char *tls_version_name(uint16_t v)
{
    switch (v) {
    case 0x0200: return "SSLv2";
    case 0x0300: return "SSLv3";
    case 0x0301: return "TLS 1.0";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default: return "UNDETERMINED";
    }
}

static void hex(struct jb *j, const char *k, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char b[64];
    size_t o = 0;
    for (size_t i = 0; i < n && o + 2 < sizeof b; i++) {
        b[o++] = digits[p[i] >> 4];
        b[o++] = digits[p[i] & 15];
    }
    jb_str(j, k, (const uint8_t *)b, o);
}

static void bt_fields(struct jb *j, const struct bt_handshake *h)
{
    hex(j, "info_hash", h->info_hash, 20);
    jb_str(j, "peer_id", h->peer_id, 20);
    if (h->client)
        jb_cstr(j, "client", h->client);
    if (h->version[0])
        jb_cstr(j, "client_version", h->version);
    jb_cstr(j, "peer_id_style", h->style);
    hex(j, "reserved", h->reserved, 8);
    jb_array(j, "extensions");
    if (h->reserved[7] & 0x01)
        jb_array_str(j, (const uint8_t *)"dht", 3);
    if (h->reserved[7] & 0x04)
        jb_array_str(j, (const uint8_t *)"fast", 4);
    if (h->reserved[5] & 0x10)
        jb_array_str(j, (const uint8_t *)"ltep", 4);
    jb_array_end(j);
}

void eve_app_event(struct eve *e, const struct flow *f, const struct app_event *ev)
{
    struct jb *j = &e->jb;
    switch (ev->type) {
    case APP_EV_IRC:
        head(e, ev->ts_us, f, "irc");
        jb_cstr(j, "app_proto", "irc");
        jb_obj(j, "irc");
        jb_cstr(j, "direction", ev->dir == DIR_TOSERVER ? "toserver" : "toclient");
        irc_fields(j, ev->u.irc);
        jb_close(j);
        break;
    case APP_EV_BITTORRENT:
        head(e, ev->ts_us, f, "bittorrent");
        jb_cstr(j, "app_proto", "bittorrent");
        jb_obj(j, "bittorrent");
        jb_cstr(j, "direction", ev->dir == DIR_TOSERVER ? "toserver" : "toclient");
        bt_fields(j, ev->u.bt);
        jb_close(j);
        break;
    case APP_EV_PROXY: {
        const struct proxy_req *q = ev->u.proxy;
        head(e, ev->ts_us, f, "proxy");
        jb_cstr(j, "app_proto", proto_name[f->app_proto < PROTO_MAX ? f->app_proto : 0]);
        jb_obj(j, "proxy");
        jb_cstr(j, "kind", q->kind);
        if (q->command)
            jb_cstr(j, "command", q->command);
        jb_bytes(j, "target_host", q->host);
        if (q->command)
            jb_u64(j, "target_port", q->port);
        if (q->user.len)
            jb_bytes(j, "user", q->user);
        jb_bool(j, "replied", q->replied);
        if (q->replied) {
            jb_u64(j, "reply", q->reply);
            jb_bool(j, "success", q->success);
        }
        if (q->tunnel_proto && q->tunnel_proto < PROTO_MAX)
            jb_cstr(j, "tunnel_proto", proto_name[q->tunnel_proto]);
        jb_close(j);
        break;
    }
    case APP_EV_TLS: {
        const struct tls_hello *h = ev->u.tls;
        head(e, ev->ts_us, f, "tls");
        jb_cstr(j, "app_proto", "tls");
        jb_obj(j, "tls");
        if (h->sni[0])
            jb_cstr(j, "sni", h->sni);
        if (h->server_seen)
            jb_cstr(j, "version", tls_version_name(h->server_version));
        if (h->client_seen)
            jb_cstr(j, "client_version", tls_version_name(h->client_version));
        if (h->server_seen) {
            char c[8];
            snprintf(c, sizeof c, "0x%04x", h->cipher);
            jb_cstr(j, "cipher_suite", c);
        }
        if (h->alpn[0])
            jb_cstr(j, "alpn", h->alpn);
        if (h->client_seen && h->ja3_hash[0]) {
            jb_obj(j, "ja3");
            jb_cstr(j, "hash", h->ja3_hash);
            jb_cstr(j, "string", h->ja3);
            jb_close(j);
        }
        if (h->server_seen && h->ja3s_hash[0]) {
            jb_obj(j, "ja3s");
            jb_cstr(j, "hash", h->ja3s_hash);
            jb_cstr(j, "string", h->ja3s);
            jb_close(j);
        }
        jb_close(j);
        break;
    }
    case APP_EV_SSH: {
        /* Suricata's ssh record: client and server proto_version and software_version */
        head(e, ev->ts_us, f, "ssh");
        jb_cstr(j, "app_proto", "ssh");
        jb_obj(j, "ssh");
        static const char *const side[2] = { "client", "server" };
        for (int d = 0; d < 2; d++) {
            if (!ev->u.ssh->proto[d].len)
                continue;
            jb_obj(j, side[d]);
            jb_bytes(j, "proto_version", ev->u.ssh->proto[d]);
            jb_bytes(j, "software_version", ev->u.ssh->software[d]);
            jb_close(j);
        }
        jb_close(j);
        break;
    }
    case APP_EV_HTTP: {
        /* Suricata's http record, and a fileinfo record for a body with a known file type */
        const struct http_txn *t = ev->u.http;
        head(e, ev->ts_us, f, "http");
        jb_cstr(j, "app_proto", "http");
        jb_obj(j, "http");
        jb_bytes(j, "hostname", t->host);
        jb_bytes(j, "url", t->uri);
        jb_bytes(j, "http_method", t->method);
        jb_bytes(j, "protocol", t->version);
        jb_bytes(j, "http_user_agent", t->user_agent);
        jb_bytes(j, "http_refer", t->referer);
        jb_bytes(j, "http_request_content_type", t->req_content_type);
        if (t->req_body)
            jb_u64(j, "request_body_length", t->req_body);
        if (t->has_response) {
            jb_u64(j, "status", t->status);
            jb_bytes(j, "http_content_type", t->resp_content_type);
            jb_bytes(j, "redirect", t->location);
            jb_bytes(j, "server", t->server);
            jb_u64(j, "length", t->resp_body);
            if (t->resp_chunked)
                jb_bool(j, "chunked", true);
        }
        if (t->req_file)
            jb_cstr(j, "request_file_type", t->req_file);
        if (t->resp_file)
            jb_cstr(j, "file_type", t->resp_file);
        if (t->bittorrent_announce)
            jb_bool(j, "bittorrent_announce", true);
        if (t->truncated_headers)
            jb_bool(j, "truncated_headers", true);
        jb_close(j);
        jb_close(j);
        emit(e);
        for (int dir = 0; dir < 2; dir++) {
            const char *ft = dir ? t->resp_file : t->req_file;
            if (!ft)
                continue;
            head(e, ev->ts_us, f, "fileinfo");
            jb_cstr(j, "app_proto", "http");
            jb_obj(j, "fileinfo");
            jb_bytes(j, "filename", t->uri);
            jb_cstr(j, "file_type", ft);
            jb_cstr(j, "direction", dir ? "toclient" : "toserver");
            jb_u64(j, "size", dir ? t->resp_body : t->req_body);
            jb_close(j);
            jb_close(j);
            emit(e);
        }
        return;
    }
    case APP_EV_DNS: {
        /* Suricata's dns record, version 2 */
        const struct dns_msg *d = ev->u.dns;
        static const char *const rcodes[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                              "NOTIMP", "REFUSED" };
        head(e, ev->ts_us, f, "dns");
        jb_cstr(j, "app_proto", "dns");
        jb_obj(j, "dns");
        jb_u64(j, "version", 2);
        jb_cstr(j, "type", d->response ? "answer" : "query");
        jb_u64(j, "id", d->id);
        char fl[8];
        snprintf(fl, sizeof fl, "%x", d->flags);
        jb_cstr(j, "flags", fl);
        if (d->qname[0] || d->qtype) {
            jb_cstr(j, "rrname", d->qname);
            jb_cstr(j, "rrtype", dns_type_name(d->qtype, fl));
        }
        if (d->response) {
            char rc[8];
            snprintf(rc, sizeof rc, "%u", d->rcode);
            jb_cstr(j, "rcode", d->rcode < 6 ? rcodes[d->rcode] : rc);
            if (d->nanswers) {
                jb_raw(j, ",\"answers\":[", 12);
                for (unsigned i = 0; i < d->nanswers; i++) {
                    const struct dns_answer *a = &d->answers[i];
                    if (i)
                        jb_raw(j, ",", 1);
                    jb_open(j);
                    jb_cstr(j, "rrname", a->name);
                    char tb[8];
                    jb_cstr(j, "rrtype", dns_type_name(a->type, tb));
                    jb_u64(j, "ttl", a->ttl);
                    if (a->rdata[0])
                        jb_cstr(j, "rdata", a->rdata);
                    jb_close(j);
                }
                jb_raw(j, "]", 1);
            }
        }
        jb_close(j);
        break;
    }
    case APP_EV_FTP: {
        /* Suricata's ftp record: command, command_data, completion_code, reply */
        const struct ftp_cmd *c = ev->u.ftp;
        head(e, ev->ts_us, f, "ftp");
        jb_cstr(j, "app_proto", "ftp");
        jb_obj(j, "ftp");
        jb_bytes(j, "command", c->command);
        if (c->arg.len)
            jb_bytes(j, "command_data", c->arg);
        if (c->reply) {
            char code[12];
            snprintf(code, sizeof code, "%u", c->reply);
            jb_cstr(j, "completion_code", code);
            jb_bytes(j, "reply", c->reply_text);
        }
        if (c->data_port)
            jb_u64(j, "dynamic_port", c->data_port);
        jb_close(j);
        break;
    }
    case APP_EV_POP3:
    case APP_EV_IMAP: {
        const struct mail_cmd *c = ev->u.mail;
        const char *name = ev->type == APP_EV_POP3 ? "pop3" : "imap";
        head(e, ev->ts_us, f, name);
        jb_cstr(j, "app_proto", name);
        jb_obj(j, name);
        if (c->tag.len)
            jb_bytes(j, "tag", c->tag);
        jb_bytes(j, "command", c->command);
        /* credentials are evidence, as in the ftp and irc records */
        if (c->arg.len)
            jb_bytes(j, "arg", c->arg);
        if (c->status.len) {
            jb_bytes(j, "status", c->status);
            jb_bytes(j, "reply", c->reply);
        }
        if (c->response_bytes)
            jb_u64(j, "response_bytes", c->response_bytes);
        jb_close(j);
        break;
    }
    case APP_EV_DHT: {
        /* Suricata's bittorrent_dht record */
        const struct dht_msg *d = ev->u.dht;
        head(e, ev->ts_us, f, "bittorrent_dht");
        jb_cstr(j, "app_proto", "bittorrent-dht");
        jb_obj(j, "bittorrent_dht");
        hex(j, "transaction_id", d->transaction_id.p, d->transaction_id.len);
        if (d->client_version.len)
            hex(j, "client_version", d->client_version.p, d->client_version.len);
        uint8_t y = d->type.p[0];
        jb_cstr(j, "type", y == 'q' ? "query" : y == 'r' ? "response" : y == 'e' ? "error"
                                                                          : "other");
        if (d->query.len)
            jb_bytes(j, "request_type", d->query);
        if (d->node_id.len)
            hex(j, "id", d->node_id.p, d->node_id.len);
        if (d->info_hash.len)
            hex(j, "info_hash", d->info_hash.p, d->info_hash.len);
        if (d->target.len)
            hex(j, "target", d->target.p, d->target.len);
        if (d->nodes)
            jb_u64(j, "nodes", d->nodes);
        if (d->values)
            jb_u64(j, "values", d->values);
        if (y == 'e') {
            jb_u64(j, "error_code", d->error_code > 0 ? (uint64_t)d->error_code : 0);
            jb_bytes(j, "error_msg", d->error_text);
        }
        jb_close(j);
        break;
    }
    case APP_EV_SMB: {
        /* Suricata's smb record, in part */
        static const char *const cmd2[] = { "SMB2_COMMAND_NEGOTIATE", "SMB2_COMMAND_SESSION_SETUP",
            "SMB2_COMMAND_LOGOFF", "SMB2_COMMAND_TREE_CONNECT", "SMB2_COMMAND_TREE_DISCONNECT",
            "SMB2_COMMAND_CREATE", "SMB2_COMMAND_CLOSE", "SMB2_COMMAND_FLUSH", "SMB2_COMMAND_READ",
            "SMB2_COMMAND_WRITE", "SMB2_COMMAND_LOCK", "SMB2_COMMAND_IOCTL", "SMB2_COMMAND_CANCEL",
            "SMB2_COMMAND_KEEPALIVE", "SMB2_COMMAND_QUERY_DIRECTORY", "SMB2_COMMAND_CHANGE_NOTIFY",
            "SMB2_COMMAND_QUERY_INFO", "SMB2_COMMAND_SET_INFO", "SMB2_COMMAND_OPLOCK_BREAK" };
        const struct smb_msg *m = ev->u.smb;
        char b[16];
        head(e, ev->ts_us, f, "smb");
        jb_cstr(j, "app_proto", "smb");
        jb_obj(j, "smb");
        jb_u64(j, "version", m->version);
        jb_cstr(j, "direction", ev->dir == DIR_TOSERVER ? "request" : "response");
        if (m->version == 2 && m->command < sizeof cmd2 / sizeof cmd2[0]) {
            jb_cstr(j, "command", cmd2[m->command]);
        } else {
            snprintf(b, sizeof b, "%u", m->command);
            jb_cstr(j, "command", b);
        }
        if (m->response) {
            snprintf(b, sizeof b, "0x%08x", (unsigned)m->status);
            jb_cstr(j, "status_code", b);
        }
        if (m->dialect) {
            snprintf(b, sizeof b, "%u.%u.%u", m->dialect >> 8, (m->dialect >> 4) & 15,
                     m->dialect & 15);
            jb_cstr(j, "dialect", b);
        }
        if (m->share[0])
            jb_cstr(j, "share", m->share);
        if (m->filename[0])
            jb_cstr(j, "filename", m->filename);
        jb_close(j);
        break;
    }
    case APP_EV_SMTP:
        head(e, ev->ts_us, f, "smtp");
        jb_cstr(j, "app_proto", "smtp");
        jb_obj(j, "smtp");
        smtp_fields(j, ev->u.smtp);
        jb_close(j);
        break;
    }
    jb_close(j);
    emit(e);
}

static const char *conn_how_name(uint8_t how)
{
    switch (how) {
    case CONN_FIN: return "fin";
    case CONN_RST_CLIENT:
    case CONN_RST_SERVER: return "rst";
    case CONN_TIMEOUT: return "timeout";
    case CONN_OPEN: return "shutdown";
    default: return "forced";
    }
}

void eve_conn(struct eve *e, const struct conn_event *c, const uint8_t *why, size_t why_len)
{
    struct jb *j = &e->jb;
    char ts[TS_BUF], pb[8];
    bool ports = c->ip_proto == IPPROTO_NUM_TCP || c->ip_proto == IPPROTO_NUM_UDP;
    jb_reset(j);
    jb_open(j);
    ts_format_cached(&e->tsc, c->end_us, ts);
    jb_cstr(j, "timestamp", ts);
    jb_u64(j, "flow_id", c->flow_id);
    jb_cstr(j, "event_type", "flow");
    addr(j, "src_ip", c->family, c->src);
    if (ports)
        jb_u64(j, "src_port", c->sport);
    addr(j, "dest_ip", c->family, c->dst);
    if (ports)
        jb_u64(j, "dest_port", c->dport);
    jb_cstr(j, "proto", eve_proto_name(c->ip_proto, pb));
    flow_counts(e, c->pkts, c->bytes, c->start_us, c->end_us);
    jb_cstr(j, "state", c->how == CONN_OPEN ? (c->accepted ? "established" : "new")
                        : c->accepted ? "closed" : "new");
    jb_cstr(j, "reason", conn_how_name(c->how));
    if (c->how == CONN_RST_CLIENT || c->how == CONN_RST_SERVER)
        jb_cstr(j, "rst_by", c->how == CONN_RST_CLIENT ? "client" : "server");
    jb_bool(j, "answered", c->answered);
    jb_bool(j, "accepted", c->accepted);
    if (why_len)
        jb_str(j, "firewall_reason", why, why_len);
    jb_close(j);
    jb_close(j);
    emit(e);
}
