#include "maskexport.h"
