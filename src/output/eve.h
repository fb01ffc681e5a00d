/* SPDX-License-Identifier: MIT
 * eve.h — EVE JSON lines with Suricata's field names (docs/eve.md lists every field). */
#ifndef BW_EVE_H
#define BW_EVE_H

#include <stdbool.h>
#include <stdio.h>

#include "flow/flow.h"
#include "event/event.h"
#include "proto/proto.h"
#include "rules/rules.h"
#include "util/json.h"
#include "util/timefmt.h"
#include "util/status.h"

struct eve {
    FILE *f;
    const char *path;
    bool is_stdout, failed;
    bool inline_mode;            /* alerts of drop/reject rules say "blocked" */
    struct jb jb;
    struct ts_cache tsc, tsc_start;   /* flow starts cluster apart from ends */
};

/* Opens path for writing ("-" is standard output). Fills d and returns BW_E_IO on failure. */
enum bw_status eve_open(struct eve *e, const char *path, bool line_buffered, struct bw_diag *d);
/* Flushes and closes; BW_E_IO if any write failed (d says why). */
enum bw_status eve_close(struct eve *e, struct bw_diag *d);

void eve_flow(struct eve *e, const struct flow *f);

/* A connection from a firewall log (botwatch logs): the same "flow" event as eve_flow, from
 * a conn_event, with its packet and byte counts as given (a PIX/ASA teardown has no packet
 * counts and one byte total for both directions); why is the firewall's own reason text, may
 * be empty. */
void eve_conn(struct eve *e, const struct conn_event *c, const uint8_t *why, size_t why_len);

/* An application event ("irc" ...), stamped with the packet time it completed at. */
void eve_app_event(struct eve *e, const struct flow *f, const struct app_event *ev);

/* A detector's finding (detect/detect.h), stamped with its latest evidence. */
struct finding;
void eve_finding(struct eve *e, const struct finding *f);
/* A rule alert (event_type "alert"), stamped with the time of the bytes that matched. */
void eve_alert(struct eve *e, const struct rule_alert *a);

/* The run's counters as one "stats" event, stamped with the last packet time. Nothing in it
 * depends on the machine (no elapsed time), so it can be compared exactly in tests. */
void eve_stats(struct eve *e, const struct bw_stats *s, const struct proto_stats *ps,
               uint64_t ts_us);

/* Protocol name as Suricata writes it: "TCP", "UDP", "ICMP", "IPv6-ICMP", else the number. */
const char *eve_proto_name(uint8_t proto, char buf[8]);

#endif
