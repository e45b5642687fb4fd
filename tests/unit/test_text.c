/* Unit tests: html.c and strip.c */
#include <stdlib.h>

#include "deskmail/text.h"
#include "tap.h"

static void
html(const char *in, const char *want, const char *name)
{
	char *got = html_to_text(in, strlen(in));

	is_str(got, want, "html: %s", name);
	free(got);
}

static void
strip(const char *in, const char *want, const char *name)
{
	char *got = text_strip_quoted(in);

	is_str(got, want, "strip: %s", name);
	free(got);
}

void
test_text(void)
{
	html("<p>Hello <b>there</b></p><p>Second</p>", "Hello there\n\nSecond",
	    "paragraphs");
	html("a<br>b<br/>c", "a\nb\nc", "line breaks");
	html("<ul><li>one</li><li>two</li></ul>", "- one\n- two", "lists");
	html("<style>p{color:red}</style><script>x<y</script>Hi", "Hi",
	    "style and script dropped");
	html("&lt;tag&gt; &amp; &#233;&#x20AC;&nbsp;x", "<tag> & \xc3\xa9"
	    "\xe2\x82\xac x", "entities");
	html("<a href=\"https://e.org/x\">the page</a>",
	    "the page <https://e.org/x>", "link text and URL");
	html("<a href=\"https://e.org/\">https://e.org/</a>", "https://e.org/",
	    "link that is its own text");
	html("<!-- hidden --><div>shown</div>", "shown", "comments dropped");
	html("x < y", "x < y", "lone angle bracket is text");

	strip("Thanks, fixed.\n\nOn Mon, 2 Mar 2026 at 09:15, Ann <a@x.org> "
	    "wrote:\n> printer broken\n", "Thanks, fixed.", "On ... wrote:");
	strip("Yes please.\n\n-----Original Message-----\nFrom: x\n\nold\n",
	    "Yes please.", "Outlook original message");
	strip("Top reply\n\nFrom: Help Desk <help@x.org>\nSent: Monday\n"
	    "To: me\nSubject: Re: x\n\nold text\n", "Top reply",
	    "Outlook header block");
	strip("Answer one\n> q1\nAnswer two\n> q2\n",
	    "Answer one\nAnswer two", "inline answers kept, quotes dropped");
	strip("Body\n-- \nAnn Smith\nPhone 555\n", "Body", "signature cut");
	strip("Body\n\nSent from my iPhone\n", "Body", "mobile trailer");
	strip("From: the printer room we had paper\nand it works", "From: "
	    "the printer room we had paper\nand it works",
	    "From: in text without Sent: kept");
	strip("> all quoted\n", "", "all quoted gives empty");
}
