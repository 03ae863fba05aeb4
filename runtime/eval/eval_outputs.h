#pragma once
// The files of an evaluation, written the same way by `mrrope-cli eval` and
// the app's Export: results.csv and results.json (with the effective context
// per method, by info's threshold and margin) and a picture per part: ppl.png
// (perplexity against length) or TASK.png (the heatmap per method of one
// retrieval task). The callers only choose the folder and when to write.
#include <string>
#include <vector>

#include "eval/effective_context.h"
#include "eval/report.h"
#include "eval/sweep.h"

namespace mrrope {

// `dir`/`file` as the writers name it (also in the app's list of written files).
std::string eval_output_path(const std::string& dir, const std::string& file);

// results.csv and results.json in `dir` (which must exist); appends their
// paths to `written` when given. Returns the effective context it wrote.
std::vector<EffectiveContext> write_eval_results(const std::string& dir, const std::vector<RetrievalRow>& retrieval,
                                                 const std::vector<PerplexityRow>& perplexity, const RunInfo& info,
                                                 std::vector<std::string>* written = nullptr);

// The picture of one part: `part` "ppl" draws `perplexity` into ppl.png,
// a task name of eval/eval_tasks.h draws `retrieval` (that task's rows) into
// TASK.png. Titled with the part and the model's file name (info.model).
// Returns the path written.
std::string write_eval_plot(const std::string& dir, const std::string& part, const std::vector<RetrievalRow>& retrieval,
                            const std::vector<PerplexityRow>& perplexity, const RunInfo& info);

}  // namespace mrrope
