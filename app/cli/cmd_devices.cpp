// mrrope-cli devices: every Vulkan device with the limits that matter here, and
// the one the runtime would choose.
#include <cstdio>
#include <string>

#include "command.h"
#include "options/option_table.h"
#include "vulkan/context.h"

namespace mrrope::cli {
namespace {

OptionTable devices_options(std::string* selector, bool* help) {
  OptionTable table("mrrope-cli help devices");
  table.store({"-d", "--device"}, "INDEX|NAME", "the device to choose (default: MRROPE_DEVICE, else the most capable)",
              selector);
  table.help_option(help);
  return table;
}

std::string devices_help() {
  std::string selector;
  bool help = false;
  return "mrrope-cli devices [--device INDEX|NAME]   (or set MRROPE_DEVICE)\n" + devices_options(&selector, &help).help();
}

int run_devices(const std::vector<std::string>& args) {
  std::string selector;
  bool help = false;
  devices_options(&selector, &help).parse(args);
  if (help) return print_command_help("devices");
  const auto devices = vk::Context::list_devices();  // throws a one-line VulkanError without Vulkan
  for (const vk::DeviceInfo& d : devices) {
    std::printf("[%u] %s (%s), Vulkan %s, driver %s\n", d.index, d.name.c_str(), d.type.c_str(),
                d.api_version_string().c_str(), d.driver.c_str());
    if (!d.usable) {
      std::printf("    not usable: %s\n", d.unusable_reason.c_str());
      continue;
    }
    std::printf("    device memory %s%s, max buffer range %s, max allocation %s\n",
                vk::format_bytes(d.device_local_bytes).c_str(), d.unified_memory ? " (host-visible)" : "",
                vk::format_bytes(d.max_storage_buffer_range).c_str(),
                vk::format_bytes(d.max_memory_allocation_size).c_str());
    std::printf("    workgroups: max count %u x %u x %u, max size %u (%u invocations), shared memory %s, subgroup %u\n",
                d.max_workgroup_count[0], d.max_workgroup_count[1], d.max_workgroup_count[2],
                d.max_workgroup_size[0], d.max_workgroup_invocations, vk::format_bytes(d.max_shared_memory).c_str(),
                d.subgroup_size);
    std::printf("    fp16 arithmetic %s, int8 arithmetic %s, 16-bit storage %s, timestamps %s\n",
                d.shader_float16 ? "yes" : "no", d.shader_int8 ? "yes" : "no", d.storage_16bit ? "yes" : "no",
                d.timestamp_period_ns > 0 ? "yes" : "no");
    std::printf("    8-bit storage %s, int8 dot products %s, cooperative matrices (NV) %s\n",
                d.storage_8bit ? "yes" : "no",
                d.integer_dot_product ? (d.integer_dot_accelerated ? "yes (accelerated)" : "yes") : "no",
                d.coopmat_nv ? (std::to_string(d.coopmat_m) + "x" + std::to_string(d.coopmat_n) + "x" +
                                std::to_string(d.coopmat_k) + " f16->f32").c_str()
                             : "no");
  }
  vk::ContextOptions options;
  options.device = selector;
  options.validation = vk::Validation::Off;
  vk::Context ctx(options);
  std::printf("chosen: [%u] %s (per-buffer limit %s)\n", ctx.info().index, ctx.info().name.c_str(),
              vk::format_bytes(ctx.max_buffer_bytes()).c_str());
  return 0;
}

}  // namespace

MRROPE_CLI_COMMAND(devices, "devices", "list Vulkan devices and the one chosen", devices_help, run_devices);

}  // namespace mrrope::cli
