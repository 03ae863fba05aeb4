#pragma once
// The default evaluation text when the user gives none, for the CLI
// (`mrrope-cli eval`) and the app's Evaluation tab: the bundled sample
// documents (assets/samples/*.txt next to the default model, in name order),
// then the public-domain documents of the training corpus's held-out part
// (assets/heldout/*.txt, documents separated by form feeds; written by
// tools/eval/heldout_texts.py). About 120K tokens of the bundled model's
// tokenizer: the perplexity text, the haystack of the retrieval tasks (made
// longer still by eval/haystack.h when a length needs it) and the word source
// of common-words.
#include <string>
#include <vector>

namespace mrrope {

// The documents, in that order. Throws std::runtime_error when the samples
// folder is missing or empty (the held-out folder is optional).
std::vector<std::string> bundled_eval_documents();
// The documents joined by kDocumentSeparator (eval/haystack.h).
std::string bundled_eval_text();

}  // namespace mrrope
