/* nestlet-userns: makes a user namespace for nestletd, which cannot make one
 * itself (a multithreaded process may not unshare CLONE_NEWUSER). It prints
 * "ready" once inside, then waits for stdin to close; meanwhile nestletd
 * writes its uid_map and gid_map and keeps an fd of /proc/PID/ns/user. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	char c;
	if (unshare(CLONE_NEWUSER) < 0) {
		printf("unshare(CLONE_NEWUSER): %s\n", strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
