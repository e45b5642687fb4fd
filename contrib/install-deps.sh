#!/bin/sh
# Install what deskmail needs to build, run the demo and test on Debian 12
# (as root, or through sudo).  Safe to run again.  Used by the README's two
# commands; --tests adds what only the test suite needs (a headless
# Chromium for the link-page tests, mandoc for the man pages, clang and
# its libFuzzer runtime for the short fuzz campaign, Prometheus' own text
# parser for the metrics, systemd-analyze for the units in contrib/systemd,
# debhelper, lintian and debootstrap to build the Debian package and
# install it in a chroot, Postfix for the tests that deliver through a
# private instance of it (tests/lib/postfix.sh); the system instance is
# left unconfigured and stopped), PostgreSQL for the tests of the shared
# store (tests/lib/pg.sh starts private clusters; the package's own
# cluster is made but not started).
set -eu
pkgs="build-essential autoconf automake pkg-config ca-certificates
 libetpan-dev libcurl4-gnutls-dev libsqlite3-dev libpcre2-dev libinih-dev
 libjson-c-dev nettle-dev libgnutls28-dev libdpkg-perl sqlite3 python3
 libmicrohttpd-dev libpq-dev libexttextcat-dev libexttextcat-data dovecot-imapd dovecot-core openssl python3-aiosmtpd curl tzdata procps"
[ "${1:-}" = --tests ] && pkgs="$pkgs chromium mandoc clang libclang-rt-14-dev
 python3-prometheus-client systemd debhelper lintian debootstrap postfix
 postgresql"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
as_root=
[ "$(id -u)" = 0 ] || as_root=sudo
echo "install-deps: installing$missing" >&2
# Tests start private servers; the packages must not start system ones.
rcd=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	rcd=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' | $as_root tee $rcd >/dev/null
	$as_root chmod 755 $rcd
fi
# Postfix is there for private instances (tests/lib/postfix.sh): leave
# the system one without a main.cf, so it could not listen even if started.
echo 'postfix postfix/main_mailer_type select No configuration' |
	$as_root debconf-set-selections 2>/dev/null || true
rc=0
$as_root apt-get update -qq &&
DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq \
	--no-install-recommends $missing >/dev/null || rc=$?
[ -n "$rcd" ] && $as_root rm -f $rcd
exit $rc
