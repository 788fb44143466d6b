// OpenSSL's libcrypto, for the SHA-256 of webdataset shards (EVP digests use the CPU's SHA extensions where it has
// them). libcurl already links it on Debian; only the EVP digest calls are used.
#include <openssl/evp.h>
