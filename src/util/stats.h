/* SPDX-License-Identifier: MIT
 * stats.h — every counter the packet path keeps. Each cap has a counter of what it refused,
 * each malformed packet a reason; all of it is printed at the end of a run (stats_print). */
#ifndef BW_STATS_H
#define BW_STATS_H

#include <stdint.h>
#include <stdio.h>

/* Decode errors by reason: name, and what it means. The only list (X-macro). */
#define DECODE_ERRORS(X)                                                                  \
    X(link_truncated, "link-layer header shorter than its fixed size")                    \
    X(vlan_truncated, "802.1Q/802.1ad tag truncated")                                     \
    X(vlan_too_deep, "more nested VLAN/MPLS/PPPoE headers than the decoder follows")      \
    X(mpls_truncated, "MPLS label stack truncated")                                       \
    X(pppoe_truncated, "PPPoE session header truncated")                                  \
    X(ipv4_truncated, "IPv4 header shorter than 20 bytes")                                \
    X(ipv4_bad_version, "IP version field is not 4 where IPv4 was announced")             \
    X(ipv4_bad_hlen, "IPv4 header length below 20 or beyond the captured bytes")          \
    X(ipv4_bad_total_len, "IPv4 total length below the header length")                    \
    X(ipv4_len_exceeds_frame, "IPv4 total length beyond the frame (frame not snapped)")   \
    X(ipv4_bad_option, "IPv4 option with a bad length")                                   \
    X(ipv6_truncated, "IPv6 header shorter than 40 bytes")                                \
    X(ipv6_bad_version, "IP version field is not 6 where IPv6 was announced")             \
    X(ipv6_len_exceeds_frame, "IPv6 payload length beyond the frame (frame not snapped)") \
    X(ipv6_exthdr_truncated, "IPv6 extension header truncated")                           \
    X(ipv6_exthdr_too_many, "more IPv6 extension headers than the decoder follows")       \
    X(frag_bad_length, "fragment length not a multiple of 8 or past 65535")               \
    X(tcp_truncated, "TCP header shorter than 20 bytes")                                  \
    X(tcp_bad_hlen, "TCP data offset below 20 or beyond the segment")                     \
    X(tcp_bad_option, "TCP option with a bad length")                                     \
    X(udp_truncated, "UDP header shorter than 8 bytes")                                   \
    X(udp_bad_len, "UDP length below 8 or beyond the datagram")                           \
    X(icmp_truncated, "ICMP header shorter than 4 bytes")                                 \
    X(icmpv6_truncated, "ICMPv6 header shorter than 4 bytes")

enum decode_err {
#define X(name, doc) DEC_ERR_##name,
    DECODE_ERRORS(X)
#undef X
    DEC_ERR_MAX
};

extern const char *const decode_err_name[DEC_ERR_MAX];

/* How a flow ended. Names are what EVE's flow.reason says. */
#define FLOW_ENDS(X)                                                              \
    X(fin, "fin", "FINs both ways")                                               \
    X(rst, "rst", "reset")                                                        \
    X(timeout, "timeout", "idle timeout")                                         \
    X(forced, "forced", "evicted (memory cap)")                                   \
    X(shutdown, "shutdown", "still open at end of input")

enum flow_end {
    FLOW_END_NONE = 0,
#define X(id, name, doc) FLOW_END_##id,
    FLOW_ENDS(X)
#undef X
    FLOW_END_MAX
};

extern const char *const flow_end_name[FLOW_END_MAX];

struct bw_stats {
    struct {
        uint64_t pkts, bytes, files, files_failed;
        uint64_t filtered_out; /* not counted: BPF drops never reach us; kept for live capture */
    } input;
    struct {
        uint64_t err[DEC_ERR_MAX];
        uint64_t errors;  /* packets with any decode error */
        uint64_t non_ip;  /* ARP, LLC, ...: fine, but not ours */
        uint64_t snapped; /* caplen < wire length cut the payload: decoded as far as it goes */
        uint64_t ipv4_tso;/* IPv4 total length 0 (offloaded segmentation): frame length used */
        uint64_t ipv4, ipv6, tcp, udp, icmp, icmpv6, other_l4;
    } decode;
    struct {
        uint64_t fragments, reassembled, timeout, overlap, overlap_differ, too_large;
        uint64_t snapped;           /* fragments cut by the snap length: not reassembled */
        uint64_t incomplete;        /* datagrams still missing fragments at the end of input */
        uint64_t memcap_drop, memuse, memuse_peak;
    } frag;
    struct {
        uint64_t created, port_reuse, active, active_peak;
        uint64_t nomem;             /* packets with no flow: allocation failed */
        uint64_t evicted;           /* flows ended early by the memory cap (any reason) */
        uint64_t ended[FLOW_END_MAX];
        uint64_t memuse, memuse_peak;
    } flow;
    struct {
        uint64_t midstream;         /* flows picked up without a handshake */
        uint64_t delivered_bytes;   /* payload handed to the layer above, in order */
        uint64_t segments_ooo;      /* segments that arrived ahead of a hole */
        uint64_t retransmissions;   /* segments entirely already delivered or queued */
        uint64_t overlaps;          /* segments overlapping delivered or queued bytes */
        uint64_t overlaps_differ;   /* ... whose overlapping bytes differ: an evasion signal */
        uint64_t overlaps_unchecked;/* ... too old to compare (outside the kept window) */
        uint64_t gaps, gap_bytes;   /* holes given up on and reported as gaps */
        uint64_t depth_reached;     /* flow-directions that hit the per-flow byte cap */
        uint64_t depth_bytes;       /* bytes not delivered because of it */
        uint64_t ooo_cap;           /* times the per-flow out-of-order cap forced a gap */
        uint64_t memcap_drop;       /* segments not queued: global stream memcap */
        uint64_t bogus_seq;         /* segments more than 1 GiB ahead of the stream: ignored */
        uint64_t memuse, memuse_peak;
    } stream;
};

static inline void stats_mem_add(uint64_t *use, uint64_t *peak, uint64_t n)
{
    *use += n;
    if (*use > *peak)
        *peak = *use;
}

/* Prints the end-of-run summary; elapsed is wall-clock seconds of processing. */
void stats_print(FILE *f, const struct bw_stats *s, double elapsed);

#endif
