#include "kieadapter.h"
