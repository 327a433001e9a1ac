#ifndef TAPE_CZLIB_SHIM_H
#define TAPE_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2 is a macro that Swift cannot call: it passes the library version and stream size. */
static inline int tape_inflate_init_gzip(z_streamp stream) {
    /* 16 + MAX_WBITS: accept the gzip wrapper only (RFC 1952). */
    return inflateInit2(stream, 16 + MAX_WBITS);
}
#endif
