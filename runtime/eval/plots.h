#pragma once
// The evaluation's pictures: perplexity against context length (one line per
// method, log2 length axis) and the NIAH-style heatmaps (depth down, length
// across, colour = recall from red through yellow to green), one panel per method.
#include <string>
#include <vector>

#include "eval/sweep.h"

namespace mrrope {

void plot_perplexity(const std::vector<PerplexityRow>& rows, const std::string& path, const std::string& title);
void plot_retrieval_heatmaps(const std::vector<RetrievalRow>& rows, const std::string& path, const std::string& title);

}  // namespace mrrope
