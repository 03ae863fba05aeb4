#include "vulkan/shader_registry.h"

#include <stdexcept>
#include <string>

namespace mrrope::vk {

const EmbeddedShader& find_shader(std::string_view name) {
  for (const EmbeddedShader& s : embedded_shaders())
    if (name == s.name) return s;
  throw std::out_of_range("no embedded shader named '" + std::string(name) + "'");
}

}  // namespace mrrope::vk
