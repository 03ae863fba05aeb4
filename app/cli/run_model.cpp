#include "run_model.h"

#include <algorithm>
#include <cstdio>

namespace mrrope::cli {

LoadedModel open_model(const ModelOptions& options) {
  LoadedModel m;
  const std::string path = options.model.empty() ? default_model_path() : options.model;
  m.engine = std::make_unique<Engine>(path);
  if (options.chat_template) m.engine->set_chat_template(*options.chat_template);
  vk::ContextOptions co;
  co.device = options.device;
  m.ctx = std::make_unique<vk::Context>(co);
  return m;
}

void prepare_decoder(LoadedModel& m, const ModelOptions& options, int n_needed) {
  DecoderRequest request;
  request.job = DecoderJob::Command;
  request.tokens = n_needed;
  request.n_ctx = options.n_ctx;
  request.max_batch = options.batch;
  request.kv_type = options.kv_type;
  request.window_kv_cache = options.kv_rings;
  const EngineOptions eo = size_decoder(request);  // throws when -c is below n_needed
  const RopeTable& rope = m.engine->set_rope(options.rope, n_needed);
  m.engine->reserve(*m.ctx, eo);
  const ModelConfig& c = m.engine->config();
  std::fprintf(stderr, "model: %s (%s, %d layers, native context %d) on %s\n", m.engine->file().path().c_str(),
               c.arch_name.c_str(), c.n_layer, c.n_ctx_train, m.ctx->info().name.c_str());
  std::fprintf(stderr, "context: %d tokens, KV cache %s in %s; rope: %s\n", eo.n_ctx,
               vk::format_bytes(m.engine->model().memory().kv_cache).c_str(), kv_cache_type_name(eo.kv_type),
               rope.description.c_str());
  if (const std::string note = c.rope_extension_note(); !note.empty()) std::fprintf(stderr, "rope layers: %s\n", note.c_str());
  if (c.has_local_layers()) {
    const GpuModel& model = m.engine->model();
    int rows = model.n_ctx();
    for (int l = 0; l < c.n_layer; ++l)
      if (c.is_local(l)) rows = std::min(rows, model.kv_rows(l));
    if (model.has_kv_rings())
      std::fprintf(stderr, "sliding-window layers: K/V in rings of %d rows (--no-kv-rings: full length)\n", rows);
    else std::fprintf(stderr, "sliding-window layers: full-length K/V\n");
  }
}

}  // namespace mrrope::cli
