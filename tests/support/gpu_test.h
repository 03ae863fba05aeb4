#pragma once
// GPU test support: one Vulkan context per test process (validation per
// MRROPE_VALIDATION; ctest sets "require"), and a fixture that fails any test
// during which the validation layer reported something.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "vulkan/context.h"

namespace mrrope::test {

vk::Context& gpu();
// A second context whose buffers are capped at `max_buffer_bytes`, to exercise
// the splitting of tensors into slices on any device.
vk::Context& gpu_with_small_buffers();

class GpuTest : public ::testing::Test {
 protected:
  void TearDown() override;
};

std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f);

// Largest |a[i] - b[i]| / (atol + rtol * scale[i]) over i: <= 1 passes.
double worst_ratio(const std::vector<float>& got, const std::vector<float>& want, const std::vector<double>& scale,
                   double atol, double rtol, size_t* where = nullptr);

}  // namespace mrrope::test
