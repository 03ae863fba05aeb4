#pragma once
// The lookup grids of the IQ1, IQ2 and IQ3 types: data of the GGUF format
// (ggml-common.h), written into iq_grids.cpp by tools/gen_iq_grids.py. Entry i
// holds the levels of 8 elements (uint64, element j in byte j) or of 4
// (uint32), as the format states them:
//   IQ2 grids: uint8 levels 8, 25, 43;  IQ3_XXS: 4, 12, ..., 52, 62;
//   IQ3_S: 1, 3, ..., 15;               IQ1_S / IQ1_M: int8 levels -1, 0, 1.
#include <cstdint>

namespace mrrope {

extern const uint64_t kIq2xxsGrid[256];
extern const uint64_t kIq2xsGrid[512];
extern const uint64_t kIq2sGrid[1024];
extern const uint32_t kIq3xxsGrid[256];
extern const uint32_t kIq3sGrid[512];
extern const uint64_t kIq1sGrid[2048];

}  // namespace mrrope
