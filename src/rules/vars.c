/* SPDX-License-Identifier: MIT
 * vars.c — rule variables ($HOME_NET ...) with defaults for every variable the ET Open and
 * Snort community rules use (snort.conf / suricata.yaml defaults), and classification.config.
 * Values are kept as text and parsed where a rule uses them, so an error names the rule. */
#include "rules/rules_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* snort.conf 2.9 and suricata.yaml defaults; HOME_NET is the RFC 1918 ranges. */
static const struct { const char *name, *value; } var_default[] = {
    { "HOME_NET", "[10.0.0.0/8,172.16.0.0/12,192.168.0.0/16]" },
    { "EXTERNAL_NET", "!$HOME_NET" },
    { "INTERNAL_NET", "$HOME_NET" },
    { "HTTP_SERVERS", "$HOME_NET" },
    { "SMTP_SERVERS", "$HOME_NET" },
    { "SQL_SERVERS", "$HOME_NET" },
    { "DNS_SERVERS", "$HOME_NET" },
    { "TELNET_SERVERS", "$HOME_NET" },
    { "AIM_SERVERS", "[64.12.24.0/23,64.12.28.0/23,64.12.161.0/24,64.12.163.0/24,"
                     "64.12.200.0/24,205.188.3.0/24,205.188.5.0/24,205.188.7.0/24,"
                     "205.188.9.0/24,205.188.153.0/24,205.188.179.0/24,205.188.248.0/24]" },
    { "DC_SERVERS", "$HOME_NET" },
    { "SIP_SERVERS", "$HOME_NET" },
    { "SNMP_SERVERS", "$HOME_NET" },
    { "SSH_SERVERS", "$HOME_NET" },
    { "FTP_SERVERS", "$HOME_NET" },
    { "DNP3_SERVER", "$HOME_NET" },
    { "DNP3_CLIENT", "$HOME_NET" },
    { "MODBUS_CLIENT", "$HOME_NET" },
    { "MODBUS_SERVER", "$HOME_NET" },
    { "ENIP_CLIENT", "$HOME_NET" },
    { "ENIP_SERVER", "$HOME_NET" },
    { "HTTP_PORTS", "[36,80,81,82,83,84,85,86,87,88,89,90,311,383,555,591,593,631,801,808,"
                    "818,901,972,1158,1220,1414,1533,1741,1812,1830,2231,2301,2381,2578,2809,"
                    "2980,3029,3037,3057,3128,3443,3702,4000,4343,4848,5000,5117,5250,5600,"
                    "6080,6173,6988,7000,7001,7071,7144,7145,7510,7770,7777,7778,7779,8000,"
                    "8008,8014,8028,8080,8081,8082,8085,8088,8090,8118,8123,8180,8181,8222,"
                    "8243,8280,8300,8333,8344,8500,8509,8800,8888,8899,8983,9000,9060,9080,"
                    "9090,9091,9111,9290,9443,9999,10000,11371,12601,13014,15489,29991,33300,"
                    "34412,34443,34444,41080,44449,50000,50002,51423,53331,55252,55555,56712]" },
    { "SHELLCODE_PORTS", "!80" },
    { "ORACLE_PORTS", "1024:" },
    { "SSH_PORTS", "22" },
    { "FTP_PORTS", "[21,2100,3535]" },
    { "SIP_PORTS", "[5060,5061,5600]" },
    { "FILE_DATA_PORTS", "[$HTTP_PORTS,110,143]" },
    { "GTP_PORTS", "[2123,2152,3386]" },
    { "DNP3_PORTS", "20000" },
    { "MODBUS_PORTS", "502" },
    { "GENEVE_PORTS", "6081" },
    { "VXLAN_PORTS", "4789" },
    { "TEREDO_PORTS", "3544" },
    { "RULE_PATH", "." },
};

/* The built-in classes: etc/classification.config, kept equal by tests/unit/test_rules.c. */
static const char *const class_default[] = {
    "not-suspicious,Not Suspicious Traffic,3",
    "unknown,Unknown Traffic,3",
    "bad-unknown,Potentially Bad Traffic,2",
    "attempted-recon,Attempted Information Leak,2",
    "successful-recon-limited,Information Leak,2",
    "successful-recon-largescale,Large Scale Information Leak,2",
    "attempted-dos,Attempted Denial of Service,2",
    "successful-dos,Denial of Service,2",
    "attempted-user,Attempted User Privilege Gain,1",
    "unsuccessful-user,Unsuccessful User Privilege Gain,1",
    "successful-user,Successful User Privilege Gain,1",
    "attempted-admin,Attempted Administrator Privilege Gain,1",
    "successful-admin,Successful Administrator Privilege Gain,1",
    "rpc-portmap-decode,Decode of an RPC Query,2",
    "shellcode-detect,Executable code was detected,1",
    "string-detect,A suspicious string was detected,3",
    "suspicious-filename-detect,A suspicious filename was detected,2",
    "suspicious-login,An attempted login using a suspicious username was detected,2",
    "system-call-detect,A system call was detected,2",
    "tcp-connection,A TCP connection was detected,4",
    "trojan-activity,A Network Trojan was detected,1",
    "unusual-client-port-connection,A client was using an unusual port,2",
    "network-scan,Detection of a Network Scan,3",
    "denial-of-service,Detection of a Denial of Service Attack,2",
    "non-standard-protocol,Detection of a non-standard protocol or event,2",
    "protocol-command-decode,Generic Protocol Command Decode,3",
    "web-application-activity,access to a potentially vulnerable web application,2",
    "web-application-attack,Web Application Attack,1",
    "misc-activity,Misc activity,3",
    "misc-attack,Misc Attack,2",
    "icmp-event,Generic ICMP event,3",
    "inappropriate-content,Inappropriate Content was Detected,1",
    "policy-violation,Potential Corporate Privacy Violation,1",
    "default-login-attempt,Attempt to login by a default username and password,2",
    "sdf,Sensitive Data was Transmitted Across the Network,2",
    "file-format,Known malicious file or file based exploit,1",
    "malware-cnc,Known malware command and control traffic,1",
    "client-side-exploit,Known client side exploit attempt,1",
    "targeted-activity,Targeted Malicious Activity was Detected,1",
    "exploit-kit,Exploit Kit Activity Detected,1",
    "external-ip-check,Device Retrieving External IP Address Detected,2",
    "domain-c2,Domain Observed Used for C2 Detected,1",
    "pup-activity,Possibly Unwanted Program Detected,2",
    "credential-theft,Successful Credential Theft Detected,1",
    "social-engineering,Possible Social Engineering Attempted,2",
    "coin-mining,Crypto Currency Mining Activity Detected,2",
    "command-and-control,Malware Command and Control Activity Detected,1",
};

static bool ident_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return false;
    return true;
}

static char *dupstr(const char *s)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (d)
        memcpy(d, s, n + 1);
    return d;
}

enum bw_status rules_set_var(struct rules *rs, const char *name, const char *value)
{
    if (!ident_ok(name))
        return BW_E_SYNTAX;
    rs->vargen++;                       /* parsed header lists may have used the old value */
    for (uint32_t i = 0; i < rs->nvar; i++)
        if (strcmp(rs->var[i].name, name) == 0) {
            char *v = dupstr(value);
            if (!v)
                return BW_E_NOMEM;
            free(rs->var[i].value);
            rs->var[i].value = v;
            return BW_OK;
        }
    if (rs->nvar == rs->capvar) {
        uint32_t cap = rs->capvar ? rs->capvar * 2 : 64;
        struct rule_var *v = realloc(rs->var, cap * sizeof *v);
        if (!v)
            return BW_E_NOMEM;
        rs->var = v;
        rs->capvar = cap;
    }
    char *n = dupstr(name), *v = dupstr(value);
    if (!n || !v) {
        free(n);
        free(v);
        return BW_E_NOMEM;
    }
    rs->var[rs->nvar++] = (struct rule_var){ n, v };
    return BW_OK;
}

const char *rules_get_var(const struct rules *rs, const char *name)
{
    for (uint32_t i = 0; i < rs->nvar; i++)
        if (strcmp(rs->var[i].name, name) == 0)
            return rs->var[i].value;
    return NULL;
}

void rules_init(struct rules *rs, FILE *msg)
{
    memset(rs, 0, sizeof *rs);
    rs->msg = msg;
    for (size_t i = 0; i < sizeof var_default / sizeof var_default[0]; i++)
        rules_set_var(rs, var_default[i].name, var_default[i].value);
    for (size_t i = 0; i < sizeof class_default / sizeof class_default[0]; i++)
        rules_add_class_line(rs, class_default[i]);
}

void rules_clear_classification(struct rules *rs)
{
    for (uint32_t i = 0; i < rs->ncls; i++) {
        free(rs->cls[i].name);
        free(rs->cls[i].desc);
    }
    free(rs->cls);
    rs->cls = NULL;
    rs->ncls = 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* "config classification: name,description,priority" */
static enum bw_status add_class(struct rules *rs, char *spec)
{
    char *c1 = strchr(spec, ','), *c2 = c1 ? strrchr(c1 + 1, ',') : NULL;
    if (!c1 || !c2)
        return BW_E_SYNTAX;
    *c1 = *c2 = '\0';
    char *end;
    errno = 0;
    long prio = strtol(trim(c2 + 1), &end, 10);
    if (*end || errno || prio < 0 || prio > 255)
        return BW_E_SYNTAX;
    struct rule_class *n = realloc(rs->cls, (rs->ncls + 1) * sizeof *n);
    if (!n)
        return BW_E_NOMEM;
    rs->cls = n;
    char *name = dupstr(trim(spec)), *desc = dupstr(trim(c1 + 1));
    if (!name || !desc) {
        free(name);
        free(desc);
        return BW_E_NOMEM;
    }
    rs->cls[rs->ncls++] = (struct rule_class){ name, desc, (int)prio };
    return BW_OK;
}

enum bw_status rules_load_classification(struct rules *rs, const char *path, struct bw_diag *d)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(d->msg, sizeof d->msg, "%s: %s", path, strerror(errno));
        return BW_E_IO;
    }
    char line[1024];
    unsigned no = 0;
    enum bw_status st = BW_OK;
    while (fgets(line, sizeof line, fp)) {
        no++;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        static const char key[] = "config classification:";
        if (strncmp(s, key, sizeof key - 1) != 0 || add_class(rs, s + sizeof key - 1)) {
            snprintf(d->msg, sizeof d->msg, "%s:%u: bad classification line", path, no);
            st = BW_E_SYNTAX;
            break;
        }
    }
    fclose(fp);
    return st;
}

/* For "config classification:" lines in rule files. */
enum bw_status rules_add_class_line(struct rules *rs, const char *spec)
{
    char *s = dupstr(spec);
    if (!s)
        return BW_E_NOMEM;
    enum bw_status st = add_class(rs, s);
    free(s);
    return st;
}

void rules_free(struct rules *rs)
{
    rules_rt_free(rs);
    rules_hcache_free(rs);
    for (uint32_t i = 0; i < rs->nrule; i++)
        rule_free(rs->rule[i]);
    free(rs->rule);
    free(rs->sididx);
    for (uint32_t i = 0; i < rs->nvar; i++) {
        free(rs->var[i].name);
        free(rs->var[i].value);
    }
    free(rs->var);
    for (uint32_t i = 0; i < rs->ncls; i++) {
        free(rs->cls[i].name);
        free(rs->cls[i].desc);
    }
    free(rs->cls);
    for (uint32_t i = 0; i < rs->ntdir; i++) {
        free(rs->tdir[i].ips.pos);
        free(rs->tdir[i].ips.neg);
    }
    free(rs->tdir);
    for (uint32_t i = 0; i < rs->nfb; i++)
        free(rs->fbname[i]);
    free(rs->fbname);
    for (uint32_t i = 0; i < rs->nfiles; i++)
        free(rs->files[i]);
    free(rs->files);
    memset(rs, 0, sizeof *rs);
}
