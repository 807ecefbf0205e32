#include "heap_in_use.h"
#if defined(__linux__)
#include <malloc.h>
#endif

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
#define DECONFLICT_HAS_MALLINFO2 1
#endif

size_t deconflict_heap_in_use(void) {
#if defined(DECONFLICT_HAS_MALLINFO2)
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
#else
    return 0;
#endif
}

size_t deconflict_heap_free(void) {
#if defined(DECONFLICT_HAS_MALLINFO2)
    return mallinfo2().fordblks;
#else
    return 0;
#endif
}

int deconflict_heap_trim(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}
