#pragma once
// Layering probe (tests/CMakeLists.txt, "layering-probe"): a file of the net layer.
