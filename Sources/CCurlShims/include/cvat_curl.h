// Typed wrappers around libcurl's variadic functions.
//
// Why: curl_easy_setopt, curl_easy_getinfo and curl_multi_setopt are C variadic functions, which Swift
// cannot call. Each wrapper fixes one argument type so the Swift side stays type-checked.
#ifndef CVAT_CURL_H
#define CVAT_CURL_H

#include <curl/curl.h>

typedef size_t (*cvat_curl_data_callback)(char *data, size_t size, size_t count, void *context);

CURLcode cvat_curl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode cvat_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode cvat_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode cvat_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode cvat_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode cvat_curl_easy_setopt_data_callback(CURL *handle, CURLoption option, cvat_curl_data_callback callback);

CURLcode cvat_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);

CURLMcode cvat_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value);

/// CURL_GLOBAL_DEFAULT is a macro built from other macros; Swift cannot import it.
long cvat_curl_global_default(void);

#endif
