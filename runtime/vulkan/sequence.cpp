#include "vulkan/sequence.h"

#include "vulkan/context.h"

namespace mrrope::vk {
namespace {

constexpr uint32_t kSetsPerPool = 256;
constexpr uint32_t kBuffersPerPool = kSetsPerPool * 8;

constexpr VkPipelineStageFlags kWorkStages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
constexpr VkAccessFlags kWriteAccess = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
constexpr VkAccessFlags kAnyAccess =
    VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;

}  // namespace

Sequence::Sequence(Context& ctx, const SequenceOptions& options) : ctx_(ctx), options_(options) {
  VkCommandPoolCreateInfo pci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pci.queueFamilyIndex = ctx.queue_family();
  check(vkCreateCommandPool(ctx.device(), &pci, nullptr, &pool_), "vkCreateCommandPool");
  VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  ai.commandPool = pool_;
  ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  ai.commandBufferCount = 1;
  check(vkAllocateCommandBuffers(ctx.device(), &ai, &cb_), "vkAllocateCommandBuffers");
  VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  check(vkCreateFence(ctx.device(), &fci, nullptr, &fence_), "vkCreateFence");
  if (options_.timestamps) {
    if (ctx.info().timestamp_period_ns <= 0) throw VulkanError("this device's compute queue has no timestamps");
    VkQueryPoolCreateInfo qci{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
    qci.queryType = VK_QUERY_TYPE_TIMESTAMP;
    qci.queryCount = options_.max_timestamps;
    check(vkCreateQueryPool(ctx.device(), &qci, nullptr, &queries_), "vkCreateQueryPool");
  }
}

Sequence::~Sequence() {
  VkDevice dev = ctx_.device();
  if (submitted_) vkWaitForFences(dev, 1, &fence_, VK_TRUE, UINT64_MAX);
  for (VkDescriptorPool p : descriptor_pools_) vkDestroyDescriptorPool(dev, p, nullptr);
  if (queries_) vkDestroyQueryPool(dev, queries_, nullptr);
  vkDestroyFence(dev, fence_, nullptr);
  vkDestroyCommandPool(dev, pool_, nullptr);
}

void Sequence::begin() {
  if (submitted_) wait();
  // Pools are kept and reset, so re-recording (every decoded token) allocates nothing.
  for (VkDescriptorPool p : descriptor_pools_) vkResetDescriptorPool(ctx_.device(), p, 0);
  pools_used_ = 0;
  sets_in_last_pool_ = kSetsPerPool;
  written_since_barrier_.clear();
  read_since_barrier_.clear();
  timestamp_labels_.clear();
  dispatches_ = 0;
  check(vkResetCommandBuffer(cb_, 0), "vkResetCommandBuffer");
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  check(vkBeginCommandBuffer(cb_, &bi), "vkBeginCommandBuffer");
  recording_ = true;
  if (queries_) {
    vkCmdResetQueryPool(cb_, queries_, 0, options_.max_timestamps);
    write_timestamp("start");
  }
}

VkDescriptorSet Sequence::allocate_set(VkDescriptorSetLayout layout) {
  if (sets_in_last_pool_ == kSetsPerPool) {
    if (pools_used_ == descriptor_pools_.size()) {
      VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kBuffersPerPool};
      VkDescriptorPoolCreateInfo pci{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
      pci.maxSets = kSetsPerPool;
      pci.poolSizeCount = 1;
      pci.pPoolSizes = &size;
      VkDescriptorPool pool;
      check(vkCreateDescriptorPool(ctx_.device(), &pci, nullptr, &pool), "vkCreateDescriptorPool");
      descriptor_pools_.push_back(pool);
    }
    ++pools_used_;
    sets_in_last_pool_ = 0;
  }
  VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  ai.descriptorPool = descriptor_pools_[pools_used_ - 1];
  ai.descriptorSetCount = 1;
  ai.pSetLayouts = &layout;
  VkDescriptorSet set;
  check(vkAllocateDescriptorSets(ctx_.device(), &ai, &set), "vkAllocateDescriptorSets");
  ++sets_in_last_pool_;
  return set;
}

void Sequence::barrier() {
  VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, kWriteAccess, kAnyAccess};
  vkCmdPipelineBarrier(cb_, kWorkStages, kWorkStages, 0, 1, &mb, 0, nullptr, 0, nullptr);
  written_since_barrier_.clear();
  read_since_barrier_.clear();
}

void Sequence::hazard_check(const Kernel& kernel, std::span<const BufferRef> bindings) {
  bool hazard = false;
  size_t i = 0;
  for (const BufferRef& b : bindings) {
    const Access a = kernel.desc().bindings[i++];
    const VkBuffer h = b.buffer->handle();
    if (written_since_barrier_.count(h)) hazard = true;                                  // RAW, WAW
    if (a != Access::Read && read_since_barrier_.count(h)) hazard = true;                // WAR
  }
  if (hazard) barrier();
  i = 0;
  for (const BufferRef& b : bindings) {
    const Access a = kernel.desc().bindings[i++];
    if (a != Access::Write) read_since_barrier_.insert(b.buffer->handle());
    if (a != Access::Read) written_since_barrier_.insert(b.buffer->handle());
  }
}

void Sequence::hazard_check_transfer(VkBuffer src, VkBuffer dst) {
  if (written_since_barrier_.count(src) || written_since_barrier_.count(dst) || read_since_barrier_.count(dst))
    barrier();
  if (src) read_since_barrier_.insert(src);
  written_since_barrier_.insert(dst);
}

void Sequence::dispatch(Kernel& kernel, std::span<const BufferRef> bindings, const void* push,
                        uint32_t push_bytes, uint32_t gx, uint32_t gy, uint32_t gz, const char* label) {
  if (!recording_) throw VulkanError("Sequence::dispatch outside begin()/end()");
  const KernelDesc& desc = kernel.desc();
  if (bindings.size() != desc.bindings.size())
    throw VulkanError("kernel " + desc.shader + " takes " + std::to_string(desc.bindings.size()) + " buffers, got " +
                      std::to_string(bindings.size()));
  if (push_bytes != desc.push_constant_bytes)
    throw VulkanError("kernel " + desc.shader + " push constants: expected " + std::to_string(desc.push_constant_bytes) +
                      " bytes, got " + std::to_string(push_bytes));
  const DeviceInfo& info = ctx_.info();
  if (gx == 0 || gy == 0 || gz == 0) return;  // nothing to do
  if (gx > info.max_workgroup_count[0] || gy > info.max_workgroup_count[1] || gz > info.max_workgroup_count[2])
    throw VulkanError("kernel " + desc.shader + ": dispatch of " + std::to_string(gx) + "x" + std::to_string(gy) + "x" +
                      std::to_string(gz) + " workgroups exceeds the device limit");
  hazard_check(kernel, bindings);

  const VkDescriptorSet set = allocate_set(kernel.set_layout());
  std::vector<VkDescriptorBufferInfo> infos;
  infos.reserve(bindings.size());
  for (const BufferRef& b : bindings) {
    if (!b.buffer || !b.buffer->valid()) throw VulkanError("kernel " + desc.shader + ": unbound buffer");
    infos.push_back({b.buffer->handle(), b.offset, b.size});
  }
  std::vector<VkWriteDescriptorSet> writes(infos.size());
  for (uint32_t i = 0; i < writes.size(); ++i) {
    writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[i].dstSet = set;
    writes[i].dstBinding = i;
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &infos[i];
  }
  vkUpdateDescriptorSets(ctx_.device(), static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);

  vkCmdBindPipeline(cb_, VK_PIPELINE_BIND_POINT_COMPUTE, kernel.pipeline());
  vkCmdBindDescriptorSets(cb_, VK_PIPELINE_BIND_POINT_COMPUTE, kernel.layout(), 0, 1, &set, 0, nullptr);
  if (push_bytes) vkCmdPushConstants(cb_, kernel.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes, push);
  vkCmdDispatch(cb_, gx, gy, gz);
  ++dispatches_;
  if (queries_) write_timestamp(label ? label : desc.shader.c_str());
}

void Sequence::copy(const Buffer& src, uint64_t src_offset, const Buffer& dst, uint64_t dst_offset, uint64_t bytes) {
  if (src_offset + bytes > src.size() || dst_offset + bytes > dst.size())
    throw VulkanError("Sequence::copy out of range");
  hazard_check_transfer(src.handle(), dst.handle());
  VkBufferCopy region{src_offset, dst_offset, bytes};
  vkCmdCopyBuffer(cb_, src.handle(), dst.handle(), 1, &region);
  if (queries_) write_timestamp("copy");  // timed like a dispatch (bench-kernels' copy roofline)
}

void Sequence::fill(const Buffer& dst, uint64_t offset, uint64_t bytes, uint32_t value) {
  hazard_check_transfer(VK_NULL_HANDLE, dst.handle());
  vkCmdFillBuffer(cb_, dst.handle(), offset, bytes, value);
}

void Sequence::write_timestamp(const char* label) {
  if (timestamp_labels_.size() >= options_.max_timestamps) return;  // timings beyond the pool are dropped
  vkCmdWriteTimestamp(cb_, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries_,
                      static_cast<uint32_t>(timestamp_labels_.size()));
  timestamp_labels_.emplace_back(label);
}

void Sequence::end() {
  // Results become visible to the host (mapped buffers) after the fence.
  VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER, nullptr, kWriteAccess, VK_ACCESS_HOST_READ_BIT};
  vkCmdPipelineBarrier(cb_, kWorkStages, VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &mb, 0, nullptr, 0, nullptr);
  check(vkEndCommandBuffer(cb_), "vkEndCommandBuffer");
  recording_ = false;
}

void Sequence::submit() {
  if (recording_) throw VulkanError("Sequence::submit before end()");
  if (submitted_) wait();
  check(vkResetFences(ctx_.device(), 1, &fence_), "vkResetFences");
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cb_;
  ctx_.submit(si, fence_);
  submitted_ = true;
}

bool Sequence::done() const {
  if (!submitted_) return true;
  const VkResult r = vkGetFenceStatus(ctx_.device(), fence_);
  if (r == VK_ERROR_DEVICE_LOST) throw VulkanError("Vulkan device lost while running a sequence", r);
  return r == VK_SUCCESS;
}

void Sequence::wait() {
  if (!submitted_) return;
  const VkResult r = vkWaitForFences(ctx_.device(), 1, &fence_, VK_TRUE, UINT64_MAX);
  submitted_ = false;
  check(r, "vkWaitForFences");
}

void Sequence::run() {
  submit();
  wait();
}

std::vector<DispatchTiming> Sequence::timings() const {
  std::vector<DispatchTiming> out;
  if (!queries_ || timestamp_labels_.size() < 2) return out;
  std::vector<uint64_t> ticks(timestamp_labels_.size());
  check(vkGetQueryPoolResults(ctx_.device(), queries_, 0, static_cast<uint32_t>(ticks.size()),
                              ticks.size() * sizeof(uint64_t), ticks.data(), sizeof(uint64_t),
                              VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
        "vkGetQueryPoolResults");
  const double ns_per_tick = ctx_.info().timestamp_period_ns;
  for (size_t i = 1; i < ticks.size(); ++i)
    out.push_back({timestamp_labels_[i], static_cast<double>(ticks[i] - ticks[i - 1]) * ns_per_tick / 1000.0});
  return out;
}

}  // namespace mrrope::vk
