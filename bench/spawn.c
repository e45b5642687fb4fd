/*
 * spawn.c - the per-process driver for bench/ingest.
 *
 *   spawn [-i] [-o OUT] LIST PROG [ARG...]
 *
 * For every path in LIST (one per line) fork() and execv() PROG directly,
 * with every "{}" inside an argument replaced by the path; with -i the path
 * is opened as the child's stdin, else stdin is /dev/null (an MTA's pipe
 * transport hands the message over a pipe; a file is the cheapest stand-in).  The child's stdout goes to OUT (opened
 * once, O_APPEND, so lines stay in order) or /dev/null; stderr is inherited.
 * The parent waits for each child before starting the next, as a pipe
 * transport with one delivery agent does.
 *
 * Prints one line: "<count> <failed> <wall seconds> <children cpu seconds>".
 * The cost per message therefore includes: fork of this small process, the
 * exec, the dynamic loading of PROG, opening the file, PROG's own work and
 * waitpid; it excludes any shell.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* arg with every "{}" replaced by path; arg itself when it has none */
static char *
subst(const char *arg, const char *path)
{
	const char *p, *q;
	char *out, *o;
	size_t n = 0, plen = strlen(path);

	if (strstr(arg, "{}") == NULL)
		return (char *)arg;
	for (p = arg; (q = strstr(p, "{}")) != NULL; p = q + 2)
		n++;
	if ((out = malloc(strlen(arg) + n * plen + 1)) == NULL) {
		perror("malloc");
		exit(1);
	}
	for (o = out, p = arg; (q = strstr(p, "{}")) != NULL; p = q + 2) {
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, path, plen);
		o += plen;
	}
	strcpy(o, p);
	return out;
}

int
main(int argc, char **argv)
{
	int opt, use_stdin = 0, outfd, nargs, i;
	const char *out = "/dev/null";
	char **cargv, line[4096];
	FILE *list;
	long count = 0, failed = 0;
	struct timespec t0, t1;
	struct rusage ru;

	while ((opt = getopt(argc, argv, "+io:")) != -1) {
		switch (opt) {
		case 'i': use_stdin = 1; break;
		case 'o': out = optarg; break;
		default: goto usage;
		}
	}
	if (argc - optind < 2)
		goto usage;
	if ((list = fopen(argv[optind], "r")) == NULL) {
		perror(argv[optind]);
		return 1;
	}
	if ((outfd = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644)) < 0) {
		perror(out);
		return 1;
	}
	nargs = argc - optind - 1;
	cargv = calloc((size_t)nargs + 1, sizeof(*cargv));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (fgets(line, sizeof(line), list) != NULL) {
		pid_t pid;
		int status;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		for (i = 0; i < nargs; i++)
			cargv[i] = subst(argv[optind + 1 + i], line);
		pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			int fd = open(use_stdin ? line : "/dev/null", O_RDONLY);
			if (fd < 0 || dup2(fd, 0) < 0)
				_exit(126);
			close(fd);
			if (dup2(outfd, 1) < 0)
				_exit(126);
			execv(cargv[0], cargv);
			_exit(127);
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR) {
				perror("waitpid");
				return 1;
			}
		for (i = 0; i < nargs; i++)
			if (cargv[i] != argv[optind + 1 + i])
				free(cargv[i]);
		count++;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			failed++;
			if (failed <= 5)
				fprintf(stderr, "spawn: %s: exit %d\n", line,
				    WIFEXITED(status) ? WEXITSTATUS(status) :
				    128 + WTERMSIG(status));
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("%ld %ld %.6f %.6f\n", count, failed,
	    (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	    (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	return 0;
usage:
	fprintf(stderr, "usage: spawn [-i] [-o OUT] LIST PROG [ARG...]\n");
	return 2;
}
