#include "ops/rope_turns.h"

#include <cmath>
#include <stdexcept>

namespace mrrope::ops {

std::vector<uint32_t> encode_rope_turns(std::span<const double> freq) {
  constexpr long double kTwoPi = 6.283185307179586476925286766559005768L;
  constexpr long double kTwo64 = 18446744073709551616.0L;
  std::vector<uint32_t> out;
  out.reserve(freq.size() * 2);
  for (double f : freq) {
    if (!std::isfinite(f) || f < 0) throw std::invalid_argument("rope frequency must be finite and non-negative");
    long double turns = static_cast<long double>(f) / kTwoPi;
    turns -= std::floor(turns);
    long double scaled = std::nearbyint(turns * kTwo64);
    if (scaled >= kTwo64) scaled = 0;  // rounded up to a whole turn
    const auto fixed = static_cast<uint64_t>(scaled);
    out.push_back(static_cast<uint32_t>(fixed));
    out.push_back(static_cast<uint32_t>(fixed >> 32));
  }
  return out;
}

}  // namespace mrrope::ops
