#!/usr/bin/python3
"""Generate tests/corpus/expected.json from the shared mail corpus.

Usage:  /usr/bin/python3 tests/corpus/gen-expected.py [CORPUS_DIR]

CORPUS_DIR defaults to $DESKMAIL_CORPUS, else <repo>/../shared/corpus/mail-gem.
Standard library only.  Every .eml below CORPUS_DIR is parsed with Python's
`email` package (policy=email.policy.default), which serves as the
independent reference parser for tests/corpus/corpus.test.  Every mail was
then reviewed by hand against its raw source; where Python is clearly wrong
the value is corrected in OVERRIDES below (with the reason), so regenerating
gives the same file.

Per mail (key: path relative to CORPUS_DIR, '/' separated):
  from         lower-cased addr-spec of the first From mailbox, or null
  subject      decoded, whitespace-normalised Subject; null if there is no
               Subject field (an empty field gives "")
  body         text of msg.get_body(preferencelist=('plain', 'html')),
               tags stripped for html, whitespace-normalised, first 300
               characters; null when there is no text body at all
  html         true when that body is the text/html part
  report       true when the top-level type is multipart/report
  attachments  number of parts msg.iter_attachments() yields (the
               preferred, reviewed count)
  attachments_min, attachments_max
               the range a sensible gateway may report.  Computed from the
               MIME tree (see attachment_range) and reviewed; they differ
               from "attachments" only where the mail is ambiguous (inline
               parts, signatures, alternatives that are not text, ...)
  python_error present only if Python raised while extracting a field
  reviewed     present only for mails changed by OVERRIDES: the reason

Raw 8-bit bytes in header fields are decoded as UTF-8 (RFC 6532);
bytes that are not valid UTF-8 become U+FFFD (see OVERRIDES for the one
mail where that matters).
"""

import email
import email.policy
import html
import html.parser
import json
import os
import re
import sys

BODY_CHARS = 300

SIGNATURE_TYPES = {'application/pgp-signature', 'application/pkcs7-signature',
                   'application/x-pkcs7-signature'}

_BELL = ("Test test. Hi. Waving. m ------------------------------------------"
         "---------------------- Sent via Bell Mobility's Text Messaging "
         "service. Envoyé par le service de messagerie texte de Bell "
         "Mobilité. ------------------------------------------------------"
         "----------")

# Hand corrections after reviewing every mail against its raw source.
# path -> (reason, {field: corrected value}).  The reason is copied into
# expected.json as "reviewed".
OVERRIDES = {
    # --- Python's header parser (policy.default) cuts an unquoted boundary
    # at the first '=' (boundary=----=_NextPart_...); compat32 and every MUA
    # take the whole token, so the multipart is split normally.
    'mime_emails/raw_email_with_illegal_boundary.eml': (
        "unquoted boundary containing '=': policy.default truncates it to "
        "'----' and finds no parts; values are those of the text/plain "
        "alternative",
        {'body': 'Hello This is an outlook test So there. Me.'}),
    'plain_emails/raw_email_bad_time.eml': (
        "unquoted boundary containing '=': policy.default finds no parts; "
        "values are those of the text/plain alternative",
        {'body': 'Filter2: This message has been scanned for viruses and '
                 'dangerous content by MailScanner, and is believed to be '
                 'clean.'}),
    'mime_emails/raw_email_with_binary_encoded.eml': (
        "unquoted boundary containing '=' (Python finds no parts); the only "
        "part is an image/jpeg inside multipart/alternative: a gateway "
        "should keep it as an attachment (0 tolerated: it is formally an "
        "alternative)",
        {'attachments': 1, 'attachments_min': 0, 'attachments_max': 1}),

    # --- Header section problems where Python stops reading headers.
    'plain_emails/raw_email_incorrect_header.eml': (
        "junk line 'quite Delivered-To: ...' in the header section; Python "
        "ends the headers there and loses From/Subject, the sensible reading "
        "(and the mail gem's) skips that one line",
        {'from': 'xxx@xxx.xxx',
         'subject': 'Stop adware/spyware once and for all.',
         'body': 'You are infected with: Ad Ware and Spy Ware Get your free '
                 'scan and removal download now, before it gets any worse. '
                 'http://xxx.xxx.info?aid=3D13&?stat=3D4327kdzt no more? '
                 '(you will still be infected) '
                 'http://xxx.xxx.info/discon/?xxx@xxx.com'}),
    'rfc2822/example13.eml': (
        "RFC 2822 A.6.3 obsolete syntax: WSP before ':' in field names and "
        "comments inside the address; Python takes 'From  :' for an mbox "
        "From_ line and stops at 'To    :'.  The literal '__' line (the RFC "
        "prints a whitespace-only line that way) is skipped",
        {'from': 'jdoe@machine.example', 'subject': 'Saying Hello',
         'body': 'This is a message just to say hello. So, "Hello".'}),

    # --- Addresses.
    'plain_emails/mix_caps_content_type.eml': (
        "'From: Big Bug bb@bug.com' (display words without <>); Python glues "
        "the words into the local part ('\"big bug bb\"@bug.com'), the "
        "address is bb@bug.com",
        {'from': 'bb@bug.com'}),

    # --- Charsets.
    'error_emails/invalid_subject_characters.eml': (
        "raw 8-bit Subject bytes are Windows-1252 (E7 E3), not UTF-8; the "
        "From display name, encoded as Windows-1252, confirms the charset",
        {'subject': 'Formação FrenetikPolis: Mega Campanha Final Verão | '
                    'Cursos de Setembro'}),
    'plain_emails/raw_email5.eml': (
        "no Content-Type (us-ascii) but the body holds UTF-8 bytes (C3 A9); "
        "Python gives U+FFFD, the text is 'Envoyé ... Mobilité'",
        {'body': _BELL}),
    'plain_emails/raw_email6.eml': (
        "charset=us-ascii but the body holds UTF-8 bytes (C3 A9); Python "
        "gives U+FFFD, the text is 'Envoyé ... Mobilité'",
        {'body': _BELL}),
    'plain_emails/raw_email10.eml': (
        "charset=X-UNKNOWN: Python raises LookupError and gives no body; the "
        "bytes are valid UTF-8 ('Envoyé ... Mobilité')",
        {'body': _BELL}),

    # --- Attachments.
    'attachment_emails/attachment_only_email.eml': (
        "the whole (non-multipart) message is an application/x-gzip "
        "attachment; iter_attachments() only looks into multiparts",
        {'attachments': 1}),
    'attachment_emails/attachment_message_rfc822_inline_image.eml': (
        "iter_attachments() does not look into the multipart/related: the "
        "inline img.png (with filename) is an attachment too; 1 tolerated "
        "(cid: image referenced by the html body)",
        {'attachments': 2, 'attachments_min': 1}),
    'error_emails/missing_content_disposition.eml': (
        "multipart/related whose root part is an image/jpg: Python treats "
        "the root as the body and counts 0; a gateway must keep the image",
        {'attachments': 1, 'attachments_min': 0}),
    'mime_emails/raw_email4.eml': (
        "Python counts the nested multipart/mixed container and an empty "
        "junk part after a broken close delimiter; there is no real "
        "attachment (the second text/plain is an MMS footer); up to 2 "
        "tolerated",
        {'attachments': 0}),
    'mime_emails/raw_email7.eml': (
        "Python counts the nested multipart/mixed container (1) plus "
        "smime.p7s; the real attachments are test.rb, test.pdf (inline with "
        "filename) and smime.p7s",
        {'attachments': 3}),
}


def utf8_headers(text):
    """Python keeps raw 8-bit header bytes as surrogate escapes; RFC 6532
    says they are UTF-8, so decode them as such (invalid UTF-8 -> U+FFFD)."""
    if text is None:
        return None
    return text.encode('utf-8', 'surrogateescape').decode('utf-8', 'replace')


def normalise(text):
    """Runs of whitespace -> one space, stripped.  Same as corpus.test."""
    if text is None:
        return None
    return re.sub(r'\s+', ' ', text).strip()


class _TextExtractor(html.parser.HTMLParser):
    """Very small html-to-text: keeps character data, drops tags and the
    contents of <script>/<style>/<title>, turns block tags into spaces."""

    SKIP = {'script', 'style', 'title'}
    BLOCK = {'br', 'p', 'div', 'tr', 'td', 'th', 'li', 'table', 'h1', 'h2',
             'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'hr', 'body'}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.out.append(' ')

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.out.append(' ')

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def html_to_text(markup):
    p = _TextExtractor()
    try:
        p.feed(markup)
        p.close()
    except Exception:  # html.parser is very lenient; just in case
        return re.sub(r'<[^>]*>', ' ', html.unescape(markup))
    return ''.join(p.out)


def first_from(msg):
    hdr = msg['From']
    if hdr is None:
        return None
    addrs = getattr(hdr, 'addresses', ())
    if not addrs:
        return None
    spec = addrs[0].addr_spec
    if not spec or spec == '<>':
        return None
    return utf8_headers(spec).lower()


def _leaves(part, parent=None, out=None):
    """Leaf parts of the MIME tree with their parent; message/* is a leaf
    (a forwarded mail is one attachment, not its contents)."""
    if out is None:
        out = []
    payload = part.get_payload()
    if part.get_content_maintype() == 'multipart':
        # a multipart without (parseable) parts has no leaves
        for sub in payload if isinstance(payload, list) else ():
            _leaves(sub, part, out)
    else:
        out.append((part, parent))
    return out


def attachment_range(msg, body):
    """(min, max) attachment count a sensible gateway may report.
    max: every leaf except the body and its text alternatives.
    min: of those, the ones that are clearly attachments: disposition
    attachment, a file name, or a non-text non-message type - and not a
    signature (gateways may drop those)."""
    lo = hi = 0
    for part, parent in _leaves(msg):
        if part is body:
            continue
        ctype = part.get_content_type()
        if (ctype in ('text/plain', 'text/html') and parent is not None
                and parent.get_content_type() == 'multipart/alternative'
                and not part.is_attachment()):
            continue
        if parent is None and part.get_content_maintype() in ('text',) \
                and not part.is_attachment():
            continue        # single-part text mail without a usable body
        hi += 1
        if ctype in SIGNATURE_TYPES:
            continue
        if (part.is_attachment() or part.get_filename()
                or part.get_content_maintype() not in ('text', 'message')):
            lo += 1
    return lo, hi


def extract(raw):
    """Return the expectation dict for one raw mail (bytes)."""
    exp = {'from': None, 'subject': None, 'body': None, 'html': False,
           'report': False, 'attachments': 0,
           'attachments_min': 0, 'attachments_max': 0}
    errors = []
    msg = email.message_from_bytes(raw, policy=email.policy.default)

    try:
        exp['from'] = first_from(msg)
    except Exception as e:
        errors.append('from: %s: %s' % (type(e).__name__, e))
    try:
        subj = msg['Subject']
        exp['subject'] = (None if subj is None
                          else normalise(utf8_headers(str(subj))))
    except Exception as e:
        errors.append('subject: %s: %s' % (type(e).__name__, e))
    try:
        exp['report'] = msg.get_content_type() == 'multipart/report'
    except Exception as e:
        errors.append('report: %s: %s' % (type(e).__name__, e))
    part = None
    try:
        part = msg.get_body(preferencelist=('plain', 'html'))
        if part is not None:
            text = part.get_content()
            if isinstance(text, bytes):   # should not happen for text/*
                text = text.decode('utf-8', 'replace')
            if part.get_content_subtype() == 'html':
                exp['html'] = True
                text = html_to_text(text)
            exp['body'] = normalise(text)[:BODY_CHARS]
    except Exception as e:
        errors.append('body: %s: %s' % (type(e).__name__, e))
    try:
        exp['attachments'] = sum(1 for _ in msg.iter_attachments())
    except Exception as e:
        errors.append('attachments: %s: %s' % (type(e).__name__, e))
    try:
        exp['attachments_min'], exp['attachments_max'] = \
            attachment_range(msg, part)
    except Exception as e:
        errors.append('attachment range: %s: %s' % (type(e).__name__, e))
    if errors:
        exp['python_error'] = '; '.join(errors)
    return exp


def default_corpus():
    env = os.environ.get('DESKMAIL_CORPUS')
    if env:
        return env
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    return os.path.join(repo, '..', 'shared', 'corpus', 'mail-gem')


def main(argv):
    corpus = argv[1] if len(argv) > 1 else default_corpus()
    if not os.path.isdir(corpus):
        sys.exit('gen-expected: corpus not found: %s' % corpus)
    out_path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            'expected.json')

    result = {}
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith('.eml'):
                continue
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, corpus).replace(os.sep, '/')
            with open(full, 'rb') as f:
                raw = f.read()
            try:
                exp = extract(raw)
            except Exception as e:  # message_from_bytes itself failed
                exp = {'from': None, 'subject': None, 'body': None,
                       'html': False, 'report': False, 'attachments': 0,
                       'attachments_min': 0, 'attachments_max': 0,
                       'python_error': '%s: %s' % (type(e).__name__, e)}
            result[rel] = exp

    problems = []
    for rel in sorted(set(OVERRIDES) - set(result)):
        problems.append('OVERRIDES entry for a missing mail: %s' % rel)
    for rel, (reason, fields) in sorted(OVERRIDES.items()):
        if rel not in result:
            continue
        for key in fields:
            if key not in result[rel]:
                problems.append('unknown field %r in OVERRIDES[%r]'
                                % (key, rel))
        exp = result[rel]
        exp.update(fields)
        exp['reviewed'] = reason
    for rel, exp in sorted(result.items()):
        if not (exp['attachments_min'] <= exp['attachments']
                <= exp['attachments_max']):
            problems.append('%s: attachments %d outside [%d, %d]'
                            % (rel, exp['attachments'],
                               exp['attachments_min'],
                               exp['attachments_max']))
    if problems:
        sys.exit('gen-expected: ' + '\n  '.join(problems))

    with open(out_path, 'w', encoding='utf-8') as f:
        json.dump(result, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write('\n')
    print('gen-expected: %d mails -> %s (%d overridden)'
          % (len(result), out_path, len(OVERRIDES)))


if __name__ == '__main__':
    main(sys.argv)
