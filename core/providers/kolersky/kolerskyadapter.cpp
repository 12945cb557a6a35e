#include "kolerskyadapter.h"
