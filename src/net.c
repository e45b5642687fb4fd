/*
 * net.c - sockets and TLS for the IMAP client.
 *
 * libetpan's own TLS does not verify certificates, so deskmail gives
 * libetpan a stream of its own (a mailstream_low driver): plain TCP, or
 * GnuTLS with the certificate chain and host name verified.  STARTTLS
 * upgrades the same stream in place.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "deskmail/net.h"
#include "deskmail/util.h"

struct conn {
	int				 fd;
	int				 timeout_ms;
	int				 tls;
	gnutls_session_t		 session;
	gnutls_certificate_credentials_t cred;
};

dm_err
net_connect(const char *host, const char *port, int timeout, int *fd)
{
	struct addrinfo hints, *res, *ai;
	int s = -1, rc, err = 0;
	socklen_t len;
	struct pollfd pfd;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0)
		return dm_fail(DM_ENET, "%s: %s", host, gai_strerror(rc));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		s = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
		if (s < 0) {
			err = errno;
			continue;
		}
		if (connect(s, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			pfd.fd = s;
			pfd.events = POLLOUT;
			rc = poll(&pfd, 1, timeout * 1000);
			len = sizeof(err);
			if (rc == 1 && getsockopt(s, SOL_SOCKET, SO_ERROR, &err,
			    &len) == 0 && err == 0)
				break;
			if (rc == 0)
				err = ETIMEDOUT;
		} else
			err = errno;
		close(s);
		s = -1;
	}
	freeaddrinfo(res);
	if (s < 0)
		return dm_fail(DM_ENET, "cannot connect to %s port %s: %s", host,
		    port, strerror(err));
	/* blocking from here on; every read and write polls first */
	fcntl(s, F_SETFL, fcntl(s, F_GETFL) & ~O_NONBLOCK);
	*fd = s;
	return DM_OK;
}

static int
wait_for(struct conn *c, short events)
{
	struct pollfd pfd;
	int rc;

	if (c->tls && (events & POLLIN) &&
	    gnutls_record_check_pending(c->session) > 0)
		return 1;
	pfd.fd = c->fd;
	pfd.events = events;
	do
		rc = poll(&pfd, 1, c->timeout_ms);
	while (rc < 0 && errno == EINTR);
	return rc > 0;
}

static ssize_t
conn_read(mailstream_low *s, void *buf, size_t len)
{
	struct conn *c = s->data;
	ssize_t n;

	for (;;) {
		if (!wait_for(c, POLLIN))
			return -1;	/* timeout */
		if (!c->tls) {
			n = recv(c->fd, buf, len, 0);
			if (n < 0 && errno == EINTR)
				continue;
			return n;
		}
		n = gnutls_record_recv(c->session, buf, len);
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		if (n == GNUTLS_E_PREMATURE_TERMINATION)
			return 0;
		return n < 0 ? -1 : n;
	}
}

static ssize_t
conn_write(mailstream_low *s, const void *buf, size_t len)
{
	struct conn *c = s->data;
	ssize_t n;

	for (;;) {
		if (!wait_for(c, POLLOUT))
			return -1;
		if (!c->tls) {
			n = send(c->fd, buf, len, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			return n;
		}
		n = gnutls_record_send(c->session, buf, len);
		if (n == GNUTLS_E_AGAIN || n == GNUTLS_E_INTERRUPTED)
			continue;
		return n < 0 ? -1 : n;
	}
}

static int
conn_close(mailstream_low *s)
{
	struct conn *c = s->data;

	if (c->fd < 0)
		return 0;
	if (c->tls)
		gnutls_bye(c->session, GNUTLS_SHUT_WR);
	close(c->fd);
	c->fd = -1;
	return 0;
}

static int
conn_get_fd(mailstream_low *s)
{
	return ((struct conn *)s->data)->fd;
}

static void
conn_free(mailstream_low *s)
{
	struct conn *c = s->data;

	if (c->fd >= 0)
		close(c->fd);
	if (c->session != NULL)
		gnutls_deinit(c->session);
	if (c->cred != NULL)
		gnutls_certificate_free_credentials(c->cred);
	free(c);
	free(s);
}

static void
conn_cancel(mailstream_low *s)
{
	struct conn *c = s->data;

	if (c->fd >= 0)
		shutdown(c->fd, SHUT_RDWR);
}

static struct mailstream_cancel *
conn_get_cancel(mailstream_low *s)
{
	(void)s;
	return NULL;
}

static carray *
conn_get_chain(mailstream_low *s)
{
	(void)s;
	return NULL;
}

static mailstream_low_driver conn_driver = {
	conn_read, conn_write, conn_close, conn_get_fd, conn_free,
	conn_cancel, conn_get_cancel, conn_get_chain, NULL, NULL, NULL,
};

mailstream *
net_stream_new(int fd, int timeout)
{
	struct conn *c = xcalloc(1, sizeof(*c));
	mailstream_low *low;
	mailstream *s;

	c->fd = fd;
	c->timeout_ms = timeout * 1000;
	if ((low = mailstream_low_new(c, &conn_driver)) == NULL) {
		close(fd);
		free(c);
		return NULL;
	}
	if ((s = mailstream_new(low, 8192)) == NULL) {
		mailstream_low_close(low);
		mailstream_low_free(low);
		return NULL;
	}
	return s;
}

static struct conn *
stream_conn(mailstream *s)
{
	mailstream_low *low = mailstream_get_low(s);

	return low->driver == &conn_driver ? low->data : NULL;
}

int
net_stream_pending(mailstream *s)
{
	struct conn *c = stream_conn(s);

	return c != NULL && c->tls &&
	    gnutls_record_check_pending(c->session) > 0;
}

dm_err
net_stream_start_tls(mailstream *s, const char *host, const char *ca_file)
{
	struct conn *c = stream_conn(s);
	gnutls_datum_t out;
	unsigned status;
	int rc;

	if (c == NULL || c->tls)
		return dm_fail(DM_ESOFTWARE, "TLS on a foreign stream");
	if ((rc = gnutls_certificate_allocate_credentials(&c->cred)) < 0)
		return dm_fail(DM_ETLS, "%s", gnutls_strerror(rc));
	if (ca_file != NULL && ca_file[0] != '\0')
		rc = gnutls_certificate_set_x509_trust_file(c->cred, ca_file,
		    GNUTLS_X509_FMT_PEM);
	else
		rc = gnutls_certificate_set_x509_system_trust(c->cred);
	if (rc <= 0)
		return dm_fail(DM_ETLS, "no trusted CA certificates in %s%s",
		    ca_file && *ca_file ? ca_file : "the system store",
		    rc < 0 ? "" : " (empty)");
	if ((rc = gnutls_init(&c->session, GNUTLS_CLIENT)) < 0 ||
	    (rc = gnutls_set_default_priority(c->session)) < 0 ||
	    (rc = gnutls_credentials_set(c->session, GNUTLS_CRD_CERTIFICATE,
	    c->cred)) < 0)
		return dm_fail(DM_ETLS, "%s", gnutls_strerror(rc));
	/* SNI only for names; certificates for IP addresses carry an IP SAN */
	if (strspn(host, "0123456789.:") != strlen(host))
		gnutls_server_name_set(c->session, GNUTLS_NAME_DNS, host,
		    strlen(host));
	gnutls_session_set_verify_cert(c->session, host, 0);
	gnutls_transport_set_int(c->session, c->fd);
	gnutls_handshake_set_timeout(c->session, (unsigned)c->timeout_ms);
	do
		rc = gnutls_handshake(c->session);
	while (rc < 0 && !gnutls_error_is_fatal(rc));
	if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
		status = gnutls_session_get_verify_cert_status(c->session);
		if (gnutls_certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &out, 0) == 0) {
			dm_err err = dm_fail(DM_ETLS, "certificate of %s not "
			    "trusted: %s", host, out.data);

			gnutls_free(out.data);
			return err;
		}
	}
	if (rc < 0)
		return dm_fail(DM_ETLS, "TLS handshake with %s: %s", host,
		    gnutls_strerror(rc));
	c->tls = 1;
	return DM_OK;
}
