/*
 * filename.h - the name a file deskmail passes on (an attachment in a
 * mail, a download from a link page, `ticket attachment -o`) is given:
 * whatever a sender wrote, one plain file name a mail client or browser
 * saves as it is, in the directory the person chose.
 */
#ifndef DESKMAIL_FILENAME_H
#define DESKMAIL_FILENAME_H

#include <stddef.h>

/* The longest name written, in bytes of UTF-8 (extension included). */
#define FILENAME_MAX_BYTES	120

/*
 * A copy of name (any bytes; NULL is "") that is safe to write:
 *   - only what follows the last '/' or '\' (no directories, no
 *     "../../etc/passwd"), and no ':' (a Windows drive or stream);
 *   - valid UTF-8 (bytes that are not: '_'), without control characters
 *     (C0, DEL, C1), line or paragraph separators, or the bidirectional
 *     controls that make "invoice\u202Efdp.exe" read as "invoiceexe.pdf"
 *     (each '_'); no characters a Windows file system refuses
 *     (* ? " < > |: '_');
 *   - white space runs as one space, none at either end, no '.' at the
 *     start (a hidden file) or at the end (Windows drops it);
 *   - not a Windows device name (CON, NUL, COM1...; an '_' before it);
 *   - at most FILENAME_MAX_BYTES bytes, cut at a character boundary in
 *     the part before the extension, which is kept when short;
 *   - never empty: fallback (a name of ours, e.g. "attachment") instead.
 * The caller frees the result.
 */
char	*filename_safe(const char *name, const char *fallback);

#endif
