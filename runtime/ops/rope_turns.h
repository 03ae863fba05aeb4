#pragma once
// The rotary kernel's frequency table: for each pair, freq_i / (2 pi) (turns
// per position) as a 64-bit fixed-point fraction, stored as (low, high) 32-bit
// words. Whole turns are dropped: they do not change the rotation.
#include <cstdint>
#include <span>
#include <vector>

namespace mrrope::ops {

std::vector<uint32_t> encode_rope_turns(std::span<const double> freq);

}  // namespace mrrope::ops
