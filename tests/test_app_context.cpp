// The app shares the runtime's Vulkan device with its swapchain, so Context
// takes extra instance/device extensions and a queue-family test. Defaults
// must behave as before; the new options must actually steer the choice.
#include <gtest/gtest.h>

#include <atomic>

#include "vulkan/context.h"

namespace mrrope::vk {
namespace {

TEST(AppContextOptions, QueueFamilyTestIsConsultedAndAcceptingKeepsTheDefaultChoice) {
  Context plain;
  std::atomic<int> calls{0};
  ContextOptions options;
  options.queue_family_ok = [&](VkInstance instance, VkPhysicalDevice pd, uint32_t family) {
    EXPECT_NE(instance, VK_NULL_HANDLE);
    EXPECT_NE(pd, VK_NULL_HANDLE);
    ++calls;
    return true;
  };
  Context filtered(options);
  EXPECT_GT(calls.load(), 0);
  EXPECT_EQ(filtered.info().name, plain.info().name);
  EXPECT_EQ(filtered.queue_family(), plain.queue_family());
}

TEST(AppContextOptions, RejectingEveryQueueFamilyLeavesNoUsableDevice) {
  ContextOptions options;
  options.queue_family_ok = [](VkInstance, VkPhysicalDevice, uint32_t) { return false; };
  try {
    Context ctx(options);
    FAIL() << "expected VulkanError";
  } catch (const VulkanError& e) {
    EXPECT_NE(std::string(e.what()).find("queue family"), std::string::npos) << e.what();
  }
}

TEST(AppContextOptions, MissingExtensionsAreNamedInTheError) {
  ContextOptions device_ext;
  device_ext.device_extensions = {"VK_MRROPE_no_such_device_extension"};
  try {
    Context ctx(device_ext);
    FAIL() << "expected VulkanError";
  } catch (const VulkanError& e) {
    EXPECT_NE(std::string(e.what()).find("VK_MRROPE_no_such_device_extension"), std::string::npos) << e.what();
  }
  ContextOptions instance_ext;
  instance_ext.instance_extensions = {"VK_MRROPE_no_such_instance_extension"};
  EXPECT_THROW(Context ctx(instance_ext), VulkanError);
}

TEST(AppContextOptions, QueueMutexIsTheSubmitLock) {
  Context ctx;
  std::unique_lock lock(ctx.queue_mutex());
  EXPECT_TRUE(lock.owns_lock());
}

}  // namespace
}  // namespace mrrope::vk
