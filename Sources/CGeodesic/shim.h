#ifndef DECONFLICT_CGEODESIC_SHIM_H
#define DECONFLICT_CGEODESIC_SHIM_H
#include <geodesic.h>
#endif
