/*
 * vfsread: open + read to EOF + close latency and throughput of small files.
 *   vfsread lat N LABEL=PATH...   N rounds; each round reads every PATH once, interleaved,
 *                                 then prints p50/p90/p99/max in microseconds per LABEL.
 *   vfsread tput SECONDS PROCS PATH
 *                                 PROCS processes read PATH in a loop for SECONDS; prints reads/s.
 *   vfsread hold N PATH            opens PATH up to N times and keeps them open until killed; prints
 *                                 how many opens it holds and the error that stopped it.
 * Built static so it runs inside a busybox container.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 16];

static long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* One open + read to EOF + close; returns bytes read or -1. */
static long read_once(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    long total = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) total += n;
    close(fd);
    return n < 0 ? -1 : total;
}

static int cmp_long(const void *a, const void *b) {
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

static int latency(int rounds, int count, char **targets) {
    long *samples = calloc((size_t)rounds * count, sizeof(long));
    const char *paths[64];
    if (count > 64) return 2;
    for (int t = 0; t < count; t++) {
        char *eq = strchr(targets[t], '=');
        paths[t] = eq ? eq + 1 : targets[t];
        if (eq) *eq = 0;
        if (read_once(paths[t]) <= 0) {
            fprintf(stderr, "cannot read %s\n", paths[t]);
            return 1;
        }
    }
    for (int r = 0; r < rounds; r++) {
        for (int t = 0; t < count; t++) {
            long t0 = now_ns();
            if (read_once(paths[t]) <= 0) {
                fprintf(stderr, "read of %s failed in round %d\n", paths[t], r);
                return 1;
            }
            samples[(long)t * rounds + r] = now_ns() - t0;
        }
    }
    printf("%-22s %8s %8s %8s %8s\n", "target", "p50_us", "p90_us", "p99_us", "max_us");
    for (int t = 0; t < count; t++) {
        long *s = samples + (long)t * rounds;
        qsort(s, rounds, sizeof(long), cmp_long);
        printf("%-22s %8.1f %8.1f %8.1f %8.1f\n", targets[t], s[rounds / 2] / 1e3, s[rounds * 9 / 10] / 1e3,
               s[rounds * 99 / 100] / 1e3, s[rounds - 1] / 1e3);
    }
    return 0;
}

static int throughput(int seconds, int procs, const char *path) {
    int fds[2];
    if (pipe(fds) < 0) return 1;
    for (int p = 0; p < procs; p++) {
        if (fork() == 0) {
            long end = now_ns() + seconds * 1000000000L, n = 0, errors = 0;
            while (now_ns() < end) {
                if (read_once(path) <= 0) errors++;
                n++;
            }
            long out[2] = {n, errors};
            if (write(fds[1], out, sizeof out) != sizeof out) _exit(1);
            _exit(0);
        }
    }
    long total = 0, errors = 0;
    for (int p = 0; p < procs; p++) {
        long in[2];
        if (read(fds[0], in, sizeof in) != sizeof in) return 1;
        total += in[0];
        errors += in[1];
    }
    while (wait(NULL) > 0) {}
    printf("%s %d procs: %.0f reads/s, %ld errors\n", path, procs, (double)total / seconds, errors);
    return errors != 0;
}

/* Holds up to n opens of path (until killed), as a container keeping many files open would. */
static int hold(int n, const char *path) {
    int held = 0;
    const char *why = "none";
    for (; held < n; held++) {
        if (open(path, O_RDONLY) < 0) {
            why = strerror(errno);
            break;
        }
    }
    printf("holding %d opens of %s (stopped by: %s)\n", held, path, why);
    fflush(stdout);
    for (;;) pause();
    return 0; /* not reached: killed */
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "lat") == 0) return latency(atoi(argv[2]), argc - 3, argv + 3);
    if (argc == 4 && strcmp(argv[1], "hold") == 0) return hold(atoi(argv[2]), argv[3]);
    if (argc == 5 && strcmp(argv[1], "tput") == 0) return throughput(atoi(argv[2]), atoi(argv[3]), argv[4]);
    fprintf(stderr, "usage: vfsread lat N LABEL=PATH... | vfsread tput SECONDS PROCS PATH | vfsread hold N PATH\n");
    return 2;
}
