#pragma once
// The message of the E (std::invalid_argument unless named) that `f` throws
// ("" if none), so a test can compare a bad input's error message in one EXPECT_EQ.
#include <stdexcept>
#include <string>

namespace mrrope::test {

template <class E = std::invalid_argument, class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

}  // namespace mrrope::test
