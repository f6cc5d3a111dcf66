/* nestlet-procfs: opens a proc filesystem context for the pid namespace of a
 * process, for kernels where nestletd cannot name that namespace to proc
 * (fsconfig "pidns" is Linux 6.18): proc takes the pid namespace of the task
 * that calls fsopen, and setns on a pid namespace only moves the caller's
 * children, so it joins the namespace and forks; the child calls fsopen.
 *
 *   nestlet-procfs PID
 *
 * prints "ready CHILD FD" (the child's pid as nestletd sees it, the context's
 * fd number in the child) and waits for stdin to close, while nestletd copies
 * the fd with pidfd_getfd, checks the child's pid namespace and configures,
 * creates and attaches the proc itself. On an error it prints one line that
 * does not start with "ready" and exits 1. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif

static void wait_stdin(void)
{
	char c;
	while (read(0, &c, 1) > 0)
		;
}

int main(int argc, char **argv)
{
	char path[64], line[64];
	int ns, p[2], status;
	ssize_t n;
	pid_t child;

	if (argc != 2 || strspn(argv[1], "0123456789") != strlen(argv[1])) {
		printf("usage: nestlet-procfs PID\n");
		return 1;
	}
	snprintf(path, sizeof path, "/proc/%s/ns/pid", argv[1]);
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0) {
		printf("open %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (setns(ns, CLONE_NEWPID) < 0) {
		printf("setns %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		printf("pipe: %s\n", strerror(errno));
		return 1;
	}
	fflush(stdout);
	child = fork();
	if (child < 0) {
		printf("fork into the pid namespace of %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (child == 0) {
		long fd = syscall(SYS_fsopen, "proc", 0);
		if (fd < 0)
			dprintf(p[1], "fsopen(proc): %s\n", strerror(errno));
		else
			dprintf(p[1], "%ld\n", fd);
		close(p[1]);
		if (fd < 0)
			_exit(1);
		wait_stdin();
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], line, sizeof line - 1);
	line[n > 0 ? n : 0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	if (line[0] < '0' || line[0] > '9') {
		printf("%s\n", n > 0 ? line : "the child said nothing");
		waitpid(child, &status, 0);
		return 1;
	}
	printf("ready %d %s\n", (int)child, line);
	fflush(stdout);
	wait_stdin();
	waitpid(child, &status, 0);
	return 0;
}
