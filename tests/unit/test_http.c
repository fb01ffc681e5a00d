/* SPDX-License-Identifier: MIT
 * Unit tests for the HTTP parser (proto/http.c). */
#include <stdlib.h>

#include "proto/proto.h"
#include "testutil.h"

struct got {
    int n, proxies;
    struct http_txn t[6];
    char uri[6][64], host[6][64];
    struct proxy_req proxy;
};

static void collect(void *ctx, const struct flow *f, const struct app_event *ev)
{
    (void)f;
    struct got *g = ctx;
    if (ev->type == APP_EV_PROXY) {
        g->proxies++;
        g->proxy = *ev->u.proxy;
        return;
    }
    if (ev->type != APP_EV_HTTP || g->n >= 6)
        return;
    g->t[g->n] = *ev->u.http;
    snprintf(g->uri[g->n], 64, "%.*s", (int)ev->u.http->uri.len, (const char *)ev->u.http->uri.p);
    snprintf(g->host[g->n], 64, "%.*s", (int)ev->u.http->host.len, (const char *)ev->u.http->host.p);
    g->n++;
}

static struct got g;
static struct app_sink sink = { .emit = collect, .ctx = &g };
static struct proto_stats st;
static struct proto_engine pe = { .stats = &st, .memcap = 1 << 20, .sink = &sink };

static struct flow *start(uint16_t port)
{
    memset(&g, 0, sizeof g);
    struct flow *f = calloc(1, sizeof *f);
    f->key.proto = IPPROTO_NUM_TCP;
    f->key.port[1] = port;
    return f;
}

static void c(struct flow *f, const char *s, size_t n)
{
    proto_flow_data(&pe, f, DIR_TOSERVER, (const uint8_t *)s, n ? n : strlen(s));
}

static void s_(struct flow *f, const char *s, size_t n)
{
    proto_flow_data(&pe, f, DIR_TOCLIENT, (const uint8_t *)s, n ? n : strlen(s));
}

static void test_chunked_pe_download_and_pipelining(void **state)
{
    (void)state;
    struct flow *f = start(8080);
    /* two pipelined requests, the second split inside its headers */
    c(f, "GET /update.php HTTP/1.1\r\nHost: x.test\r\nUser-Agent: bot\r\n\r\nHEAD /a HTTP/1.1\r\nHo", 0);
    c(f, "st: y.test\r\n\r\n", 0);
    /* a chunked response whose body is a PE, "MZ" split across two segments */
    s_(f, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n"
          "1\r\nM\r\n", 0);
    s_(f, "5\r\nZ\x90\x00\x03\x00\r\n0\r\n\r\n", 15);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.uri[0], "/update.php");
    assert_string_equal(g.host[0], "x.test");
    assert_int_equal(g.t[0].status, 200);
    assert_int_equal(g.t[0].resp_body, 6);
    assert_non_null(g.t[0].resp_file);
    assert_string_equal(g.t[0].resp_file, "pe");
    /* the HEAD's answer has a Content-Length and no body */
    s_(f, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.host[1], "y.test");
    assert_int_equal(g.t[1].resp_body, 0);
    /* a 304 and a response that ends with the connection */
    c(f, "GET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.0\r\n\r\n", 0);
    s_(f, "HTTP/1.1 304 Not Modified\r\n\r\nHTTP/1.0 200 OK\r\n\r\nd8:announce", 0);
    assert_int_equal(g.n, 3);
    proto_flow_end(&pe, f);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.t[3].resp_file, "torrent");
    assert_int_equal(st.memuse, 0);
    free(f);
}

static void test_connect_tunnel_to_smtp(void **state)
{
    (void)state;
    struct flow *f = start(3128);
    c(f, "CONNECT mx.victim.test:25 HTTP/1.1\r\nHost: mx.victim.test:25\r\n\r\n", 0);
    s_(f, "HTTP/1.1 200 Connection established\r\n\r\n220 mx.victim.test ESMTP\r\n", 0);
    assert_int_equal(g.proxies, 1);
    assert_string_equal(g.proxy.kind, "http-connect");
    assert_int_equal(g.proxy.port, 25);
    assert_true(g.proxy.success);
    assert_int_equal(g.proxy.tunnel_proto, PROTO_SMTP);
    proto_flow_end(&pe, f);
    assert_int_equal(g.proxies, 1);
    free(f);
}

static void test_hostile_headers(void **state)
{
    (void)state;
    struct flow *f = start(80);
    char big[9000];
    memset(big, 'a', sizeof big);
    memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
    c(f, big, sizeof big);                           /* no end of headers within 8 KiB */
    c(f, "\r\n\r\n", 0);                             /* ignored: the direction gave up */
    s_(f, "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", 0);
    s_(f, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0);
    proto_flow_end(&pe, f);
    assert_true(g.n >= 1);
    assert_true(g.t[0].truncated_headers);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunked_pe_download_and_pipelining),
        cmocka_unit_test(test_connect_tunnel_to_smtp),
        cmocka_unit_test(test_hostile_headers),
    };
    return cmocka_run_group_tests_name("http", tests, NULL, NULL);
}
