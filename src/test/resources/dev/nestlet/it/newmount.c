/* Test helper for AgentGapsIT: one call of the new mount API, printing "ok" or
 * the errno's name. Built static by the test and copied into the container.
 *   newmount fsopen FSTYPE
 *   newmount open_tree PATH        (OPEN_TREE_CLONE, not recursive)
 *   newmount open_tree_rec PATH    (OPEN_TREE_CLONE | AT_RECURSIVE)
 *   newmount setattr_rw PATH       (mount_setattr clearing MOUNT_ATTR_RDONLY)
 *   newmount fspick PATH */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct attr {
	uint64_t set, clr, propagation, userns_fd;
};

static int report(long rc)
{
	if (rc < 0) {
		const char *n = errno == EPERM ? "EPERM" : errno == ENOSYS ? "ENOSYS" : errno == EINVAL ? "EINVAL"
			: errno == ENOENT ? "ENOENT" : "OTHER";
		printf("%s\n", n);
		return 1;
	}
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct attr a = {0, 0x1, 0, 0};
	if (argc != 3)
		return 2;
	if (!strcmp(argv[1], "fsopen"))
		return report(syscall(430, argv[2], 0));
	if (!strcmp(argv[1], "open_tree"))
		return report(syscall(428, -100, argv[2], 1));
	if (!strcmp(argv[1], "open_tree_rec"))
		return report(syscall(428, -100, argv[2], 1 | 0x8000));
	if (!strcmp(argv[1], "setattr_rw"))
		return report(syscall(442, -100, argv[2], 0, &a, sizeof(a)));
	if (!strcmp(argv[1], "fspick"))
		return report(syscall(433, -100, argv[2], 0));
	return 2;
}
