#include "apixoadapter.h"
