#include "fakehttpserver.h"
