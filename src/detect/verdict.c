/* SPDX-License-Identifier: MIT
 * verdict.c — detector 13: one conclusion per internal host that had any finding, in the
 * spirit of BotHunter's dialog model (Gu et al., USENIX Security 2007): which stages of an
 * infection's life were seen (inbound proxy use, download, command and control, spam,
 * scanning, flooding, P2P) and which were looked for and not seen, then a verdict:
 *   relay       outside hosts use it as a proxy, or it relays their mail;
 *   bot         command-and-control evidence (IRC identity, group, encoded channel), or two
 *               outbound abuse stages together;
 *   policy      a policy matter, not a compromise: a denied P2P application, or IRC from a
 *               browser-embedded web chat;
 *   suspicious  something an analyst should look at, short of the above;
 *   benign      nothing but information (hours profile, allowed P2P, archives).
 * Confidence combines the findings' own as independent evidence: 1 - prod(1 - c). */
#include "detect/internal.h"

#include <string.h>

static double combine(double a, double b)
{
    return 1.0 - (1.0 - a) * (1.0 - b);
}

static double conf(const struct host *h, enum finding_kind k)
{
    return h->find[k] ? h->find[k]->confidence : 0;
}

static int sev(const struct host *h, enum finding_kind k)
{
    return h->find[k] ? h->find[k]->severity : 9;
}

static void cat(char *buf, size_t cap, const char *s)
{
    size_t l = strlen(buf);
    snprintf(buf + l, cap - l, "%s%s", l ? "; " : "", s);
}

void verdict_host(struct detect *d, struct host *h)
{
    bool any = h->group != NULL;
    for (int k = 0; k < FK_HOST_VERDICT; k++)
        any |= h->find[k] != NULL;
    if (!any)
        return;
    /* the stages from the findings (detectors also mark them as they go) */
    uint32_t st = h->stages;
    if (h->find[FK_IRC_BOT_NICK] || h->find[FK_IRC_ENCRYPTED] || h->group ||
        h->find[FK_IRC_NONSTD_PORT])
        st |= 1u << STAGE_CNC;
    if (h->find[FK_SPAM_VOLUME] || h->find[FK_SPAM_RELAY] || h->find[FK_SMTP_NONSTD_PORT])
        st |= 1u << STAGE_SPAM;
    if (h->find[FK_OPEN_PROXY])
        st |= 1u << STAGE_INBOUND;
    if (h->find[FK_P2P_APP] || h->find[FK_P2P_DENIED])
        st |= 1u << STAGE_P2P;
    if (h->find[FK_OUT_SCAN])
        st |= 1u << STAGE_SCAN;
    if (h->find[FK_OUT_FLOOD])
        st |= 1u << STAGE_FLOOD;

    char why[FINDING_TEXT] = "";
    const char *verdict;
    int severity;
    double c = 0;
    bool webchat = h->find[FK_WEB_CHAT] && !h->find[FK_IRC_ENCRYPTED];
    bool cnc = h->find[FK_IRC_BOT_NICK] || h->find[FK_IRC_ENCRYPTED] ||
               (h->group && h->group->severity == 1);
    unsigned outbound = (sev(h, FK_SPAM_VOLUME) == 1) + !!h->find[FK_OUT_SCAN] +
                        !!h->find[FK_OUT_FLOOD] + !!(st & 1u << STAGE_DOWNLOAD);
    if (h->find[FK_SPAM_RELAY] || sev(h, FK_OPEN_PROXY) == 1) {
        verdict = "relay";
        severity = 1;
        c = combine(conf(h, FK_SPAM_RELAY), conf(h, FK_OPEN_PROXY));
        cat(why, sizeof why, h->find[FK_SPAM_RELAY] ? "outside hosts send mail through it"
                                                    : "outside hosts use it as a proxy");
    } else if (cnc && webchat) {
        verdict = "policy";
        severity = 2;
        c = conf(h, FK_WEB_CHAT);
        cat(why, sizeof why, "IRC from a web chat the browser fetched from the same server: "
                             "a question of policy, not a bot");
    } else if (cnc || outbound >= 2) {
        verdict = "bot";
        severity = 1;
        c = combine(combine(conf(h, FK_IRC_BOT_NICK), conf(h, FK_IRC_ENCRYPTED)),
                    h->group ? h->group->confidence : 0);
        if (h->find[FK_IRC_NONSTD_PORT])
            c = combine(c, 0.3);
        if (outbound)
            c = combine(c, 0.3 * outbound);
        if (h->find[FK_IRC_BOT_NICK])
            cat(why, sizeof why, "bot-like IRC identity");
        if (h->find[FK_IRC_NONSTD_PORT])
            cat(why, sizeof why, "IRC off its ports");
        if (h->group)
            cat(why, sizeof why, "in a channel with other hosts that act alike");
        if (h->find[FK_IRC_ENCRYPTED])
            cat(why, sizeof why, "encoded text on IRC");
        if (outbound >= 2)
            cat(why, sizeof why, "several kinds of outbound abuse");
    } else if (h->find[FK_P2P_DENIED]) {
        verdict = "policy";
        severity = 2;
        c = conf(h, FK_P2P_DENIED);
        cat(why, sizeof why, "runs a P2P application the policy does not allow");
    } else {
        double s = 0;
        for (int k = 0; k < FK_HOST_VERDICT; k++)
            if (h->find[k] && h->find[k]->severity <= 2) {
                s = combine(s, h->find[k]->confidence * 0.6);
                cat(why, sizeof why, finding_kind_name[k]);
            }
        verdict = s > 0 ? "suspicious" : "benign";
        severity = s > 0 ? 2 : 3;
        c = s > 0 ? s : 0.6;
        if (s == 0)
            cat(why, sizeof why, "only informational findings");
    }
    /* what was looked for and not seen: the first seed's "no SMTP, no DDoS, no downloads" */
    char none[FINDING_TEXT] = "";
    static const enum stage absent_order[] = { STAGE_SPAM, STAGE_SCAN, STAGE_FLOOD,
                                               STAGE_DOWNLOAD, STAGE_INBOUND };
    for (size_t i = 0; i < sizeof absent_order / sizeof absent_order[0]; i++)
        if (!(st & 1u << absent_order[i])) {
            size_t l = strlen(none);
            snprintf(none + l, sizeof none - l, "%s%s", l ? ", " : "no ",
                     stage_name[absent_order[i]]);
        }
    if (h->hours_pattern == HOURS_BUSINESS)
        cat(why, sizeof why, "active only in business hours");
    else if (h->hours_pattern == HOURS_ALWAYS)
        cat(why, sizeof why, "active round the clock");
    struct finding *f = finding_of(d, h, FK_HOST_VERDICT, severity, c > 0.99 ? 0.99 : c);
    if (!f)
        return;
    f->severity = severity;                    /* a verdict is recomputed, not raised */
    f->confidence = c > 0.99 ? 0.99 : c;
    f->verdict = verdict;
    f->stages_seen = st;
    f->ts_us = d->last_us;
    finding_summary(f, "%s: %s%s%s", verdict, why, none[0] ? "; " : "", none);
}
