/*
 * log.h - the one log format, "deskmail: <what>: <why>", to stderr or
 * syslog.  Only the edges (commands, the service loop) log.  Every line
 * has its level: to syslog and the journal as its priority, and in the
 * text as a word after "deskmail: ", "warning:" or "info:"; a line
 * without one is an error (a command's one line of failure,
 * DESIGN.md's form, like Postfix's own).
 */
#ifndef DESKMAIL_LOG_H
#define DESKMAIL_LOG_H

/*
 * Send log lines to syslog instead of stderr (config key log = syslog);
 * when nothing listens on /dev/log, one warning on stderr and stderr
 * from then on.  On stderr that systemd's journal reads
 * ($JOURNAL_STREAM), each line starts with its priority ("<3>").
 */
void	log_use_syslog(int on);

void	log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warning(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
