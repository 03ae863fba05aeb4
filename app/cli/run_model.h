#pragma once
// Opening the model and the Vulkan device for a command, and the decoder sized
// for what the command needs.
#include <memory>

#include "engine/engine.h"
#include "model_options.h"
#include "vulkan/context.h"

namespace mrrope::cli {

struct LoadedModel {
  std::unique_ptr<vk::Context> ctx;
  std::unique_ptr<Engine> engine;
};

// Opens the model file (the bundled one when -m is absent) and the device.
LoadedModel open_model(const ModelOptions& options);

// Creates the decoder with room for `n_needed` tokens (or -c) and applies the
// RoPE options; prints what was applied to stderr.
void prepare_decoder(LoadedModel& m, const ModelOptions& options, int n_needed);

}  // namespace mrrope::cli
