#pragma once
// SPIR-V compiled from shaders/*.comp at build time (see shaders/CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace mrrope::vk {

struct EmbeddedShader {
  const char* name;
  const uint32_t* words;
  size_t word_count;
};

std::span<const EmbeddedShader> embedded_shaders();

// Throws std::out_of_range naming the shader when it is not embedded.
const EmbeddedShader& find_shader(std::string_view name);

}  // namespace mrrope::vk
