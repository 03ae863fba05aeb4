#pragma once
// The message of the std::invalid_argument that `f` throws ("" if none), so a
// test can compare a bad input's error message in one EXPECT_EQ.
#include <stdexcept>
#include <string>

namespace mrrope::test {

template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace mrrope::test
