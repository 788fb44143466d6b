// Typed wrappers for the libcurl calls Swift cannot make: curl_easy_setopt, curl_easy_getinfo and
// curl_multi_setopt are variadic, and CURL_GLOBAL_DEFAULT is a macro.
#include "cvat_curl.h"
