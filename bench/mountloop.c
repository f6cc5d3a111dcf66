/* Mounts and unmounts (MNT_DETACH) a tmpfs or a sysfs N times; prints ns per mount and per umount2.
 * With a fourth argument "each", also prints every cycle's mount + umount2 in microseconds, one per
 * line after the summary, for percentiles. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mount.h>

static long long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc != 4 && !(argc == 5 && strcmp(argv[4], "each") == 0)) {
        fprintf(stderr, "usage: mountloop FSTYPE DIR N [each]\n");
        return 2;
    }
    const char *fs = argv[1], *dir = argv[2];
    int n = atoi(argv[3]);
    long long m = 0, u = 0;
    long long *cycles = calloc(n > 0 ? n : 1, sizeof *cycles);
    if (!cycles) { perror("calloc"); return 1; }
    for (int i = 0; i < n; i++) {
        long long a = now();
        if (mount(fs, dir, fs, 0, NULL) != 0) { perror("mount"); return 1; }
        long long b = now();
        if (umount2(dir, MNT_DETACH) != 0) { perror("umount2"); return 1; }
        long long c = now();
        m += b - a;
        u += c - b;
        cycles[i] = c - a;
    }
    printf("%s n=%d mount_ns=%lld umount2_ns=%lld\n", fs, n, m / n, u / n);
    for (int i = 0; argc == 5 && i < n; i++) printf("%lld\n", cycles[i] / 1000);
    free(cycles);
    return 0;
}
