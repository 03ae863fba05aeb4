#include "support/gpu_test.h"

#include <cmath>
#include <memory>
#include <string>

namespace mrrope::test {

namespace {

// Created on first use, destroyed by ContextCleanup.
std::unique_ptr<vk::Context> g_default, g_small;

vk::Context& make(std::unique_ptr<vk::Context>& slot, uint64_t max_buffer_bytes) {
  if (!slot) {
    vk::ContextOptions o;
    o.validation = vk::Validation::IfAvailable;  // MRROPE_VALIDATION=require (ctest) makes it mandatory
    o.max_buffer_bytes = max_buffer_bytes;
    slot = std::make_unique<vk::Context>(o);
  }
  return *slot;
}

// Contexts are destroyed before the process exits: some drivers (NVIDIA's)
// tear themselves down in atexit handlers that run before static destructors.
class ContextCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    g_small.reset();
    g_default.reset();
  }
};
const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new ContextCleanup);

}  // namespace

vk::Context& gpu() { return make(g_default, 0); }
vk::Context& gpu_with_small_buffers() { return make(g_small, 64 * 1024); }

void GpuTest::TearDown() {
  for (vk::Context* c : {g_default.get(), g_small.get()}) {
    if (!c) continue;
    const auto messages = c->take_validation_messages();
    std::string all;
    for (const auto& m : messages) all += m + "\n";
    EXPECT_TRUE(messages.empty()) << "Vulkan validation reported:\n" << all;
  }
}

std::vector<float> random_floats(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

double worst_ratio(const std::vector<float>& got, const std::vector<float>& want, const std::vector<double>& scale,
                   double atol, double rtol, size_t* where) {
  double worst = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double s = scale.empty() ? std::fabs(want[i]) : scale[i];
    const double r = std::fabs(static_cast<double>(got[i]) - want[i]) / (atol + rtol * s);
    if (!(r <= worst)) {  // also catches NaN
      worst = std::isnan(r) ? INFINITY : r;
      if (where) *where = i;
    }
  }
  return worst;
}

}  // namespace mrrope::test
