/* SPDX-License-Identifier: MIT
 * Unit tests for util/json.c: attacker-controlled text is always valid, escaped JSON. */
#include "testutil.h"
#include "util/json.h"

static const char *build(struct jb *j, const char *s, size_t n)
{
    jb_reset(j);
    jb_open(j);
    jb_str(j, "k", (const uint8_t *)s, n);
    jb_close(j);
    jb_raw(j, "", 1);
    return j->p;
}

static void test_escapes(void **state)
{
    (void)state;
    struct jb j = { 0 };
    assert_string_equal(build(&j, "a\"b\\c\n\r\t", 8), "{\"k\":\"a\\\"b\\\\c\\n\\r\\t\"}");
    assert_string_equal(build(&j, "\x01\x1b\x7f", 3), "{\"k\":\"\\u0001\\u001b\\u007f\"}");
    jb_free(&j);
}

static void test_utf8(void **state)
{
    (void)state;
    struct jb j = { 0 };
    /* valid two- and three-byte sequences pass through */
    assert_string_equal(build(&j, "\xc3\xa9\xe6\x96\xb0", 5), "{\"k\":\"\xc3\xa9\xe6\x96\xb0\"}");
    /* a lone continuation byte, an overlong '/', a surrogate, a cut sequence: escaped */
    assert_string_equal(build(&j, "\x80", 1), "{\"k\":\"\\u0080\"}");
    assert_string_equal(build(&j, "\xc0\xaf", 2), "{\"k\":\"\\u00c0\\u00af\"}");
    assert_string_equal(build(&j, "\xed\xa0\x80", 3), "{\"k\":\"\\u00ed\\u00a0\\u0080\"}");
    assert_string_equal(build(&j, "\xe6\x96", 2), "{\"k\":\"\\u00e6\\u0096\"}");
    jb_free(&j);
}

static void test_nul_inside(void **state)
{
    (void)state;
    struct jb j = { 0 };
    assert_string_equal(build(&j, "a\0b", 3), "{\"k\":\"a\\u0000b\"}");
    jb_free(&j);
}

/* Plain bytes are copied eight at a time: every byte value at every position of a run of
 * plain ones must still be escaped exactly as one at a time. */
static void test_every_byte_at_every_position(void **state)
{
    (void)state;
    struct jb j = { 0 };
    char in[20], want[200];
    for (int b = 0; b < 256; b++) {
        for (size_t at = 0; at < sizeof in; at++) {
            memset(in, 'a', sizeof in);
            in[at] = (char)b;
            size_t w = (size_t)sprintf(want, "{\"k\":\"");
            for (size_t i = 0; i < sizeof in; i++) {
                unsigned char c = (unsigned char)in[i];
                if (c == '"' || c == '\\')
                    w += (size_t)sprintf(want + w, "\\%c", c);
                else if (c == '\n' || c == '\r' || c == '\t')
                    w += (size_t)sprintf(want + w, "\\%c", c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
                else if (c >= 0x20 && c < 0x7f)
                    want[w++] = (char)c;
                else                                     /* control, DEL, a lone high byte */
                    w += (size_t)sprintf(want + w, "\\u%04x", c);
            }
            sprintf(want + w, "\"}");
            assert_string_equal(build(&j, in, sizeof in), want);
        }
    }
    jb_free(&j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_nul_inside),
        cmocka_unit_test(test_every_byte_at_every_position),
    };
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
