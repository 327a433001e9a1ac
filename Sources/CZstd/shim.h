#ifndef TAPE_CZSTD_SHIM_H
#define TAPE_CZSTD_SHIM_H
#include <zstd.h>
#endif
