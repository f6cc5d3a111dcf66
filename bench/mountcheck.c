/* The kernel's side of one agent check on a caller's mount, N times each way: reading the whole
 * /proc/PID/mountinfo (what kernels before 6.18 leave the agent), against statx(STATX_MNT_ID_UNIQUE)
 * + statmount + listmount of the one mount in PID's mount namespace (mnt_id_req.mnt_ns_fd, 6.18).
 * Prints the median and p99 of each in microseconds, and the table's size.
 *   mountcheck PID PATH N      (PATH as PID sees it, a mount point) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct mnt_id_req_v1 { uint32_t size, mnt_ns_fd; uint64_t mnt_id, param, mnt_ns_id; };

static long long now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    long long x = *(const long long *) a, y = *(const long long *) b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, long long *t, int n) {
    qsort(t, n, sizeof *t, cmp);
    printf("%s: median %.1f us, p99 %.1f us\n", what, t[(n - 1) / 2] / 1000.0,
           t[(int) (n * 0.99 + 0.999999) - 1] / 1000.0);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: mountcheck PID PATH N\n");
        return 2;
    }
    int n = atoi(argv[3]);
    char path[4096], info[64], ns[64];
    snprintf(path, sizeof path, "/proc/%s/root/%s", argv[1], argv[2]);
    snprintf(info, sizeof info, "/proc/%s/mountinfo", argv[1]);
    snprintf(ns, sizeof ns, "/proc/%s/ns/mnt", argv[1]);
    int nsfd = open(ns, O_RDONLY | O_CLOEXEC);
    int target = open(path, O_PATH | O_CLOEXEC);
    if (nsfd < 0 || target < 0) {
        perror("open");
        return 1;
    }
    long long *t = calloc(n, sizeof *t);
    static char buf[1 << 16];
    long bytes = 0;
    for (int i = 0; i < n; i++) {
        long long t0 = now();
        int fd = open(info, O_RDONLY | O_CLOEXEC);
        bytes = 0;
        for (ssize_t r; (r = read(fd, buf, sizeof buf)) > 0;) bytes += r;
        close(fd);
        t[i] = now() - t0;
    }
    printf("mountinfo of %s: %ld bytes\n", argv[1], bytes);
    report("whole mountinfo read", t, n);
    uint64_t ids[256];
    long long *u = calloc(n, sizeof *u);
    for (int i = 0; i < n; i++) {
        long long t0 = now();
        struct statx st;
        if (statx(target, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, 0x4000 /* MNT_ID_UNIQUE */, &st)) {
            perror("statx");
            return 1;
        }
        struct mnt_id_req_v1 req = {32, (uint32_t) nsfd, st.stx_mnt_id, 0x33a, 0};
        if (syscall(457 /* statmount */, &req, buf, sizeof buf, 0) < 0) {
            perror("statmount");
            return 1;
        }
        long long t1 = now();
        req.param = 0;
        if (syscall(458 /* listmount */, &req, ids, 256, 0) < 0) {
            perror("listmount");
            return 1;
        }
        t[i] = t1 - t0;
        u[i] = now() - t1;
    }
    report("statx + statmount of the mount (a plain umount's check)", t, n);
    report("listmount beneath it (umount -l, binds, open_tree)", u, n);
    return 0;
}
