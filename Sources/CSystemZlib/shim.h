// zlib, for the CRC-32 of chunk members. Not named CZlib: ZIPFoundation defines a module of that name on Linux,
// and two modules of one name cannot be in one build.
#include <zlib.h>
