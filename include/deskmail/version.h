/*
 * version.h - `deskmail --version`: our version and those of the
 * libraries this binary runs with (what a bug report needs).
 */
#ifndef DESKMAIL_VERSION_H
#define DESKMAIL_VERSION_H

#include <stdio.h>

/*
 * One line "deskmail VERSION", then one line per library: the version
 * the running program has (linked in, or loaded as deskmail loads it
 * when first needed: libcurl, libmicrohttpd, GnuTLS; "not found" names
 * the file that was looked for).
 */
void	version_print(FILE *fp);

#endif
