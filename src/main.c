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

#include "capture/pcap_file.h"
#include "engine.h"
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
    "  scan      read pcap/pcapng files: flows, TCP reassembly, EVE JSON output,\n"
    "            Snort-syntax rules (--rules)\n"
    "  rules     rules check PATH...: load rule files and report what loads\n"
    "  help      show help for a command (botwatch help scan)\n"
    "  version   print the version\n"
    "\n"
    "planned (not yet built; they exit with status 2): live, inline, logs, report\n"
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
    "      --dump-streams DIR   write each TCP flow's reassembled bytes to\n"
    "                           DIR/<flow_id>-toserver.bin and -toclient.bin\n"
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
    "  -q, --quiet              no statistics at the end\n"
    "      --no-progress        no progress bar (it is shown only when stderr is a terminal)\n"
    "  -h, --help               this text\n"
    "\n"
    "SIZE takes k, m and g suffixes (powers of 1024). Exit status: 0 all input read;\n"
    "1 some input unusable (the rest was still processed); 2 usage error; 3 output failed.\n";

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
    OPT_DUMP = 256, OPT_FLOW_MEMCAP, OPT_STREAM_MEMCAP, OPT_STREAM_DEPTH, OPT_STREAM_OOO,
    OPT_FRAG_MEMCAP, OPT_FRAG_TIMEOUT, OPT_TIMEOUT, OPT_NO_PROGRESS, OPT_LOOKAHEAD,
    OPT_APP_MEMCAP, OPT_FAST, OPT_VAR, OPT_CLASSIFICATION, OPT_THRESHOLD,
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
};

/* Loads every rule path; prints file:line diagnostics to stderr. Returns 0, or EXIT_USAGE
 * with a message when a path or a variable is unusable. */
static int load_rules(const char *cmd, const struct rule_opts *ro, struct rules *rs)
{
    rules_init(rs, stderr);
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

static int cmd_scan(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "filter", required_argument, NULL, 'f' },
        { "eve", required_argument, NULL, 'e' },
        { "dump-streams", required_argument, NULL, OPT_DUMP },
        { "flow-memcap", required_argument, NULL, OPT_FLOW_MEMCAP },
        { "stream-memcap", required_argument, NULL, OPT_STREAM_MEMCAP },
        { "stream-depth", required_argument, NULL, OPT_STREAM_DEPTH },
        { "stream-ooo", required_argument, NULL, OPT_STREAM_OOO },
        { "frag-memcap", required_argument, NULL, OPT_FRAG_MEMCAP },
        { "frag-timeout", required_argument, NULL, OPT_FRAG_TIMEOUT },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "quiet", no_argument, NULL, 'q' },
        { "no-progress", no_argument, NULL, OPT_NO_PROGRESS },
        { "lookahead", required_argument, NULL, OPT_LOOKAHEAD },
        { "app-memcap", required_argument, NULL, OPT_APP_MEMCAP },
        { "rules", required_argument, NULL, 'r' },
        { "fast", required_argument, NULL, OPT_FAST },
        { "var", required_argument, NULL, OPT_VAR },
        { "classification", required_argument, NULL, OPT_CLASSIFICATION },
        { "threshold-file", required_argument, NULL, OPT_THRESHOLD },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct engine_config cfg;
    engine_config_default(&cfg);
    struct capture_opts copt = { .bpf = NULL, .progress = isatty(STDERR_FILENO) };
    bool quiet = false;
    struct rule_opts ro = { .npath = 0 };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:e:r:qh", longopts, NULL)) != -1) {
        uint64_t *size = NULL;
        switch (c) {
        case 'f': copt.bpf = optarg; break;
        case 'e': cfg.eve_path = optarg; break;
        case 'r':
            if (ro.npath == MAX_RULE_PATHS)
                return usage_error("scan", "too many --rules", NULL);
            ro.path[ro.npath++] = optarg;
            break;
        case OPT_FAST: cfg.fast_path = optarg; break;
        case OPT_VAR:
            if (ro.nvar == MAX_RULE_PATHS)
                return usage_error("scan", "too many --var", NULL);
            ro.var[ro.nvar++] = optarg;
            break;
        case OPT_CLASSIFICATION: ro.classification = optarg; break;
        case OPT_THRESHOLD: ro.threshold = optarg; break;
        case OPT_DUMP: cfg.dump_dir = optarg; break;
        case OPT_FLOW_MEMCAP: size = &cfg.flow.memcap; break;
        case OPT_STREAM_MEMCAP: size = &cfg.stream.memcap; break;
        case OPT_STREAM_DEPTH: size = &cfg.stream.depth; break;
        case OPT_STREAM_OOO: size = &cfg.stream.ooo_max; break;
        case OPT_FRAG_MEMCAP: size = &cfg.frag.memcap; break;
        case OPT_APP_MEMCAP: size = &cfg.app_memcap; break;
        case OPT_FRAG_TIMEOUT:
            if (!parse_seconds(optarg, &cfg.frag.timeout_us))
                return usage_error("scan", "bad --frag-timeout", optarg);
            break;
        case OPT_TIMEOUT:
            if (!parse_timeout(optarg, &cfg.flow))
                return usage_error("scan", "bad --timeout (want CLASS=SECONDS)", optarg);
            break;
        case 'q': quiet = true; break;
        case OPT_NO_PROGRESS: copt.progress = false; break;
        case OPT_LOOKAHEAD: {
            uint64_t v;
            if (!parse_size(optarg, &v) || v > ENGINE_LOOKAHEAD_MAX || (v & (v - 1)))
                return usage_error("scan", "bad --lookahead (0 or a power of two up to 64)",
                                   optarg);
            cfg.lookahead = (unsigned)v;
            break;
        }
        case 'h': fputs(usage_scan, stdout); return 0;
        default: fputs("Try 'botwatch scan --help'.\n", stderr); return EXIT_USAGE;
        }
        if (size && !parse_size(optarg, size))
            return usage_error("scan", "bad size (e.g. 512k, 64m, 1g)", optarg);
    }
    if (optind >= argc)
        return usage_error("scan", "no capture file given", NULL);
    if (cfg.flow.memcap < sizeof(struct flow))
        return usage_error("scan", "--flow-memcap is smaller than one flow", NULL);

    if (cfg.fast_path && cfg.eve_path && strcmp(cfg.fast_path, "-") == 0 &&
        strcmp(cfg.eve_path, "-") == 0)
        return usage_error("scan", "--eve - and --fast - cannot share standard output", NULL);
    struct rules *rs = NULL;
    if (ro.npath) {
        rs = malloc(sizeof *rs);
        if (!rs) {
            fprintf(stderr, "botwatch scan: out of memory\n");
            return EXIT_OUTPUT;
        }
        int lrc = load_rules("scan", &ro, rs);
        if (lrc) {
            rules_free(rs);
            free(rs);
            return lrc;
        }
        if (rs->counts.errors || rs->counts.skipped)
            rules_print_summary(rs, stderr);
        cfg.rules = rs;
        /* alerts on the console unless standard output already carries EVE */
        if (!cfg.fast_path && !(cfg.eve_path && strcmp(cfg.eve_path, "-") == 0))
            cfg.fast_path = "-";
    } else if (ro.nvar || ro.classification || ro.threshold) {
        return usage_error("scan", "--var, --classification and --threshold-file need --rules",
                           NULL);
    }
    struct engine *e = malloc(sizeof *e);
    struct bw_diag d = { .msg = "" };
    if (!e) {
        fprintf(stderr, "botwatch scan: out of memory\n");
        if (rs)
            rules_free(rs);
        free(rs);
        return EXIT_OUTPUT;
    }
    if (engine_init(e, &cfg, &d) != BW_OK) {
        fprintf(stderr, "botwatch scan: %s\n", d.msg);
        free(e);
        if (rs)
            rules_free(rs);
        free(rs);
        return EXIT_USAGE;
    }
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
    if (engine_finish(e, &d) != BW_OK) {
        fprintf(stderr, "botwatch scan: %s\n", d.msg);
        rc = EXIT_OUTPUT;
    }
    if (!quiet) {
        stats_print(stderr, &e->stats, wall_s() - t0);
        proto_stats_print(stderr, &e->app_stats);
        if (rs) {
            const struct rules_stats *st = rules_get_stats(rs);
            fprintf(stderr, "rules: %u loaded, %" PRIu64 " alerts, %" PRIu64 " suppressed by "
                    "thresholds, %" PRIu64 " pass matches, %" PRIu64 " flows tracked, %" PRIu64
                    " memcap drops, %" PRIu64 " backtrack limits\n", rs->counts.loaded,
                    st->alerts, st->suppressed, st->pass, st->flows_tracked,
                    st->flow_memcap_drop + st->thresh_memcap_drop, st->backtrack_limit);
        }
    }
    free(e);
    if (rs)
        rules_free(rs);
    free(rs);
    return rc;
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
    if (strcmp(cmd, "rules") == 0)
        return cmd_rules(argc - 1, argv + 1);
    if (strcmp(cmd, "help") == 0) {
        if (argc > 2 && strcmp(argv[2], "scan") == 0)
            fputs(usage_scan, stdout);
        else if (argc > 2 && strcmp(argv[2], "rules") == 0)
            fputs(usage_rules, stdout);
        else
            fputs(usage_main, stdout);
        return 0;
    }
    static const char *const planned[] = { "live", "inline", "logs", "report",
                                           "correlate" };
    for (size_t i = 0; i < sizeof planned / sizeof planned[0]; i++)
        if (strcmp(cmd, planned[i]) == 0) {
            fprintf(stderr, "botwatch %s: not yet implemented in this version\n", cmd);
            return EXIT_USAGE;
        }
    fprintf(stderr, "botwatch: unknown command '%s'\n\n%s", cmd, usage_main);
    return EXIT_USAGE;
}
