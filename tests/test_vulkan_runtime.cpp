// The Vulkan layer itself: device selection, buffers, sequences and barriers,
// timestamps, and the errors users meet.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>

#include "ops/ops.h"
#include "support/gpu_buffers.h"
#include "support/gpu_test.h"
#include "vulkan/context.h"
#include "vulkan/device_tensor.h"
#include "vulkan/sequence.h"

namespace mrrope::test {
namespace {

class VulkanRuntime : public GpuTest {};

TEST_F(VulkanRuntime, ListsDevicesAndChoosesAUsableOne) {
  const auto devices = vk::Context::list_devices();
  ASSERT_FALSE(devices.empty());
  const vk::DeviceInfo& chosen = gpu().info();
  EXPECT_TRUE(chosen.usable);
  EXPECT_GT(chosen.max_storage_buffer_range, 0u);
  EXPECT_LE(gpu().max_buffer_bytes(), chosen.max_storage_buffer_range);
  EXPECT_LE(gpu().max_buffer_bytes(), chosen.max_memory_allocation_size);
  for (const auto& d : devices)
    if (d.usable) EXPECT_LE(chosen.preference_rank(), d.preference_rank()) << "a more capable device was skipped";
}

TEST_F(VulkanRuntime, PicksDeviceByIndexAndByName) {
  const vk::DeviceInfo& chosen = gpu().info();
  vk::ContextOptions by_index;
  by_index.device = std::to_string(chosen.index);
  by_index.validation = vk::Validation::Off;
  EXPECT_EQ(vk::Context(by_index).info().name, chosen.name);
  vk::ContextOptions by_name;
  by_name.device = chosen.name.substr(0, 4);
  by_name.validation = vk::Validation::Off;
  EXPECT_EQ(vk::Context(by_name).info().name.substr(0, 4), chosen.name.substr(0, 4));
}

// A context without validation, made while a validated one lives, must not
// break the validated one's teardown (it once called a debug-utils function
// pointer that the second instance had reloaded as null). MRROPE_VALIDATION is
// cleared here because it overrides both contexts' options under ctest.
TEST_F(VulkanRuntime, ValidatedContextClosesAfterAPlainOne) {
  const char* env = std::getenv("MRROPE_VALIDATION");
  const std::string saved = env ? env : "";
  unsetenv("MRROPE_VALIDATION");
  vk::ContextOptions on, off;
  on.validation = vk::Validation::IfAvailable;
  off.validation = vk::Validation::Off;
  auto validated = std::make_unique<vk::Context>(on);
  const bool had_validation = validated->validation_enabled();
  { vk::Context plain(off); EXPECT_FALSE(plain.validation_enabled()); }
  validated.reset();  // crashed here before the fix
  if (env) setenv("MRROPE_VALIDATION", saved.c_str(), 1);
  if (!had_validation) GTEST_SKIP() << "no validation layer installed: nothing to tear down";
}

TEST_F(VulkanRuntime, UnknownDeviceIsAClearError) {
  vk::ContextOptions o;
  o.device = "no-such-gpu-xyz";
  o.validation = vk::Validation::Off;
  try {
    vk::Context ctx(o);
    FAIL() << "expected an error";
  } catch (const vk::VulkanError& e) {
    EXPECT_NE(std::string(e.what()).find("no Vulkan device matches 'no-such-gpu-xyz'"), std::string::npos) << e.what();
  }
}

TEST_F(VulkanRuntime, BufferLargerThanTheLimitIsRefused) {
  vk::Context& ctx = gpu_with_small_buffers();
  EXPECT_EQ(ctx.max_buffer_bytes(), 64u * 1024);
  try {
    vk::Buffer b(ctx, 64 * 1024 + 4, vk::MemoryUsage::Device);
    FAIL() << "expected an error";
  } catch (const vk::VulkanError& e) {
    EXPECT_NE(std::string(e.what()).find("exceeds the per-buffer limit"), std::string::npos) << e.what();
  }
}

TEST_F(VulkanRuntime, BuffersRoundTripInEveryMemoryKind) {
  const auto data = random_floats(10007, 1);
  for (auto usage : {vk::MemoryUsage::Device, vk::MemoryUsage::Upload, vk::MemoryUsage::Readback}) {
    vk::Buffer b(gpu(), data.size() * 4, usage);
    b.write(data.data(), data.size() * 4);
    EXPECT_EQ(read_back(b, data.size()), data);
  }
  const uint64_t before = gpu().allocated_bytes();
  { vk::Buffer b(gpu(), 1 << 20, vk::MemoryUsage::Device); EXPECT_GE(gpu().allocated_bytes(), before + (1 << 20)); }
  EXPECT_EQ(gpu().allocated_bytes(), before);
}

TEST_F(VulkanRuntime, DependentDispatchesInOneSubmissionGetBarriers) {
  // x <- x + y, 50 times in one command buffer: every step reads the previous
  // step's output, so a missing barrier shows up as a wrong sum.
  const uint32_t n = 4099;
  std::vector<float> x(n, 0.0f), y = random_floats(n, 2);
  vk::Buffer bx = device_buffer(gpu(), x), by = device_buffer(gpu(), y);
  vk::Sequence seq(gpu());
  seq.begin();
  for (int i = 0; i < 50; ++i) ops::add(seq, bx, by, bx, n);
  seq.end();
  seq.run();
  const auto got = read_back(bx, n);
  for (uint32_t i = 0; i < n; ++i) ASSERT_NEAR(got[i], 50.0f * y[i], 1e-4f) << "at " << i;
  // The same recording replays.
  seq.run();
  EXPECT_NEAR(read_back(bx, n)[7], 100.0f * y[7], 1e-4f);
}

TEST_F(VulkanRuntime, CopiesAndFillsAreOrderedWithDispatches) {
  const uint32_t n = 1000;
  const auto a = random_floats(n, 3);
  vk::Buffer ba = device_buffer(gpu(), a), bb = zero_buffer(gpu(), n), bc = zero_buffer(gpu(), n);
  vk::Sequence seq(gpu());
  seq.begin();
  seq.fill(bb, 0, n * 4, 0x3f800000u);  // 1.0f
  ops::add(seq, ba, bb, bc, n);          // c = a + 1
  seq.copy(bc, 0, ba, 0, n * 4);         // a = c
  ops::add(seq, ba, bb, bc, n);          // c = a + 1 = a0 + 2
  seq.end();
  seq.run();
  const auto got = read_back(bc, n);
  for (uint32_t i = 0; i < n; ++i) ASSERT_NEAR(got[i], a[i] + 2.0f, 1e-6f);
}

TEST_F(VulkanRuntime, TimestampsTimeEveryDispatch) {
  if (gpu().info().timestamp_period_ns <= 0) GTEST_SKIP() << "device has no timestamps";
  const uint32_t n = 1 << 16;
  vk::Buffer a = zero_buffer(gpu(), n), b = zero_buffer(gpu(), n);
  vk::Sequence seq(gpu(), {.timestamps = true});
  seq.begin();
  ops::add(seq, a, b, a, n);
  ops::add(seq, a, b, a, n);
  seq.end();
  seq.run();
  const auto t = seq.timings();
  ASSERT_EQ(t.size(), 2u);
  for (const auto& d : t) EXPECT_GE(d.microseconds, 0.0);
  EXPECT_EQ(t[0].label, "add");
}

TEST_F(VulkanRuntime, WrongBindingCountIsAnError) {
  vk::Buffer a = zero_buffer(gpu(), 16);
  vk::Kernel& k = gpu().kernel({"add", {vk::Access::Read, vk::Access::Read, vk::Access::Write}, 4, {}});
  vk::Sequence seq(gpu());
  seq.begin();
  const uint32_t n = 16;
  EXPECT_THROW(seq.dispatch(k, {a, a}, n, 1), vk::VulkanError);
  seq.end();
}

// A cancel stops kernel builds on the thread of a CancelBuildsOn (a prefill's
// first chunk on lavapipe builds for tens of seconds), kernels already built
// are still handed out, and a sequence whose recording was dropped half-way
// records and runs again.
TEST_F(VulkanRuntime, CancelledBuildsThrowAndADroppedRecordingStartsOver) {
  std::atomic<bool> cancel{false};
  // copy_words has no specialization constants: this key is built by no other test.
  const vk::KernelDesc unbuilt{"copy_words", {vk::Access::Read, vk::Access::Write}, 4, {271828}};
  const uint32_t n = 64;
  const auto a = random_floats(n, 5);
  vk::Buffer ba = device_buffer(gpu(), a), bb = zero_buffer(gpu(), n);
  vk::Sequence seq(gpu());
  {
    const vk::CancelBuildsOn guard(&cancel);
    seq.begin();
    ops::add(seq, ba, ba, bb, n);  // built now if not before: the flag is still false
    cancel = true;
    EXPECT_THROW(gpu().kernel(unbuilt), vk::BuildCancelled);
    EXPECT_NO_THROW(ops::add(seq, ba, ba, bb, n));  // built: still handed out
    {
      const vk::CancelBuildsOn inner(nullptr);  // guards nest; no flag, no cancel
      EXPECT_NO_THROW(gpu().kernel({"copy_words", {vk::Access::Read, vk::Access::Write}, 4, {314159}}));
    }
    EXPECT_THROW(gpu().kernel(unbuilt), vk::BuildCancelled);
  }  // the recording is dropped here: never ended or submitted
  EXPECT_NO_THROW(gpu().kernel(unbuilt));  // no guard on this thread: builds
  seq.begin();
  ops::add(seq, ba, ba, bb, n);
  seq.end();
  seq.run();
  const auto got = read_back(bb, n);
  for (uint32_t i = 0; i < n; ++i) ASSERT_NEAR(got[i], 2.0f * a[i], 1e-6f) << "at " << i;
}

TEST_F(VulkanRuntime, UnknownShaderIsAnError) {
  EXPECT_THROW(gpu().kernel({"no_such_shader", {}, 0, {}}), std::out_of_range);
}

TEST_F(VulkanRuntime, TensorsSplitIntoSlicesThatFitOneBuffer) {
  vk::Context& ctx = gpu_with_small_buffers();
  vk::DeviceTensor t(ctx, GgmlType::F32, 1000, 50, "t");  // 4000-byte rows, 16 rows per 64 KiB slice
  ASSERT_EQ(t.slices().size(), 4u);
  EXPECT_EQ(t.slices()[3].row_begin, 48u);
  EXPECT_EQ(t.slices()[3].row_count, 2u);
  std::vector<uint8_t> data(t.bytes());
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  t.upload(data);
  EXPECT_EQ(t.download(), data);
  EXPECT_THROW(vk::DeviceTensor(ctx, GgmlType::F32, 20000, 1, "wide"), vk::VulkanError);
}

}  // namespace
}  // namespace mrrope::test
