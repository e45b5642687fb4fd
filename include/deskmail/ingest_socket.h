/*
 * ingest_socket.h - `deskmail ingest` handing its message to a running
 * `deskmail run` over a local socket.
 *
 * An MTA starts one ingest process per mail.  Opening SQLite, reading the
 * schema and emptying the WAL on close cost more than parsing and storing
 * the mail; `run` has the database open already.  So `run` listens on a
 * Unix socket next to the database, and ingest sends it the raw message
 * and waits for the line it would have printed, which `run` writes only
 * after the message committed.  When nothing listens, ingest stores the
 * message itself, as before.  Either way the MTA hears "stored" only once
 * it is.
 */
#ifndef DESKMAIL_INGEST_SOCKET_H
#define DESKMAIL_INGEST_SOCKET_H

#include <pthread.h>
#include <stddef.h>
#include <time.h>

#include "deskmail/config.h"
#include "deskmail/err.h"

struct ingest_socket {
	const struct dm_config	*cfg;
	volatile int		*stop;		/* set by the owner to end it */
	int			 fd;		/* listening */
	pthread_t		 thread;
	int			 started;
};

/*
 * Listen on cfg->ingest_socket and serve it from a thread of its own with
 * its own database connection.  DM_OK without a thread when the socket is
 * switched off ("none").
 */
dm_err	ingest_socket_start(struct ingest_socket *s);

/* Wait for the thread to end (after *s->stop was set), remove the socket. */
void	ingest_socket_stop(struct ingest_socket *s);

/* For `status`: "listening" (run answers), "not running", or "off". */
const char *ingest_socket_state(const struct dm_config *cfg);

/*
 * The client's side (ingest_client.c).  Connect to run's socket: the
 * descriptor, or -1 when the socket is off or nobody (of our user)
 * listens on it.
 */
int	ingest_socket_connect(const struct dm_config *cfg);

/*
 * Hand len bytes (the first of total) to run over fd (from
 * ingest_socket_connect; closed here).  On DM_OK, *status is the exit
 * status for the MTA and line what to print: the outcome ("ticket 42
 * new") when *status is 0, else why it failed.  Any error means the
 * exchange broke off before an answer: the caller has the message still
 * and stores it itself (a message `run` did store is then recognised as
 * a duplicate).
 */
dm_err	ingest_socket_exchange(const struct dm_config *cfg, int fd,
	    const char *raw, size_t len, size_t total, int *status, char *line,
	    size_t linesz);

/*
 * The exchange, one message per connection:
 *   client: INGEST_MAGIC "LEN TOTAL\n" (20 digits each), then LEN bytes
 *   server: "STATUS LINE\n" once the message committed (or failed)
 */
#define INGEST_MAGIC	"deskmail-ingest 1 "
#define INGEST_HEAD_LEN	(sizeof(INGEST_MAGIC) - 1 + 20 + 1 + 20 + 1)
/* how long a peer may stall one read or write */
#define INGEST_IO_SECONDS	30

/* What both ends share. */
struct sockaddr_un;
int	ingest_socket_enabled(const struct dm_config *cfg);
dm_err	ingest_socket_address(const struct dm_config *cfg,
	    struct sockaddr_un *sa);
int	ingest_socket_peer_trusted(int fd);		/* us, or root */
void	ingest_socket_timeouts(int fd, long seconds);
/* all n bytes: 0, or -1 */
int	ingest_socket_send(int fd, const void *p, size_t n);

#endif
