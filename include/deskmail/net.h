/*
 * net.h - TCP connections with timeouts and TLS (GnuTLS, with the server's
 * certificate verified against the system store or a CA file and its
 * name), wrapped as a libetpan stream so libetpan can speak IMAP over it.
 */
#ifndef DESKMAIL_NET_H
#define DESKMAIL_NET_H

#include <libetpan/libetpan.h>

#include "deskmail/err.h"

/* Connect to host:port within timeout seconds; *fd is the socket. */
dm_err	net_connect(const char *host, const char *port, int timeout,
	    int *fd);

/*
 * A libetpan stream over fd (which it owns from now on), plain until
 * net_stream_start_tls().  timeout bounds every read and write.
 */
mailstream *net_stream_new(int fd, int timeout);

/*
 * TLS on the stream's connection (implicit TLS right after connecting,
 * or after the server accepted STARTTLS).  The certificate must chain to
 * ca_file (or the system store when ca_file is NULL or "") and name host.
 * Failure is DM_ETLS with the reason.
 */
dm_err	net_stream_start_tls(mailstream *s, const char *host,
	    const char *ca_file);

/* Nonzero if decrypted bytes are waiting in the TLS layer of s. */
int	net_stream_pending(mailstream *s);

#endif
