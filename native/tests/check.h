/* The harness of native/tests: one line a test ("ok" or "FAIL", with the
 * checks it made), a line for each failed check (file:line, what was
 * expected and what came), totals at the end. */
#ifndef NESTLET_CHECK_H
#define NESTLET_CHECK_H

#include <string.h>

void expect(int ok, const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Runs one test and prints its line. */
void run(const char *name, void (*test)(void));

/* Prints the totals of `suite`; the exit status: 1 when a check failed. */
int summary(const char *suite);

#define EXPECT(cond) expect((cond), __FILE__, __LINE__, "%s", #cond)
#define EXPECT_INT(got, want)                                                                                          \
	do {                                                                                                           \
		long long g_ = (got), w_ = (want);                                                                     \
		expect(g_ == w_, __FILE__, __LINE__, "%s is %lld, expected %lld", #got, g_, w_);                      \
	} while (0)
#define EXPECT_STR(got, want)                                                                                          \
	do {                                                                                                           \
		const char *g_ = (got), *w_ = (want);                                                                  \
		expect(strcmp(g_, w_) == 0, __FILE__, __LINE__, "%s is \"%s\", expected \"%s\"", #got, g_, w_);       \
	} while (0)
#define EXPECT_CONTAINS(got, part)                                                                                     \
	do {                                                                                                           \
		const char *g_ = (got), *p_ = (part);                                                                  \
		expect(strstr(g_, p_) != NULL, __FILE__, __LINE__, "%s is \"%s\", expected it to contain \"%s\"",     \
		       #got, g_, p_);                                                                                  \
	} while (0)

#endif
