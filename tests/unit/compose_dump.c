/*
 * compose_dump.c - compose_message() over many inputs in one process, for
 * tests/unit/headers.test.
 *
 * stdin holds records of three NUL-terminated strings: the From display
 * name, the Subject, and the message ids used as In-Reply-To and
 * References (space separated, may be empty).  For each record the mail
 * composed from them is written to stdout, followed by one NUL byte; if
 * compose_message() fails, a line "error: ..." and a NUL instead.
 *
 * Everything else is fixed, so the test knows what each mail must say:
 * From help@example.org, To customer@example.net, Message-ID
 * <dm.1.fixed@example.org>, X-Loop help@example.org, auto-replied,
 * 2026-03-02 09:00:00 UTC, a one-line text body.
 *
 * Exit status: 0 after a whole number of records, 1 if stdin ended inside
 * a record or could not be read, or stdout could not be written.
 */
#include <stdio.h>
#include <stdlib.h>

#include "deskmail/compose.h"

#define DUMP_FROM	"help@example.org"
#define DUMP_TO		"customer@example.net"
#define DUMP_ID		"dm.1.fixed@example.org"
#define DUMP_DATE	1772442000	/* 2026-03-02T09:00:00Z */

/* One NUL-terminated string from in into *s (getdelim's buffer). */
static int
read_field(FILE *in, char **s, size_t *cap)
{
	ssize_t n = getdelim(s, cap, '\0', in);

	/* the last string of a stream must end with its NUL as well */
	return n > 0 && (*s)[n - 1] == '\0';
}

static void
dump_one(const char *name, const char *subject, const char *ids)
{
	struct dm_mail m = { 0 };
	char *out;
	size_t len;

	m.from_name = name;
	m.from_addr = DUMP_FROM;
	m.to = DUMP_TO;
	m.subject = subject;
	m.message_id = DUMP_ID;
	m.in_reply_to = ids;
	m.refs = ids;
	m.x_loop = DUMP_FROM;
	m.auto_submitted = AS_AUTO_REPLIED;
	m.date = DUMP_DATE;
	m.text = "The body.\n";
	if (compose_message(&m, &out, &len) != DM_OK) {
		printf("error: %s\n", dm_errdetail());
	} else {
		fwrite(out, 1, len, stdout);
		free(out);
	}
	putchar('\0');
}

int
main(void)
{
	char *f[3] = { NULL, NULL, NULL };
	size_t cap[3] = { 0, 0, 0 };
	int i, status = 0;

	for (;;) {
		int c = getchar();

		if (c == EOF)
			break;
		ungetc(c, stdin);
		for (i = 0; i < 3; i++)
			if (!read_field(stdin, &f[i], &cap[i]))
				break;
		if (i < 3) {
			fprintf(stderr, "compose_dump: stdin ends inside a "
			    "record\n");
			status = 1;
			break;
		}
		dump_one(f[0], f[1], f[2]);
	}
	if (ferror(stdin) || fflush(stdout) != 0 || ferror(stdout))
		status = 1;
	for (i = 0; i < 3; i++)
		free(f[i]);
	return status;
}
