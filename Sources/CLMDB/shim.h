#ifndef TAPE_CLMDB_SHIM_H
#define TAPE_CLMDB_SHIM_H
#include <lmdb.h>
#endif
