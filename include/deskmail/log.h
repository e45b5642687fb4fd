/*
 * log.h - the one log format, "deskmail: <what>: <why>", to stderr or
 * syslog.  Only the edges (commands, the service loop) log.
 */
#ifndef DESKMAIL_LOG_H
#define DESKMAIL_LOG_H

/* Send log lines to syslog instead of stderr (config key log = syslog). */
void	log_use_syslog(int on);

void	log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
