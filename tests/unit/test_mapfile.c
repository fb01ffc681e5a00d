/* SPDX-License-Identifier: MIT
 * Unit tests for capture/mapfile.h: a mapped capture reads like the file, seeks like it, a file
 * that shrinks under the mapping gives a read error instead of SIGBUS, and the descriptor
 * under the stream is there for a reader that reads the file itself. */
#include "testutil.h"
#include "capture/mapfile.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { SIZE = 300 * 1024 };

static char *make_file(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/bw-mapfile-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    uint8_t *b = malloc(SIZE);
    for (size_t i = 0; i < SIZE; i++)
        b[i] = (uint8_t)(i * 7 + (i >> 9));
    assert_int_equal(write(fd, b, SIZE), SIZE);
    free(b);
    close(fd);
    return path;
}

static FILE *open_mapped(const char *path)
{
    bool mapped = false;
    FILE *fp = mapfile_open(path, &mapped);
    assert_non_null(fp);
    assert_true(mapped);
    return fp;
}

static void test_reads_and_seeks_like_the_file(void **state)
{
    (void)state;
    char *path = make_file();
    FILE *fp = open_mapped(path);
    uint8_t *got = malloc(SIZE + 10);
    size_t n = 0, k;
    while ((k = fread(got + n, 1, 1000, fp)) > 0)   /* odd pieces across buffer refills */
        n += k;
    assert_int_equal(n, SIZE);
    assert_true(feof(fp));
    assert_false(ferror(fp));
    for (size_t i = 0; i < SIZE; i++)
        assert_int_equal(got[i], (uint8_t)(i * 7 + (i >> 9)));
    assert_int_equal(ftell(fp), SIZE);
    assert_int_equal(fseek(fp, 12345, SEEK_SET), 0);
    assert_int_equal(fgetc(fp), (uint8_t)(12345 * 7 + (12345 >> 9)));
    assert_int_equal(ftell(fp), 12346);
    assert_int_not_equal(fseek(fp, SIZE + 1, SEEK_SET), 0);   /* past the end: refused */
    assert_false(mapfile_shrank());
    assert_int_equal(fclose(fp), 0);
    free(got);
    unlink(path);
}

static void test_shrinking_file_is_a_read_error(void **state)
{
    (void)state;
    char *path = make_file();
    FILE *fp = open_mapped(path);
    uint8_t buf[4096];
    assert_int_equal(fread(buf, 1, sizeof buf, fp), sizeof buf);
    assert_int_equal(truncate(path, 0), 0);          /* another program truncates it */
    uint8_t *rest = malloc(SIZE);
    size_t n = fread(rest, 1, SIZE, fp);
    assert_true(n < SIZE - sizeof buf);              /* what was buffered, then an error */
    assert_true(ferror(fp));
    assert_true(mapfile_shrank());
    fclose(fp);
    free(rest);
    unlink(path);
}

/* The descriptor under a mapped stream reads the same file, without moving the stream, until
 * the stream is closed; a plain stream's is its own; a stream without one has none. */
static void test_fd_reads_the_same_file(void **state)
{
    (void)state;
    char *path = make_file();
    FILE *fp = open_mapped(path);
    int fd = mapfile_fd(fp);
    assert_true(fd >= 0);
    uint8_t a[16], b[16];
    assert_int_equal(fread(a, 1, sizeof a, fp), sizeof a);
    assert_int_equal(pread(fd, b, sizeof b, 0), (ssize_t)sizeof b);
    assert_memory_equal(a, b, sizeof a);
    assert_int_equal(pread(fd, b, sizeof b, SIZE - 16), (ssize_t)sizeof b);
    assert_int_equal(ftell(fp), 16);
    fclose(fp);
    assert_int_equal(fcntl(fd, F_GETFD), -1);  /* closed with the stream */
    FILE *plain = fopen(path, "rb");
    assert_non_null(plain);
    assert_int_equal(mapfile_fd(plain), fileno(plain));
    fclose(plain);
    char mem[4] = "abc";
    FILE *m = fmemopen(mem, sizeof mem, "rb");
    assert_non_null(m);
    assert_int_equal(mapfile_fd(m), -1);
    fclose(m);
    unlink(path);
}

/* Pages read are unmapped behind the reader in 8 MiB pieces; going back reads them again. */
static void test_released_pages_read_again(void **state)
{
    (void)state;
    char path[] = "/tmp/bw-mapfile-big-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const size_t big = 20u << 20;
    assert_int_equal(ftruncate(fd, (off_t)big), 0);          /* sparse: zeros */
    assert_int_equal(pwrite(fd, "head", 4, 0), 4);
    assert_int_equal(pwrite(fd, "tail", 4, (off_t)(17u << 20)), 4);
    close(fd);
    FILE *fp = mapfile_open(path, NULL);
    assert_non_null(fp);
    static uint8_t buf[1 << 16];
    size_t n = 0, k;
    int seen = 0;
    while ((k = fread(buf, 1, sizeof buf, fp)) > 0) {
        if (n == 0 && memcmp(buf, "head", 4) == 0)
            seen |= 1;
        if (n == (17u << 20) && memcmp(buf, "tail", 4) == 0)
            seen |= 2;
        n += k;
    }
    assert_int_equal(n, big);
    assert_int_equal(seen, 3);
    assert_int_equal(fseek(fp, 0, SEEK_SET), 0);              /* back over released pages */
    assert_int_equal(fread(buf, 1, 4, fp), 4);
    assert_memory_equal(buf, "head", 4);
    assert_int_equal(fseek(fp, 17 << 20, SEEK_SET), 0);
    assert_int_equal(fread(buf, 1, 4, fp), 4);
    assert_memory_equal(buf, "tail", 4);
    fclose(fp);
    unlink(path);
}

static void test_not_a_regular_file_is_read_plainly(void **state)
{
    (void)state;
    bool mapped = true;
    FILE *fp = mapfile_open("/dev/null", &mapped);
    assert_non_null(fp);
    assert_false(mapped);
    assert_int_equal(fgetc(fp), EOF);
    fclose(fp);
    assert_null(mapfile_open("/nonexistent/botwatch", &mapped));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_and_seeks_like_the_file),
        cmocka_unit_test(test_shrinking_file_is_a_read_error),
        cmocka_unit_test(test_fd_reads_the_same_file),
        cmocka_unit_test(test_released_pages_read_again),
        cmocka_unit_test(test_not_a_regular_file_is_read_plainly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
