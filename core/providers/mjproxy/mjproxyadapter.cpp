#include "mjproxyadapter.h"
