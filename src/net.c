/*
 * net.c - sockets and TLS for the IMAP client.
 *
 * libetpan's own TLS does not verify certificates, so deskmail gives
 * libetpan a stream of its own (a mailstream_low driver): plain TCP, or
 * GnuTLS with the certificate chain and host name verified.  STARTTLS
 * upgrades the same stream in place.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "deskmail/dyn.h"
#include "deskmail/net.h"
#include "deskmail/util.h"

/*
 * GnuTLS, loaded by the first TLS connection (dyn.h says why).  Every
 * call below goes through this table.
 */
static struct {
	__typeof__(&gnutls_record_check_pending) record_check_pending;
	__typeof__(&gnutls_record_recv) record_recv;
	__typeof__(&gnutls_record_send) record_send;
	__typeof__(&gnutls_bye) bye;
	__typeof__(&gnutls_deinit) deinit;
	__typeof__(&gnutls_certificate_free_credentials) certificate_free_credentials;
	__typeof__(&gnutls_certificate_allocate_credentials) certificate_allocate_credentials;
	__typeof__(&gnutls_strerror) strerror;
	__typeof__(&gnutls_certificate_set_x509_trust_file) certificate_set_x509_trust_file;
	__typeof__(&gnutls_certificate_set_x509_system_trust) certificate_set_x509_system_trust;
	__typeof__(&gnutls_init) init;
	__typeof__(&gnutls_set_default_priority) set_default_priority;
	__typeof__(&gnutls_credentials_set) credentials_set;
	__typeof__(&gnutls_server_name_set) server_name_set;
	__typeof__(&gnutls_session_set_verify_cert) session_set_verify_cert;
	__typeof__(&gnutls_transport_set_int2) transport_set_int2;
	__typeof__(&gnutls_handshake_set_timeout) handshake_set_timeout;
	__typeof__(&gnutls_handshake) handshake;
	__typeof__(&gnutls_error_is_fatal) error_is_fatal;
	__typeof__(&gnutls_session_get_verify_cert_status) session_get_verify_cert_status;
	__typeof__(&gnutls_certificate_verification_status_print) certificate_verification_status_print;
	__typeof__(gnutls_free) *free_fn;
} gt;

static const struct dyn_sym gnutls_syms[] = {
	{ "gnutls_record_check_pending", (void **)&gt.record_check_pending },
	{ "gnutls_record_recv", (void **)&gt.record_recv },
	{ "gnutls_record_send", (void **)&gt.record_send },
	{ "gnutls_bye", (void **)&gt.bye },
	{ "gnutls_deinit", (void **)&gt.deinit },
	{ "gnutls_certificate_free_credentials", (void **)&gt.certificate_free_credentials },
	{ "gnutls_certificate_allocate_credentials", (void **)&gt.certificate_allocate_credentials },
	{ "gnutls_strerror", (void **)&gt.strerror },
	{ "gnutls_certificate_set_x509_trust_file", (void **)&gt.certificate_set_x509_trust_file },
	{ "gnutls_certificate_set_x509_system_trust", (void **)&gt.certificate_set_x509_system_trust },
	{ "gnutls_init", (void **)&gt.init },
	{ "gnutls_set_default_priority", (void **)&gt.set_default_priority },
	{ "gnutls_credentials_set", (void **)&gt.credentials_set },
	{ "gnutls_server_name_set", (void **)&gt.server_name_set },
	{ "gnutls_session_set_verify_cert", (void **)&gt.session_set_verify_cert },
	{ "gnutls_transport_set_int2", (void **)&gt.transport_set_int2 },
	{ "gnutls_handshake_set_timeout", (void **)&gt.handshake_set_timeout },
	{ "gnutls_handshake", (void **)&gt.handshake },
	{ "gnutls_error_is_fatal", (void **)&gt.error_is_fatal },
	{ "gnutls_session_get_verify_cert_status", (void **)&gt.session_get_verify_cert_status },
	{ "gnutls_certificate_verification_status_print", (void **)&gt.certificate_verification_status_print },
	{ "gnutls_free", (void **)&gt.free_fn },
	{ NULL, NULL }
};

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
	    gt.record_check_pending(c->session) > 0)
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
		n = gt.record_recv(c->session, buf, len);
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
		n = gt.record_send(c->session, buf, len);
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
		gt.bye(c->session, GNUTLS_SHUT_WR);
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
		gt.deinit(c->session);
	if (c->cred != NULL)
		gt.certificate_free_credentials(c->cred);
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
	    gt.record_check_pending(c->session) > 0;
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
	if (dyn_load(GNUTLS_SONAME, gnutls_syms) != DM_OK)
		return dm_fail(DM_ETLS, "%s", dm_errdetail());
	if ((rc = gt.certificate_allocate_credentials(&c->cred)) < 0)
		return dm_fail(DM_ETLS, "%s", gt.strerror(rc));
	if (ca_file != NULL && ca_file[0] != '\0')
		rc = gt.certificate_set_x509_trust_file(c->cred, ca_file,
		    GNUTLS_X509_FMT_PEM);
	else
		rc = gt.certificate_set_x509_system_trust(c->cred);
	if (rc <= 0)
		return dm_fail(DM_ETLS, "no trusted CA certificates in %s%s",
		    ca_file && *ca_file ? ca_file : "the system store",
		    rc < 0 ? "" : " (empty)");
	if ((rc = gt.init(&c->session, GNUTLS_CLIENT)) < 0 ||
	    (rc = gt.set_default_priority(c->session)) < 0 ||
	    (rc = gt.credentials_set(c->session, GNUTLS_CRD_CERTIFICATE,
	    c->cred)) < 0)
		return dm_fail(DM_ETLS, "%s", gt.strerror(rc));
	/* SNI only for names; certificates for IP addresses carry an IP SAN */
	if (strspn(host, "0123456789.:") != strlen(host))
		gt.server_name_set(c->session, GNUTLS_NAME_DNS, host,
		    strlen(host));
	gt.session_set_verify_cert(c->session, host, 0);
	gt.transport_set_int2(c->session, c->fd, c->fd);
	gt.handshake_set_timeout(c->session, (unsigned)c->timeout_ms);
	do
		rc = gt.handshake(c->session);
	while (rc < 0 && !gt.error_is_fatal(rc));
	if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
		status = gt.session_get_verify_cert_status(c->session);
		if (gt.certificate_verification_status_print(status,
		    GNUTLS_CRT_X509, &out, 0) == 0) {
			dm_err err = dm_fail(DM_ETLS, "certificate of %s not "
			    "trusted: %s", host, out.data);

			(*gt.free_fn)(out.data);
			return err;
		}
	}
	/*
	 * The connection dropped or timed out during the handshake (a
	 * server restarting): a network error to retry, not EX_PROTOCOL,
	 * which tells the admin the certificate or TLS setup is wrong.
	 */
	if (rc == GNUTLS_E_PULL_ERROR || rc == GNUTLS_E_PUSH_ERROR ||
	    rc == GNUTLS_E_PREMATURE_TERMINATION || rc == GNUTLS_E_TIMEDOUT)
		return dm_fail(DM_ENET, "TLS handshake with %s: %s", host,
		    gt.strerror(rc));
	if (rc < 0)
		return dm_fail(DM_ETLS, "TLS handshake with %s: %s", host,
		    gt.strerror(rc));
	c->tls = 1;
	return DM_OK;
}
