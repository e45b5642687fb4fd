/* confdefs.h */
#define PACKAGE_NAME "deskmail"
#define PACKAGE_TARNAME "deskmail"
#define PACKAGE_VERSION "0.1.0"
#define PACKAGE_STRING "deskmail 0.1.0"
#define PACKAGE_BUGREPORT "https://deskmail.invalid/issues"
#define PACKAGE_URL ""
#define PACKAGE "deskmail"
#define VERSION "0.1.0"
/* end confdefs.h.  */
#include <libetpan/libetpan.h>
#include <sqlite3.h>
#include <json-c/json.h>
#include <ini.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
int
main (void)
{
size_t i = 0; struct mailmime *m;
      mailmime_parse("", 0, &i, &m); sqlite3_libversion();
      json_object_new_object(); ini_parse_string("", 0, 0);
      pcre2_compile((PCRE2_SPTR)"", 0, 0, 0, 0, 0);
  ;
  return 0;
}
