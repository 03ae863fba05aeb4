#pragma once
// The default evaluation text when the user gives none: the bundled sample
// documents (assets/samples/*.txt next to the default model), concatenated in
// name order. The perplexity text and the haystack (and common-words' word
// source) of the retrieval tasks, of both the
// CLI (`mrrope-cli eval`) and the app's Evaluation tab.
#include <string>

namespace mrrope {

// Throws std::runtime_error when the samples folder is missing or empty.
std::string bundled_sample_text();

}  // namespace mrrope
