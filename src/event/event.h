/* SPDX-License-Identifier: MIT
 * event.h — the one event vocabulary (ARCHITECTURE.md): application transactions that the
 * protocol parsers emit and that outputs (EVE) and, later, detectors consume. Events own no
 * memory: their slices point into the parser's buffers and are valid only during the call;
 * a consumer that keeps anything copies it. Detectors never see packets, only events, so the
 * same detector works on captures and on firewall logs. */
#ifndef BW_EVENT_H
#define BW_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "flow/flow.h"
#include "util/rd.h"

enum { IRC_MAX_PARAMS = 15 };   /* RFC 2812 2.3.1 */

/* One IRC message (RFC 1459/2812 line grammar), as sent in `dir`. */
struct irc_msg {
    struct bytes prefix;        /* without the ':'; empty if none */
    struct bytes nick, user, host;  /* the prefix split as nick!user@host where it is */
    struct bytes command;       /* as sent (case kept); numeric replies are 3 digits */
    unsigned numeric;           /* 0 unless command is a numeric */
    struct bytes params[IRC_MAX_PARAMS];
    unsigned nparams;
    bool has_trailing;          /* the last parameter came after " :" */
    struct bytes ctcp;          /* PRIVMSG/NOTICE text "\x01CMD args\x01": CMD */
    struct bytes ctcp_args;
    bool truncated;             /* the line was longer than IRC_MAX_LINE and was cut */
};

enum { SMTP_MAX_RCPT = 8, SMTP_MAX_STR = 128 };  /* kept per transaction; all are counted */

/* One SMTP mail transaction (RFC 5321 3.3): MAIL FROM, RCPT TOs with their replies, DATA and
 * whether the server took the message. Strings are the parser's copies, capped at
 * SMTP_MAX_STR bytes. */
struct smtp_tx {
    struct bytes helo, mail_from;
    unsigned mail_code;                  /* reply to MAIL FROM, 0 if none seen */
    struct bytes rcpt[SMTP_MAX_RCPT];
    unsigned rcpt_code[SMTP_MAX_RCPT];
    unsigned nrcpt;                      /* kept (at most SMTP_MAX_RCPT) */
    unsigned rcpt_total;                 /* all RCPT TO commands of the transaction */
    bool data;                           /* DATA was sent */
    unsigned data_code;                  /* reply to DATA (354 to go on) */
    bool delivered;                      /* 250 after the final dot: the server took it */
    unsigned end_code;                   /* reply to the end of data, 0 if none seen */
    struct bytes end_reply;              /* its text */
    uint64_t message_bytes;              /* between DATA's 354 and the final dot */
    struct bytes auth_mech;              /* AUTH mechanism in this session, if any */
    int auth_ok;                         /* -1 no AUTH, 0 failed, 1 succeeded */
    bool starttls;                       /* the session switched to TLS (nothing after) */
    bool complete;                       /* ended by the reply to the final dot */
};

/* A BitTorrent handshake (BEP 3) and what its peer id says about the client (BEP 20). */
struct bt_handshake {
    uint8_t reserved[8];         /* extension bits: DHT (BEP 5), fast (BEP 6), LTEP (BEP 10) */
    uint8_t info_hash[20];
    uint8_t peer_id[20];
    const char *client;          /* e.g. "Transmission"; NULL if the id is not recognised */
    char version[24];            /* e.g. "2.9.4"; empty if not known */
    const char *style;           /* "azureus", "shadow", "mainline", "other" or "unknown" */
};

/* A proxy request (SOCKS 4/4a/5; HTTP CONNECT with the HTTP parser) and its outcome. */
struct proxy_req {
    const char *kind;            /* "socks4", "socks4a", "socks5" */
    const char *command;         /* "connect", "bind", "udp_associate" */
    struct bytes host;           /* the requested host: address text or domain name */
    uint16_t port;
    struct bytes user;           /* SOCKS4 user id, SOCKS5 username (RFC 1929) */
    bool replied, success;
    unsigned reply;              /* SOCKS4: 90-93; SOCKS5: 0-8 */
    uint8_t tunnel_proto;        /* enum proto_id of what went through, 0 if not known */
};

enum { TLS_MAX_SNI = 255, TLS_MAX_JA3 = 1024, TLS_MAX_ALPN = 64 };

/* A TLS handshake's clear-text facts (RFC 8446 4.1.2-4.1.3, RFC 6066 3, RFC 7301) and the
 * JA3/JA3S fingerprints (Salesforce's definition: GREASE values left out). */
struct tls_hello {
    bool client_seen, server_seen;
    char sni[TLS_MAX_SNI + 1];
    char alpn[TLS_MAX_ALPN + 1];           /* the client's first ALPN protocol */
    uint16_t client_version;               /* highest offered (supported_versions if sent) */
    uint16_t server_version;               /* chosen (supported_versions if sent) */
    uint16_t cipher;                       /* chosen by the server */
    char ja3[TLS_MAX_JA3 + 1], ja3_hash[33];
    char ja3s[TLS_MAX_JA3 + 1], ja3s_hash[33];
};

/* SSH identification strings (RFC 4253 4.2): "SSH-protoversion-softwareversion comments". */
struct ssh_banners {
    struct bytes proto[2], software[2];   /* by enum flow_dir; empty if not seen */
};

/* One HTTP transaction (RFC 9112): the request and, when seen, its response. Strings are
 * the parser's copies, capped. */
struct http_txn {
    struct bytes method, uri, version, host, user_agent, req_content_type, referer;
    struct bytes resp_version, reason, resp_content_type, location, server;
    unsigned status;                 /* 0: no response seen */
    uint64_t req_body, resp_body;    /* body bytes (chunked: decoded) */
    const char *req_file, *resp_file; /* file magic of each body's first bytes, or NULL */
    bool req_chunked, resp_chunked, has_response, truncated_headers;
    bool bittorrent_announce;        /* a tracker announce (BEP 3: /announce?info_hash=) */
};

enum { DNS_MAX_NAME = 255, DNS_MAX_ANSWERS = 16, DNS_MAX_RDATA = 256 };

struct dns_answer {
    char name[DNS_MAX_NAME + 1];
    uint16_t type;
    uint32_t ttl;
    char rdata[DNS_MAX_RDATA];       /* A/AAAA as text, names for CNAME/NS/PTR/MX, TXT's first
                                        string; empty for other types */
};

/* One DNS message (RFC 1035 4.1): the first question and, for a response, its answers. */
struct dns_msg {
    uint16_t id, flags;
    bool response;
    unsigned rcode;
    char qname[DNS_MAX_NAME + 1];
    uint16_t qtype;
    unsigned nanswers;               /* kept, at most DNS_MAX_ANSWERS */
    struct dns_answer answers[DNS_MAX_ANSWERS];
};

/* One FTP command and its final reply (RFC 959 4.2). */
struct ftp_cmd {
    struct bytes command, arg;
    unsigned reply;                  /* 0 if the flow ended before it */
    struct bytes reply_text;
    uint16_t data_port;              /* PORT/EPRT/PASV/EPSV: the announced data port */
};

/* One POP3 or IMAP command and its completion: POP3 +OK/-ERR (RFC 1939), IMAP tagged
 * OK/NO/BAD (RFC 9051 7.1). */
struct mail_cmd {
    struct bytes tag;                /* IMAP only */
    struct bytes command, arg;
    struct bytes status;             /* "+OK", "-ERR", "OK", "NO", "BAD"; empty if none seen */
    struct bytes reply;              /* the rest of the completion line */
    uint64_t response_bytes;         /* POP3 multi-line / IMAP untagged data before it */
};

/* One BitTorrent DHT message (BEP 5). Slices borrow from the datagram. */
struct dht_msg {
    struct bytes transaction_id, type, query, client_version;
    struct bytes node_id, info_hash, target;     /* 20 bytes each when present */
    unsigned nodes, values;                      /* compact nodes / peer values returned */
    int64_t error_code;                          /* error messages */
    struct bytes error_text;
};

/* One SMB message header and what it names (MS-SMB2 2.2, MS-CIFS 2.2.3.1). */
struct smb_msg {
    unsigned version;            /* 1 or 2 (2 covers SMB 2 and 3) */
    unsigned command;
    bool response;
    uint32_t status;             /* NT status (responses) */
    uint16_t dialect;            /* SMB2 NEGOTIATE response: 0x0202 ... 0x0311 */
    char share[256];             /* TREE_CONNECT request path, UTF-8 */
    char filename[256];          /* CREATE request name, UTF-8 */
};

enum app_event_type { APP_EV_IRC, APP_EV_SMTP, APP_EV_BITTORRENT, APP_EV_PROXY, APP_EV_TLS,
                      APP_EV_SSH, APP_EV_HTTP, APP_EV_DNS, APP_EV_FTP, APP_EV_POP3,
                      APP_EV_IMAP, APP_EV_DHT, APP_EV_SMB };

struct app_event {
    enum app_event_type type;
    enum flow_dir dir;
    uint64_t ts_us;             /* packet time of the bytes that completed it */
    union {
        const struct irc_msg *irc;
        const struct smtp_tx *smtp;
        const struct bt_handshake *bt;
        const struct proxy_req *proxy;
        const struct tls_hello *tls;
        const struct ssh_banners *ssh;
        const struct http_txn *http;
        const struct dns_msg *dns;
        const struct ftp_cmd *ftp;
        const struct mail_cmd *mail;
        const struct dht_msg *dht;
        const struct smb_msg *smb;
    } u;
};

/* How a connection ended, as the detectors see it: from a capture's flow table or from a
 * firewall's teardown record alike. */
enum conn_how {
    CONN_FIN,            /* closed gracefully (FINs both ways; a firewall's "TCP FINs") */
    CONN_RST_CLIENT,     /* reset by the initiator */
    CONN_RST_SERVER,     /* reset by the responder (a refused connection if nothing else) */
    CONN_TIMEOUT,        /* idle timeout (a firewall's "SYN Timeout" when never answered) */
    CONN_OPEN,           /* still open at the end of the input */
    CONN_EVICTED,        /* dropped for memory */
};

/* A connection that is over (or, passed with an application event, as it is so far). The
 * initiator is "src". Addresses are 16 bytes; IPv4 uses the first 4 (family 4). */
struct conn_event {
    uint64_t flow_id;
    uint8_t family, ip_proto;
    uint8_t app_proto, app_tunnel;   /* enum proto_id */
    bool app_unusual_port;
    uint8_t how;                     /* enum conn_how */
    bool answered;                   /* the responder sent anything at all */
    bool accepted;                   /* TCP: the responder's SYN/ACK was seen (or data both
                                        ways); a firewall's built connection */
    uint8_t src[16], dst[16];
    uint16_t sport, dport;
    uint64_t start_us, end_us;
    uint64_t pkts[2], bytes[2];      /* by enum flow_dir */
};

/* A connection a parser expects (an FTP data connection): whoever connects to addr:port
 * from the peer's address within the time limit belongs to flow `owner`. */
struct app_expect {
    uint8_t family, proto;      /* enum proto_id the new flow will be */
    uint8_t listen_addr[16], peer_addr[16];
    uint16_t listen_port;
    uint64_t owner, expires_us;
};

/* Where parsers send events: the engine, which passes them to outputs and detectors. */
struct app_sink {
    void (*emit)(void *ctx, const struct flow *f, const struct app_event *ev);
    void *ctx;
    uint64_t now_us;            /* packet time now: stamped on the events */
    /* a parser announces a connection to come (NULL: not supported) */
    void (*expect)(void *ctx, const struct app_expect *x);
};

#endif
