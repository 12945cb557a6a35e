#pragma once
// Layering probe: a screen.
