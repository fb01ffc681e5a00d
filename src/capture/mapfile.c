/* SPDX-License-Identifier: MIT
 * mapfile.c — see mapfile.h. One mapped stream is read at a time (captures are read in
 * order), so the SIGBUS recovery state is process-wide. */
#include "capture/mapfile.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

enum {
    MAP_STREAM_BUF = 64 << 10,   /* stdio buffer over a mapping: stays in the L2 cache */
    MAP_RELEASE_EVERY = 8 << 20, /* pages read are unmapped behind us in pieces this big */
};

struct mapped {
    FILE *fp;                            /* the stream over it */
    FILE *file;                          /* the file, open until the stream closes */
    const uint8_t *base;
    size_t size, pos;
    size_t released;                     /* [0, released) is no longer mapped in */
    struct sigaction old_bus;
    char buf[MAP_STREAM_BUF];            /* the stream's buffer (setvbuf ignores a size
                                            without a buffer) */
};

static sigjmp_buf *volatile bus_jump;   /* set only while copying from a mapping */
static volatile sig_atomic_t shrank;
static struct mapped *current;          /* the mapped stream open now, if any */

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    const uint8_t *a = si ? (const uint8_t *)si->si_addr : NULL;
    struct mapped *m = current;
    /* only a fault inside the mapping is a file that shrank; anything else is not ours */
    if (bus_jump && m && a >= m->base && a < m->base + m->size)
        siglongjmp(*bus_jump, 1);
    signal(sig, SIG_DFL);                /* not ours: die as the signal would have */
    raise(sig);
}

/* Pages already read leave our page tables (the page cache keeps them): otherwise the whole
 * file would count in the process's resident size by the end. */
static void release_behind(struct mapped *m, size_t pos)
{
    if (pos - m->released >= MAP_RELEASE_EVERY && pos > m->released) {
        size_t upto = pos & ~(size_t)(MAP_RELEASE_EVERY - 1);
        if (upto > m->released) {
            madvise((void *)(m->base + m->released), upto - m->released, MADV_DONTNEED);
            m->released = upto;
        }
    }
}

/* Copies n bytes from the mapping, or returns false if the read faulted (its pages vanished).
 * The handler runs with SA_NODEFER and the jump buffer does not save the signal mask: a
 * sigsetjmp without a system call, so the guard costs a few nanoseconds. */
static bool guarded_copy(void *dst, const uint8_t *src, size_t n)
{
    sigjmp_buf jb;
    if (sigsetjmp(jb, 0)) {
        bus_jump = NULL;
        shrank = 1;
        return false;
    }
    bus_jump = &jb;
    memcpy(dst, src, n);
    bus_jump = NULL;
    return true;
}

static ssize_t map_read(void *cookie, char *buf, size_t want)
{
    struct mapped *m = cookie;
    size_t left = m->size - m->pos;
    size_t n = want < left ? want : left;
    if (n == 0)
        return 0;
    if (!guarded_copy(buf, m->base + m->pos, n)) {
        m->pos = m->size;                    /* nothing more can be read */
        errno = EIO;
        return -1;
    }
    m->pos += n;
    release_behind(m, m->pos);
    return (ssize_t)n;
}

int mapfile_fd(FILE *fp)
{
    if (current && current->fp == fp)
        return fileno(current->file);
    return fileno(fp);                       /* -1 for a stream without a descriptor */
}

static int map_seek(void *cookie, off64_t *off, int whence)
{
    struct mapped *m = cookie;
    off64_t from = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (off64_t)m->pos
                 : whence == SEEK_END ? (off64_t)m->size : -1;
    if (from < 0 || *off < -from || *off > (off64_t)m->size - from) {
        errno = EINVAL;
        return -1;
    }
    m->pos = (size_t)(from + *off);
    if (m->pos < m->released)                /* going back: those pages fault in again */
        m->released = m->pos & ~(size_t)(MAP_RELEASE_EVERY - 1);
    *off = (off64_t)m->pos;
    return 0;
}

static int map_close(void *cookie)
{
    struct mapped *m = cookie;
    if (current == m)
        current = NULL;
    munmap((void *)m->base, m->size);
    sigaction(SIGBUS, &m->old_bus, NULL);
    fclose(m->file);
    free(m);
    return 0;
}

FILE *mapfile_open(const char *path, bool *mapped)
{
    shrank = 0;
    if (mapped)
        *mapped = false;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    struct stat sb;
    struct mapped *m = NULL;
    void *base = MAP_FAILED;
    if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size <= 0 ||
        (uint64_t)sb.st_size > SIZE_MAX / 2 || !(m = calloc(1, sizeof *m)) ||
        (base = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fileno(fp), 0)) ==
            MAP_FAILED)
        goto plain;
    madvise(base, (size_t)sb.st_size, MADV_SEQUENTIAL);   /* read-ahead, drop behind */
    m->base = base;
    m->size = (size_t)sb.st_size;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &m->old_bus) != 0)
        goto plain;
    FILE *mf = fopencookie(m, "rb", (cookie_io_functions_t){
        .read = map_read, .seek = map_seek, .close = map_close });
    if (!mf) {
        sigaction(SIGBUS, &m->old_bus, NULL);
        goto plain;
    }
    setvbuf(mf, m->buf, _IOFBF, sizeof m->buf);
    m->fp = mf;
    m->file = fp;
    current = m;
    if (mapped)
        *mapped = true;
    return mf;
plain:
    if (base != MAP_FAILED)
        munmap(base, (size_t)sb.st_size);
    free(m);
    return fp;
}

bool mapfile_shrank(void)
{
    return shrank != 0;
}
