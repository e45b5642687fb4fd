/* confdefs.h */
#define PACKAGE_NAME "deskmail"
#define PACKAGE_TARNAME "deskmail"
#define PACKAGE_VERSION "0.1.0"
#define PACKAGE_STRING "deskmail 0.1.0"
#define PACKAGE_BUGREPORT "https://deskmail.invalid/issues"
#define PACKAGE_URL ""
#define PACKAGE "deskmail"
#define VERSION "0.1.0"
