/* SPDX-License-Identifier: MIT
 * main.c — command dispatch. Exit codes (also in botwatch(1)):
 *   0  every input was read and every output written
 *   1  some input was unusable (missing, not a capture, truncated, unknown link type);
 *      everything else was still processed and reported
 *   2  usage error: bad option, bad filter, nothing was processed
 *   3  an output could not be written */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture/live.h"
#include "capture/nfq.h"
#include "capture/pcap_file.h"
#include "engine.h"
#include "logs/logs.h"
#include "rules/rules.h"

#ifndef BW_VERSION
#define BW_VERSION "0.1.0-dev"
#endif

enum { EXIT_INPUT = 1, EXIT_USAGE = 2, EXIT_OUTPUT = 3 };

static const char usage_main[] =
    "usage: botwatch COMMAND [options] ...\n"
    "\n"
    "Finds bots, relays and unsanctioned software in captures and firewall logs.\n"
    "\n"
    "commands:\n"
    "  scan      read pcap/pcapng files: flows, protocols, findings, Snort-syntax rules,\n"
    "            EVE JSON and fast alert output\n"
    "  live      the same, continuously, on a network interface\n"
    "  inline    the same on a netfilter queue, as an IPS: every packet gets a verdict\n"
    "  logs      read firewall syslog (Cisco PIX/ASA, netfilter LOG): the same detectors\n"
    "  rules     rules check PATH...: load rule files and report what loads\n"
    "  help      show help for a command (botwatch help scan)\n"
    "  version   print the version\n"
    "\n"
    "planned (not yet built; they exit with status 2): report\n"
    "\n"
    "Run 'botwatch COMMAND --help' for a command's options; see also botwatch(1).\n";

static const char usage_scan[] =
    "usage: botwatch scan [options] FILE...\n"
    "\n"
    "Reads pcap and pcapng captures (- for standard input) in order, as one timeline.\n"
    "Decodes Ethernet/802.1Q/QinQ/MPLS/PPPoE, Linux cooked SLL/SLL2, raw IP and BSD loopback;\n"
    "IPv4/IPv6 (fragments reassembled), TCP, UDP, ICMP; tracks bidirectional flows and\n"
    "reassembles TCP streams. Statistics go to standard error at the end.\n"
    "\n"
    "options:\n"
    "  -f, --filter EXPR        BPF filter applied to every file (pcap-filter(7))\n"
    "  -e, --eve PATH           write EVE JSON events to PATH (- for standard output)\n"
    "  -r, --rules PATH         load Snort-syntax rules from a file or a directory of\n"
    "                           *.rules (repeatable); alerts go to EVE and fast output\n"
    "      --fast PATH          write one 'fast' line per alert to PATH (- for standard\n"
    "                           output; the default with --rules unless --eve is -)\n"
    "      --var NAME=VALUE     set a rule variable (HOME_NET=[10.0.0.0/8]) before loading\n"
    "      --classification FILE  classification.config to use instead of the built-in\n"
    "      --threshold-file FILE  event_filter and suppress lines (Snort threshold.conf)\n"
    "      --rules-profile N    time every rule and prefilter database; at the end list\n"
    "                           the N rules that took longest and every database\n"
    "      --dump-streams DIR   write each TCP flow's reassembled bytes to\n"
    "                           DIR/<flow_id>-toserver.bin and -toclient.bin\n"
    "      --no-app             decode, flows and TCP reassembly only (flow events,\n"
    "                           --dump-streams): no protocol identification, parsers or\n"
    "                           detectors; not with --rules, --report, --config, --home-net\n"
    "      --flow-memcap SIZE   memory for flow records (default 256m); the least recently\n"
    "                           active flow is evicted when it is reached\n"
    "      --stream-memcap SIZE memory for out-of-order TCP data (default 256m)\n"
    "      --stream-depth SIZE  bytes reassembled per direction per flow (default 1m, 0 = all)\n"
    "      --stream-ooo SIZE    out-of-order bytes held per direction per flow (default 1m)\n"
    "      --frag-memcap SIZE   memory for IP fragments (default 64m)\n"
    "      --app-memcap SIZE    memory for protocol identification and parser state\n"
    "                           (default 256m); flows past it are counted, not parsed\n"
    "      --frag-timeout SEC   seconds to wait for a datagram's fragments (default 30)\n"
    "      --timeout CLASS=SEC  idle timeout by flow state; CLASS is tcp-new,\n"
    "                           tcp-established, tcp-closing, tcp-closed, udp or other\n"
    "                           (defaults 60, 3600, 120, 10, 300, 60)\n"
    "      --lookahead N        packets decoded ahead of flow processing, so flow records\n"
    "                           can be prefetched (default 16; 0 or 1 turns it off);\n"
    "                           results are identical either way\n"
    "      --config FILE        YAML configuration of the detectors: home_net, sites\n"
    "                           (time zones, business hours), policy, thresholds\n"
    "      --home-net LIST      the organisation's networks, comma-separated (default the\n"
    "                           RFC 1918 ranges and fc00::/7); overrides the config\n"
    "      --report             print the per-host report (findings, evidence, verdicts)\n"
    "                           to standard output at the end\n"
    "  -q, --quiet              no statistics at the end\n"
    "      --no-progress        no progress bar (it is shown only when stderr is a terminal)\n"
    "  -h, --help               this text\n"
    "\n"
    "SIZE takes k, m and g suffixes (powers of 1024). Exit status: 0 all input read;\n"
    "1 some input unusable (the rest was still processed); 2 usage error; 3 output failed.\n";

static const char usage_live[] =
    "usage: botwatch live -i IFACE [options]\n"
    "\n"
    "Captures from a network interface through libpcap and runs the same pipeline as scan:\n"
    "flows, protocols, detectors. EVE events are written as they happen (line-buffered);\n"
    "flows are ended by idle time even when no packets come. SIGINT or SIGTERM: every open\n"
    "flow is ended, the last findings are written, exit 0. SIGHUP: the --rules files and the\n"
    "--config file are read again, keeping every flow; a broken file keeps what is in use\n"
    "and says why.\n"
    "\n"
    "options:\n"
    "  -i, --interface IFACE    the interface (any: all of them, as libpcap allows)\n"
    "  -f, --filter EXPR        BPF filter (pcap-filter(7))\n"
    "  -e, --eve PATH           write EVE JSON events to PATH (- for standard output)\n"
    "      --user NAME          drop root to this user once the interface is open\n"
    "      --stats-interval SEC statistics to standard error (with the kernel's drop\n"
    "                           counts) and an EVE stats event every SEC seconds (default\n"
    "                           60; 0: only at the end)\n"
    "      --findings-interval SEC  findings that are new or changed, every SEC seconds\n"
    "                           (default 60; 0: only when stopping); each carries the key\n"
    "                           of the finding it replaces\n"
    "      --no-promisc         do not put the interface in promiscuous mode\n"
    "      --buffer SIZE        kernel capture buffer (default libpcap's, 2 MiB)\n"
    "      --rules PATH, --var, --fast, --rules-profile N, --config FILE, --home-net LIST,\n"
    "                           --report, --no-app, and the memory and timeout options of\n"
    "                           scan (botwatch scan --help)\n"
    "  -q, --quiet              no statistics at the end\n"
    "  -h, --help               this text\n"
    "\n"
    "Exit status: 0 stopped by a signal; 1 the capture failed; 2 usage error (also an\n"
    "unknown interface or user); 3 output failed.\n";

static const char usage_inline[] =
    "usage: botwatch inline --queue N [options]\n"
    "\n"
    "An IPS: reads packets from netfilter queue N (iptables -j NFQUEUE, nft queue), runs the\n"
    "scan pipeline on each at once and gives it a verdict: accept, unless a rule has marked\n"
    "its flow drop or reject (docs/inline.md has the iptables and nft lines and the default\n"
    "policy). SIGINT/SIGTERM and SIGHUP as for live.\n"
    "\n"
    "options:\n"
    "      --queue N            the queue number (0-65535)\n"
    "      --queue-maxlen N     packets the kernel may hold for botwatch (default 4096)\n"
    "      --fail-open          when the queue is full the kernel accepts packets instead of\n"
    "                           dropping them (use the rule's bypass option as well, so\n"
    "                           traffic flows while botwatch is not running)\n"
    "      --stats-interval SEC verdict counts and statistics every SEC seconds (default 60)\n"
    "      --findings-interval SEC  new or changed findings every SEC seconds (default 60)\n"
    "  -e, --eve PATH           write EVE JSON events to PATH (- for standard output)\n"
    "      --rules PATH, --var, --fast, --rules-profile N, --config FILE, --home-net LIST,\n"
    "                           --report, and the memory and timeout options of scan\n"
    "                           (botwatch scan --help)\n"
    "  -q, --quiet              no statistics at the end\n"
    "  -h, --help               this text\n"
    "\n"
    "Rules (--rules, as for scan; etc/botwatch.rules is botwatch's default policy) decide:\n"
    "drop and sdrop drop the packet and the rest of its flow, reject also answers with TCP\n"
    "resets (ICMP unreachable for UDP); their alerts say \"blocked\".\n"
    "\n"
    "Exit status: 0 stopped by a signal; 1 the queue failed (not root, queue taken);\n"
    "2 usage error; 3 output failed.\n";

/* "10.0.0.0/8,fd00::/8": replaces HOME_NET. */
static bool parse_home_net(const char *s, struct detect_config *dc)
{
    dc->nhome = 0;
    while (*s) {
        char item[64];
        size_t k = strcspn(s, ",");
        if (!k || k >= sizeof item || dc->nhome >= DETECT_MAX_NETS)
            return false;
        memcpy(item, s, k);
        item[k] = 0;
        if (!net_prefix_parse(item, &dc->home[dc->nhome++]))
            return false;
        s += k + (s[k] == ',');
    }
    return dc->nhome > 0;
}

/* "64m" -> 67108864. False on garbage or overflow. */
static bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || *s == '-')
        return false;
    unsigned shift = 0;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    default: return false;
    }
    if (*end == 'b' || *end == 'B')
        end++;
    if (*end || (shift && v > (UINT64_MAX >> shift)))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

static bool parse_seconds(const char *s, uint64_t *us)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno || *s == '-' || v > 100ull * 365 * 86400)
        return false;
    *us = (uint64_t)v * 1000000;
    return true;
}

static bool parse_timeout(const char *arg, struct flow_limits *fl)
{
    const char *eq = strchr(arg, '=');
    if (!eq)
        return false;
    for (int c = 0; c < TMO_MAX; c++) {
        size_t n = strlen(flow_tmo_name[c]);
        if ((size_t)(eq - arg) == n && strncmp(arg, flow_tmo_name[c], n) == 0)
            return parse_seconds(eq + 1, &fl->timeout_us[c]);
    }
    return false;
}

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* what: the complaint, arg: the offending text (may be NULL) */
static int usage_error(const char *cmd, const char *what, const char *arg)
{
    if (arg)
        fprintf(stderr, "botwatch %s: %s '%s'\n", cmd, what, arg);
    else
        fprintf(stderr, "botwatch %s: %s\n", cmd, what);
    fprintf(stderr, "Try 'botwatch %s --help'.\n", cmd);
    return EXIT_USAGE;
}

enum {
    OPT_DUMP = 256, OPT_NO_APP, OPT_FLOW_MEMCAP, OPT_STREAM_MEMCAP, OPT_STREAM_DEPTH, OPT_STREAM_OOO,
    OPT_FRAG_MEMCAP, OPT_FRAG_TIMEOUT, OPT_TIMEOUT, OPT_NO_PROGRESS, OPT_LOOKAHEAD,
    OPT_APP_MEMCAP,
    OPT_CONFIG,
    OPT_REPORT,
    OPT_HOME_NET,
    OPT_FINDINGS,
    OPT_FAST,
    OPT_VAR,
    OPT_CLASSIFICATION,
    OPT_THRESHOLD,
    OPT_RULES_PROFILE,
};

enum { MAX_RULE_PATHS = 64 };

/* The rule options shared by scan and rules check. */
struct rule_opts {
    const char *path[MAX_RULE_PATHS];
    unsigned npath;
    const char *var[MAX_RULE_PATHS];
    unsigned nvar;
    const char *classification;
    const char *threshold;       /* threshold.conf: event_filter and suppress lines */
    unsigned profile;            /* --rules-profile N */
};

/* Loads every rule path; prints file:line diagnostics to stderr. Returns 0, or EXIT_USAGE
 * with a message when a path or a variable is unusable. */
static int load_rules(const char *cmd, const struct rule_opts *ro, struct rules *rs)
{
    rules_init(rs, stderr);
    rs->profile = ro->profile;
    struct bw_diag d = { .msg = "" };
    if (ro->classification) {
        rules_clear_classification(rs);
        if (rules_load_classification(rs, ro->classification, &d) != BW_OK) {
            fprintf(stderr, "botwatch %s: %s\n", cmd, d.msg);
            return EXIT_USAGE;
        }
    }
    for (unsigned i = 0; i < ro->nvar; i++) {
        const char *eq = strchr(ro->var[i], '=');
        char name[64];
        if (!eq || (size_t)(eq - ro->var[i]) >= sizeof name)
            return usage_error(cmd, "bad --var (want NAME=VALUE)", ro->var[i]);
        memcpy(name, ro->var[i], (size_t)(eq - ro->var[i]));
        name[eq - ro->var[i]] = '\0';
        if (rules_set_var(rs, name, eq + 1) != BW_OK)
            return usage_error(cmd, "bad --var (want NAME=VALUE)", ro->var[i]);
    }
    for (unsigned i = 0; i < ro->npath; i++)
        if (rules_load_path(rs, ro->path[i], &d) != BW_OK) {
            fprintf(stderr, "botwatch %s: %s\n", cmd, d.msg);
            return EXIT_USAGE;
        }
    if (ro->threshold && rules_load_threshold(rs, ro->threshold, &d) != BW_OK) {
        fprintf(stderr, "botwatch %s: %s\n", cmd, d.msg);
        return EXIT_USAGE;
    }
    return 0;
}

static const char usage_rules[] =
    "usage: botwatch rules check [options] PATH...\n"
    "\n"
    "Loads Snort-syntax rule files (or directories of *.rules) as 'scan --rules' would and\n"
    "reports every problem: syntax errors as FILE:LINE:COL with a caret under the fault,\n"
    "rules skipped for an unsupported keyword as warnings; then a summary whose last line\n"
    "is 'rules: L loaded, S skipped, E errors'.\n"
    "\n"
    "options:\n"
    "      --var NAME=VALUE     set a rule variable before loading (repeatable)\n"
    "      --classification FILE  classification.config instead of the built-in one\n"
    "      --threshold-file FILE  event_filter and suppress lines (Snort threshold.conf)\n"
    "  -h, --help               this text\n"
    "\n"
    "Exit status: 0 every rule loaded; 1 some rules were skipped; 2 a syntax error or an\n"
    "unreadable path. See docs/rules.md.\n";

static int cmd_rules(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage_rules, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "check") != 0)
        return usage_error("rules", "unknown subcommand (only 'check')", argv[1]);
    static const struct option longopts[] = {
        { "var", required_argument, NULL, OPT_VAR },
        { "classification", required_argument, NULL, OPT_CLASSIFICATION },
        { "threshold-file", required_argument, NULL, OPT_THRESHOLD },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct rule_opts ro = { .npath = 0 };
    int c;
    optind = 1;
    argc--;
    argv++;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_VAR:
            if (ro.nvar == MAX_RULE_PATHS)
                return usage_error("rules", "too many --var", NULL);
            ro.var[ro.nvar++] = optarg;
            break;
        case OPT_CLASSIFICATION: ro.classification = optarg; break;
        case OPT_THRESHOLD: ro.threshold = optarg; break;
        case 'h': fputs(usage_rules, stdout); return 0;
        default: fputs("Try 'botwatch rules --help'.\n", stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return usage_error("rules", "no rule file given", NULL);
    for (int i = optind; i < argc; i++) {
        if (ro.npath == MAX_RULE_PATHS)
            return usage_error("rules", "too many paths", NULL);
        ro.path[ro.npath++] = argv[i];
    }
    struct rules rs;
    int rc = load_rules("rules", &ro, &rs);
    if (rc == 0) {
        rules_print_summary(&rs, stdout);
        rc = rs.counts.errors ? 2 : rs.counts.skipped ? 1 : 0;
    }
    rules_free(&rs);
    return rc;
}



/* The options every packet command shares (scan, live): the engine's caps and timeouts,
 * outputs and the detectors' configuration. */
#define ENGINE_LONGOPTS                                                   \
    { "eve", required_argument, NULL, 'e' },                              \
    { "dump-streams", required_argument, NULL, OPT_DUMP },                \
    { "no-app", no_argument, NULL, OPT_NO_APP },                          \
    { "flow-memcap", required_argument, NULL, OPT_FLOW_MEMCAP },          \
    { "stream-memcap", required_argument, NULL, OPT_STREAM_MEMCAP },      \
    { "stream-depth", required_argument, NULL, OPT_STREAM_DEPTH },        \
    { "stream-ooo", required_argument, NULL, OPT_STREAM_OOO },            \
    { "frag-memcap", required_argument, NULL, OPT_FRAG_MEMCAP },          \
    { "frag-timeout", required_argument, NULL, OPT_FRAG_TIMEOUT },        \
    { "timeout", required_argument, NULL, OPT_TIMEOUT },                  \
    { "lookahead", required_argument, NULL, OPT_LOOKAHEAD },              \
    { "app-memcap", required_argument, NULL, OPT_APP_MEMCAP },            \
    { "config", required_argument, NULL, OPT_CONFIG },                    \
    { "report", no_argument, NULL, OPT_REPORT },                          \
    { "home-net", required_argument, NULL, OPT_HOME_NET },                \
    { "rules", required_argument, NULL, 'r' },                            \
    { "fast", required_argument, NULL, OPT_FAST },                        \
    { "var", required_argument, NULL, OPT_VAR },                          \
    { "classification", required_argument, NULL, OPT_CLASSIFICATION },    \
    { "threshold-file", required_argument, NULL, OPT_THRESHOLD },        \
    { "rules-profile", required_argument, NULL, OPT_RULES_PROFILE }

struct engine_args {
    struct engine_config cfg;
    const char *home_net, *config_path;
    struct rule_opts ro;
    struct rules *rs;            /* loaded by engine_args_check when --rules was given */
};

/* -1: not an engine option; 0: taken; else the exit status of a usage error. */
static int engine_opt(const char *cmd, int c, const char *arg, struct engine_args *ea)
{
    struct engine_config *cfg = &ea->cfg;
    uint64_t *size = NULL;
    switch (c) {
    case 'e': cfg->eve_path = arg; return 0;
    case OPT_DUMP: cfg->dump_dir = arg; return 0;
    case OPT_NO_APP: cfg->no_app = true; return 0;
    case OPT_FLOW_MEMCAP: size = &cfg->flow.memcap; break;
    case OPT_STREAM_MEMCAP: size = &cfg->stream.memcap; break;
    case OPT_STREAM_DEPTH: size = &cfg->stream.depth; break;
    case OPT_STREAM_OOO: size = &cfg->stream.ooo_max; break;
    case OPT_FRAG_MEMCAP: size = &cfg->frag.memcap; break;
    case OPT_APP_MEMCAP: size = &cfg->app_memcap; break;
    case OPT_CONFIG: {
        struct bw_diag cd = { .msg = "" };
        if (detect_config_load(&cfg->detect, arg, &cd) != BW_OK) {
            fprintf(stderr, "botwatch %s: %s\n", cmd, cd.msg);
            return EXIT_USAGE;
        }
        ea->config_path = arg;
        return 0;
    }
    case OPT_REPORT: cfg->report = stdout; return 0;
    case 'r':
        if (ea->ro.npath == MAX_RULE_PATHS)
            return usage_error(cmd, "too many --rules", NULL);
        ea->ro.path[ea->ro.npath++] = arg;
        return 0;
    case OPT_FAST: cfg->fast_path = arg; return 0;
    case OPT_VAR:
        if (ea->ro.nvar == MAX_RULE_PATHS)
            return usage_error(cmd, "too many --var", NULL);
        ea->ro.var[ea->ro.nvar++] = arg;
        return 0;
    case OPT_CLASSIFICATION: ea->ro.classification = arg; return 0;
    case OPT_THRESHOLD: ea->ro.threshold = arg; return 0;
    case OPT_RULES_PROFILE: {
        char *end;
        errno = 0;
        unsigned long v = strtoul(arg, &end, 10);
        if (end == arg || *end || errno || *arg == '-' || v == 0 || v > 1000000)
            return usage_error(cmd, "bad --rules-profile (want a number of rules, 1-1000000)",
                               arg);
        ea->ro.profile = (unsigned)v;
        return 0;
    }
    case OPT_HOME_NET: ea->home_net = arg; return 0;
    case OPT_FRAG_TIMEOUT:
        if (!parse_seconds(arg, &cfg->frag.timeout_us))
            return usage_error(cmd, "bad --frag-timeout", arg);
        return 0;
    case OPT_TIMEOUT:
        if (!parse_timeout(arg, &cfg->flow))
            return usage_error(cmd, "bad --timeout (want CLASS=SECONDS)", arg);
        return 0;
    case OPT_LOOKAHEAD: {
        uint64_t v;
        if (!parse_size(arg, &v) || v > ENGINE_LOOKAHEAD_MAX || (v & (v - 1)))
            return usage_error(cmd, "bad --lookahead (0 or a power of two up to 64)", arg);
        cfg->lookahead = (unsigned)v;
        return 0;
    }
    default:
        return -1;
    }
    if (!parse_size(arg, size))
        return usage_error(cmd, "bad size (e.g. 512k, 64m, 1g)", arg);
    return 0;
}

/* After the options: what only makes sense with all of them. */
static int engine_args_check(const char *cmd, struct engine_args *ea)
{
    if (ea->home_net && !parse_home_net(ea->home_net, &ea->cfg.detect))
        return usage_error(cmd, "bad --home-net (want a comma-separated list of prefixes)",
                           ea->home_net);
    if (ea->cfg.flow.memcap < sizeof(struct flow))
        return usage_error(cmd, "--flow-memcap is smaller than one flow", NULL);
    struct engine_config *cfg = &ea->cfg;
    if (cfg->no_app && (ea->ro.npath || cfg->report || ea->config_path || ea->home_net))
        return usage_error(cmd, "--no-app leaves out the protocol layer and the detectors that "
                           "--rules, --report, --config and --home-net need", NULL);
    if (cfg->fast_path && cfg->eve_path && strcmp(cfg->fast_path, "-") == 0 &&
        strcmp(cfg->eve_path, "-") == 0)
        return usage_error(cmd, "--eve - and --fast - cannot share standard output", NULL);
    if (!ea->ro.npath) {
        if (ea->ro.nvar || ea->ro.classification || ea->ro.threshold || ea->ro.profile)
            return usage_error(cmd, "--var, --classification, --threshold-file and "
                               "--rules-profile need --rules", NULL);
        return 0;
    }
    ea->rs = malloc(sizeof *ea->rs);
    if (!ea->rs) {
        fprintf(stderr, "botwatch %s: out of memory\n", cmd);
        return EXIT_OUTPUT;
    }
    int lrc = load_rules(cmd, &ea->ro, ea->rs);
    if (lrc) {
        rules_free(ea->rs);
        free(ea->rs);
        ea->rs = NULL;
        return lrc;
    }
    if (ea->rs->counts.errors || ea->rs->counts.skipped)
        rules_print_summary(ea->rs, stderr);
    cfg->rules = ea->rs;
    /* alerts on the console unless standard output already carries EVE or a report */
    if (!cfg->fast_path && !(cfg->eve_path && strcmp(cfg->eve_path, "-") == 0) && !cfg->report)
        cfg->fast_path = "-";
    return 0;
}

static void engine_args_free(struct engine_args *ea)
{
    if (ea->rs)
        rules_free(ea->rs);
    free(ea->rs);
    ea->rs = NULL;
}

static struct engine *engine_start(const char *cmd, struct engine_args *ea)
{
    const struct engine_config *cfg = &ea->cfg;
    struct engine *e = malloc(sizeof *e);
    struct bw_diag d = { .msg = "" };
    if (!e) {
        fprintf(stderr, "botwatch %s: out of memory\n", cmd);
        return NULL;
    }
    if (engine_init(e, cfg, &d) != BW_OK) {
        fprintf(stderr, "botwatch %s: %s\n", cmd, d.msg);
        free(e);
        engine_args_free(ea);
        return NULL;
    }
    return e;
}

/* Ends the run: every flow, finding and output; then the statistics. The exit status. */
static void app_stats_print(const struct engine *e, const struct engine_args *ea)
{
    proto_stats_print(stderr, &e->app_stats);
    if (ea->rs) {
        const struct rules_stats *st = rules_get_stats(ea->rs);
        fprintf(stderr, "rules: %u loaded, %" PRIu64 " alerts, %" PRIu64 " suppressed by "
                "thresholds, %" PRIu64 " pass matches, %" PRIu64 " flows tracked, %" PRIu64
                " memcap drops, %" PRIu64 " backtrack limits\n", ea->rs->counts.loaded,
                st->alerts, st->suppressed, st->pass, st->flows_tracked,
                st->flow_memcap_drop + st->thresh_memcap_drop, st->backtrack_limit);
    }
    fprintf(stderr, "findings: %" PRIu64 "%s\n", e->findings,
            e->detect_dropped ? " (detector state dropped for memory: some are missing)" : "");
}

static int engine_stop(const char *cmd, struct engine *e, struct engine_args *ea, int rc,
                       bool quiet, double t0)
{
    struct bw_diag d = { .msg = "" };
    if (engine_finish(e, &d) != BW_OK) {
        fprintf(stderr, "botwatch %s: %s\n", cmd, d.msg);
        rc = EXIT_OUTPUT;
    }
    if (!quiet) {
        stats_print(stderr, &e->stats, wall_s() - t0);
        if (ea->cfg.no_app)
            fputs("app protocols, parsers and detectors: off (--no-app)\n", stderr);
        else
            app_stats_print(e, ea);
    }
    if (ea->rs && ea->rs->profile)           /* asked for: shown even with -q */
        rules_profile_print(ea->rs, stderr);
    free(e);
    engine_args_free(ea);
    return rc;
}

static int cmd_scan(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "filter", required_argument, NULL, 'f' },
        { "quiet", no_argument, NULL, 'q' },
        { "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
        { "help", no_argument, NULL, 'h' },
        ENGINE_LONGOPTS,
        { NULL, 0, NULL, 0 },
    };
    struct engine_args ea = { .home_net = NULL };
    engine_config_default(&ea.cfg);
    struct capture_opts copt = { .bpf = NULL, .progress = isatty(STDERR_FILENO) };
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:e:r:qh", longopts, NULL)) != -1) {
        int r = engine_opt("scan", c, optarg, &ea);
        if (r > 0)
            return r;
        if (r == 0)
            continue;
        switch (c) {
        case 'f': copt.bpf = optarg; break;
        case 'q': quiet = true; break;
        case OPT_NO_PROGRESS: copt.progress = false; break;
        case 'h': fputs(usage_scan, stdout); return 0;
        default: fputs("Try 'botwatch scan --help'.\n", stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return usage_error("scan", "no capture file given", NULL);
    int r = engine_args_check("scan", &ea);
    if (r)
        return r;
    struct engine *e = engine_start("scan", &ea);
    if (!e)
        return EXIT_USAGE;
    struct bw_diag d = { .msg = "" };
    double t0 = wall_s();
    int rc = 0;
    for (int i = optind; i < argc; i++) {
        enum bw_status st = capture_file(e, argv[i], &copt, &d);
        if (st == BW_E_SYNTAX) {           /* a bad filter is wrong for every file: stop */
            fprintf(stderr, "botwatch scan: %s\n", d.msg);
            rc = EXIT_USAGE;
            break;
        }
        if (st != BW_OK) {
            fprintf(stderr, "botwatch scan: %s\n", d.msg);
            rc = EXIT_INPUT;
        }
    }
    /* Everything read so far is reported and written, whatever went wrong above. */
    return engine_stop("scan", e, &ea, rc, quiet, t0);
}

/* live and inline: events as they happen, each packet processed before the next (inline
 * needs its verdict; live acts at once), findings so far every minute. */
static void continuous_defaults(struct engine_config *c)
{
    engine_config_default(c);
    c->eve_line_buffered = true;
    c->lookahead = 0;
    c->findings_interval_us = 60ull * 1000000;
}

struct live_reload {
    struct engine *e;
    const char *config_path;
    struct engine_args *ea;
    const char *cmd;
};

/* SIGHUP, rules: the --rules paths again. A file with a syntax error, or that cannot be read,
 * keeps the rules in use (and says why); skipped rules are reported and the rest load. */
static void rules_reload(const char *cmd, struct live_reload *lr)
{
    struct engine_args *ea = lr->ea;
    struct rules *rs = malloc(sizeof *rs);
    if (!rs) {
        fprintf(stderr, "botwatch %s: SIGHUP: out of memory: keeping the old rules\n", cmd);
        return;
    }
    int rc = load_rules(cmd, &ea->ro, rs);
    if (rc || rs->counts.errors) {
        fprintf(stderr, "botwatch %s: SIGHUP: %s: keeping the %u rules in use\n", cmd,
                rc ? "a rule path is unusable" : "the rules have syntax errors (above)",
                ea->rs->counts.loaded);
        rules_free(rs);
        free(rs);
        return;
    }
    if (rs->counts.skipped)
        rules_print_summary(rs, stderr);
    struct rules *old;
    struct bw_diag d = { .msg = "" };
    if (engine_rules_swap(lr->e, rs, &old, &d) != BW_OK) {
        fprintf(stderr, "botwatch %s: SIGHUP: %s: keeping the old rules\n", cmd, d.msg);
        rules_free(rs);
        free(rs);
        return;
    }
    if (old)
        rules_free(old);
    free(old);
    ea->rs = rs;
    fprintf(stderr, "botwatch %s: SIGHUP: reloaded the rules: %u loaded\n", cmd,
            rs->counts.loaded);
}

/* SIGHUP: the detectors' config again; a broken file keeps the old one and says why. */
static void live_reload(void *ctx)
{
    struct live_reload *lr = ctx;
    if (lr->ea->rs)
        rules_reload(lr->cmd, lr);
    if (!lr->config_path) {
        if (!lr->ea->rs)
            fprintf(stderr, "botwatch %s: SIGHUP: no --config or --rules to reload\n", lr->cmd);
        return;
    }
    struct detect_config dc;
    struct bw_diag d = { .msg = "" };
    detect_config_default(&dc);
    if (detect_config_load(&dc, lr->config_path, &d) != BW_OK) {
        fprintf(stderr, "botwatch %s: SIGHUP: keeping the old configuration: %s\n", lr->cmd,
                d.msg);
        return;
    }
    if (lr->e->det)
        detect_reconfigure(lr->e->det, &dc);
    fprintf(stderr, "botwatch %s: SIGHUP: reloaded %s (thresholds, policy, mail servers; "
            "home networks and sites need a restart)\n", lr->cmd, lr->config_path);
}

static void live_ready(void *ctx)
{
    const char *iface = ctx;
    fprintf(stderr, "botwatch live: listening on %s\n", iface);
}

static int cmd_live(int argc, char **argv)
{
    enum { OPT_USER = 400, OPT_STATS, OPT_NO_PROMISC, OPT_BUFFER };
    static const struct option longopts[] = {
        { "interface", required_argument, NULL, 'i' },
        { "filter", required_argument, NULL, 'f' },
        { "user", required_argument, NULL, OPT_USER },
        { "stats-interval", required_argument, NULL, OPT_STATS },
        { "no-promisc", no_argument, NULL, OPT_NO_PROMISC },
        { "buffer", required_argument, NULL, OPT_BUFFER },
        { "findings-interval", required_argument, NULL, OPT_FINDINGS },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        ENGINE_LONGOPTS,
        { NULL, 0, NULL, 0 },
    };
    struct engine_args ea = { .home_net = NULL };
    continuous_defaults(&ea.cfg);
    struct live_opts lo = { .promisc = true, .stats_interval_us = 60ull * 1000000 };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:f:e:r:qh", longopts, NULL)) != -1) {
        int r = engine_opt("live", c, optarg, &ea);
        if (r > 0)
            return r;
        if (r == 0)
            continue;
        switch (c) {
        case 'i': lo.iface = optarg; break;
        case 'f': lo.bpf = optarg; break;
        case OPT_USER: lo.user = optarg; break;
        case OPT_STATS:
            if (!parse_seconds(optarg, &lo.stats_interval_us))
                return usage_error("live", "bad --stats-interval", optarg);
            break;
        case OPT_NO_PROMISC: lo.promisc = false; break;
        case OPT_BUFFER:
            if (!parse_size(optarg, &lo.buffer_bytes) || lo.buffer_bytes > (1ull << 31))
                return usage_error("live", "bad --buffer (e.g. 64m, at most 2g)", optarg);
            break;
        case OPT_FINDINGS:
            if (!parse_seconds(optarg, &ea.cfg.findings_interval_us))
                return usage_error("live", "bad --findings-interval", optarg);
            break;
        case 'q': lo.quiet = true; break;
        case 'h': fputs(usage_live, stdout); return 0;
        default: fputs("Try 'botwatch live --help'.\n", stderr); return EXIT_USAGE;
        }
    }
    if (!lo.iface)
        return usage_error("live", "no interface given (-i IFACE)", NULL);
    if (optind < argc)
        return usage_error("live", "unexpected argument", argv[optind]);
    int r = engine_args_check("live", &ea);
    if (r)
        return r;
    struct engine *e = engine_start("live", &ea);
    if (!e)
        return EXIT_USAGE;
    struct live_reload lr = { e, ea.config_path, &ea, "live" };
    lo.reload = live_reload;
    lo.reload_ctx = &lr;
    lo.ready = live_ready;
    lo.ready_ctx = (void *)lo.iface;
    struct bw_diag d = { .msg = "" };
    double t0 = wall_s();
    int rc = 0;
    enum bw_status st = capture_live(e, &lo, &d);
    if (st != BW_OK) {
        fprintf(stderr, "botwatch live: %s\n", d.msg);
        rc = st == BW_E_SYNTAX ? EXIT_USAGE : EXIT_INPUT;
    }
    return engine_stop("live", e, &ea, rc, lo.quiet || rc == EXIT_USAGE, t0);
}

static void inline_ready(void *ctx)
{
    fprintf(stderr, "botwatch inline: bound to queue %u\n", *(const uint16_t *)ctx);
}

static int cmd_inline(int argc, char **argv)
{
    enum { OPT_QUEUE = 500, OPT_MAXLEN, OPT_FAIL_OPEN, OPT_STATS };
    static const struct option longopts[] = {
        { "queue", required_argument, NULL, OPT_QUEUE },
        { "queue-maxlen", required_argument, NULL, OPT_MAXLEN },
        { "fail-open", no_argument, NULL, OPT_FAIL_OPEN },
        { "stats-interval", required_argument, NULL, OPT_STATS },
        { "findings-interval", required_argument, NULL, OPT_FINDINGS },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        ENGINE_LONGOPTS,
        { NULL, 0, NULL, 0 },
    };
    struct engine_args ea = { .home_net = NULL };
    continuous_defaults(&ea.cfg);
    ea.cfg.inline_mode = true;                /* rules' drop and reject act */
    struct nfq_opts no = { .maxlen = 4096, .stats_interval_us = 60ull * 1000000 };
    bool have_queue = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "e:r:qh", longopts, NULL)) != -1) {
        int r = engine_opt("inline", c, optarg, &ea);
        if (r > 0)
            return r;
        if (r == 0)
            continue;
        uint64_t v;
        switch (c) {
        case OPT_QUEUE:
            if (!parse_size(optarg, &v) || v > 65535)
                return usage_error("inline", "bad --queue (0-65535)", optarg);
            no.queue = (uint16_t)v;
            have_queue = true;
            break;
        case OPT_MAXLEN:
            if (!parse_size(optarg, &v) || v == 0 || v > (1u << 20))
                return usage_error("inline", "bad --queue-maxlen (1 to 1048576 packets)", optarg);
            no.maxlen = (uint32_t)v;
            break;
        case OPT_FAIL_OPEN: no.fail_open = true; break;
        case OPT_STATS:
            if (!parse_seconds(optarg, &no.stats_interval_us))
                return usage_error("inline", "bad --stats-interval", optarg);
            break;
        case OPT_FINDINGS:
            if (!parse_seconds(optarg, &ea.cfg.findings_interval_us))
                return usage_error("inline", "bad --findings-interval", optarg);
            break;
        case 'q': no.quiet = true; break;
        case 'h': fputs(usage_inline, stdout); return 0;
        default: fputs("Try 'botwatch inline --help'.\n", stderr); return EXIT_USAGE;
        }
    }
    if (!have_queue)
        return usage_error("inline", "no queue given (--queue N)", NULL);
    if (optind < argc)
        return usage_error("inline", "unexpected argument", argv[optind]);
    int r = engine_args_check("inline", &ea);
    if (r)
        return r;
    struct engine *e = engine_start("inline", &ea);
    if (!e)
        return EXIT_USAGE;
    struct live_reload lr = { e, ea.config_path, &ea, "inline" };
    no.reload = live_reload;
    no.reload_ctx = &lr;
    no.ready = inline_ready;
    no.ready_ctx = &no.queue;
    struct bw_diag d = { .msg = "" };
    struct nfq_stats ns;
    double t0 = wall_s();
    int rc = 0;
    if (capture_nfq(e, &no, &ns, &d) != BW_OK) {
        fprintf(stderr, "botwatch inline: %s\n", d.msg);
        rc = EXIT_INPUT;
    }
    if (!no.quiet)
        fprintf(stderr, "inline: %" PRIu64 " packets: accepted %" PRIu64 ", dropped %" PRIu64
                ", rejected %" PRIu64 " (%" PRIu64 " answers sent); verdict errors %" PRIu64
                ", kernel overruns %" PRIu64 "\n", ns.packets, ns.accepted, ns.dropped,
                ns.rejected, ns.resets_sent, ns.verdict_errors, ns.kernel_overruns);
    return engine_stop("inline", e, &ea, rc, no.quiet, t0);
}

/* ---- botwatch logs (issue #5): options here, the work in src/logs/logs.c ---- */

static const char usage_logs[] =
    "usage: botwatch logs [options] FILE...\n"
    "\n"
    "Reads firewall syslog files (- for standard input; gzip files are read directly):\n"
    "Cisco PIX/ASA messages 302013-302016 (connections), 305009-305012 (translations),\n"
    "106001, 106006, 106015, 106023, 106100, 710003 (denies and ACL hits), and netfilter\n"
    "LOG lines. Built and teardown records are paired by connection id into connections\n"
    "and run through the same detectors as 'botwatch scan' (docs/logs.md). Lines that\n"
    "cannot be used are counted by reason; a summary goes to standard error.\n"
    "\n"
    "options:\n"
    "  -e, --eve PATH           write EVE JSON flow and finding events to PATH (- for stdout)\n"
    "      --report             print the per-host, per-day report (outbound SMTP and how it\n"
    "                           ended, inbound connections by port, longest translations,\n"
    "                           relay correlation) and the detectors' report to stdout\n"
    "      --year YEAR          year of syslog times that carry none (default: this year);\n"
    "                           the year advances when the log passes from December to January\n"
    "      --tz ZONE            IANA time zone of the log's local times (default UTC)\n"
    "      --conn-max N         open connections kept for pairing (default 1048576); past it\n"
    "                           one is evicted and counted\n"
    "      --config FILE        YAML configuration of the detectors (as for scan)\n"
    "      --home-net LIST      the organisation's networks, comma-separated (default the\n"
    "                           RFC 1918 ranges and fc00::/7); overrides the config\n"
    "      --dump-records       print each parsed record as JSON on stdout (a debugging aid)\n"
    "  -q, --quiet              no statistics at the end (unusable lines are still summed up)\n"
    "      --no-progress        accepted for symmetry with scan; logs show no progress bar\n"
    "  -h, --help               this text\n"
    "\n"
    "Exit status: 0 all input read; 1 some input unusable (the rest was still processed);\n"
    "2 usage error; 3 output failed.\n";

enum { OPT_YEAR = 512, OPT_TZ, OPT_CONN_MAX, OPT_DUMP_RECORDS, OPT_L_CONFIG, OPT_L_REPORT,
       OPT_L_HOME_NET, OPT_L_NO_PROGRESS };

static int cmd_logs(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "eve", required_argument, NULL, 'e' },
        { "report", no_argument, NULL, OPT_L_REPORT },
        { "year", required_argument, NULL, OPT_YEAR },
        { "tz", required_argument, NULL, OPT_TZ },
        { "conn-max", required_argument, NULL, OPT_CONN_MAX },
        { "config", required_argument, NULL, OPT_L_CONFIG },
        { "home-net", required_argument, NULL, OPT_L_HOME_NET },
        { "dump-records", no_argument, NULL, OPT_DUMP_RECORDS },
        { "quiet", no_argument, NULL, 'q' },
        { "no-progress", no_argument, NULL, OPT_L_NO_PROGRESS },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct logs_config cfg;
    logs_config_default(&cfg);
    const char *home_net = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "e:r:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'e': cfg.eve_path = optarg; break;
        case OPT_L_REPORT: cfg.report = stdout; break;
        case OPT_YEAR: {
            uint64_t y;
            if (!parse_size(optarg, &y) || y < 1970 || y > 9999)
                return usage_error("logs", "bad --year (1970 to 9999)", optarg);
            cfg.year = (int)y;
            break;
        }
        case OPT_TZ: cfg.tz = optarg; break;
        case OPT_CONN_MAX:
            if (!parse_size(optarg, &cfg.conn_max) || !cfg.conn_max ||
                cfg.conn_max > (1ull << 28))
                return usage_error("logs", "bad --conn-max (1 to 268435456)", optarg);
            break;
        case OPT_L_CONFIG: {
            struct bw_diag cd = { .msg = "" };
            if (detect_config_load(&cfg.detect, optarg, &cd) != BW_OK) {
                fprintf(stderr, "botwatch logs: %s\n", cd.msg);
                return EXIT_USAGE;
            }
            break;
        }
        case OPT_L_HOME_NET: home_net = optarg; break;
        case OPT_DUMP_RECORDS: cfg.dump = stdout; break;
        case 'q': cfg.quiet = true; break;
        case OPT_L_NO_PROGRESS: break;
        case 'h': fputs(usage_logs, stdout); return 0;
        default: fputs("Try 'botwatch logs --help'.\n", stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return usage_error("logs", "no log file given", NULL);
    if (home_net && !parse_home_net(home_net, &cfg.detect))
        return usage_error("logs", "bad --home-net (want a comma-separated list of prefixes)",
                           home_net);
    return logs_main(&cfg, argv + optind, argc - optind);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("botwatch %s (%s)\n", BW_VERSION, pcap_lib_version());
        return 0;
    }
    if (strcmp(cmd, "scan") == 0)
        return cmd_scan(argc - 1, argv + 1);
    if (strcmp(cmd, "live") == 0)
        return cmd_live(argc - 1, argv + 1);
    if (strcmp(cmd, "inline") == 0)
        return cmd_inline(argc - 1, argv + 1);
    if (strcmp(cmd, "help") == 0) {
        if (argc > 2 && strcmp(argv[2], "scan") == 0)
            fputs(usage_scan, stdout);
        else if (argc > 2 && strcmp(argv[2], "live") == 0)
            fputs(usage_live, stdout);
        else if (argc > 2 && strcmp(argv[2], "inline") == 0)
            fputs(usage_inline, stdout);
        else if (argc > 2 && strcmp(argv[2], "logs") == 0)
            fputs(usage_logs, stdout);
        else if (argc > 2 && strcmp(argv[2], "rules") == 0)
            fputs(usage_rules, stdout);
        else
            fputs(usage_main, stdout);
        return 0;
    }
    if (strcmp(cmd, "logs") == 0)
        return cmd_logs(argc - 1, argv + 1);
    if (strcmp(cmd, "rules") == 0)
        return cmd_rules(argc - 1, argv + 1);
    static const char *const planned[] = { "report",
                                           "correlate" };
    for (size_t i = 0; i < sizeof planned / sizeof planned[0]; i++)
        if (strcmp(cmd, planned[i]) == 0) {
            fprintf(stderr, "botwatch %s: not yet implemented in this version\n", cmd);
            return EXIT_USAGE;
        }
    fprintf(stderr, "botwatch: unknown command '%s'\n\n%s", cmd, usage_main);
    return EXIT_USAGE;
}
