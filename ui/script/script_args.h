#pragma once
// The script's arguments that carry several values, parsed apart from the App
// so they are tested without one (tests/app/test_script.cpp): the methods of
// `compare` / `compare-conversation` and the settings of `eval`.
#include <string>
#include <vector>

#include "rope/rope_methods.h"
#include "ui/panels/eval_tab.h"

namespace mrrope::ui {

// "M1 M2 [M3 M4]": 2 to 4 registry names. With `then_question`, the word
// `then-question` among them sets it. Returns why not (empty: parsed).
std::string parse_compare_methods(const std::string& arg, std::vector<RopeMethod>* methods, bool* then_question);
// `TASK [methods=M1,M2] [lengths=256,1K] [depths=0,50] [trials=N] [seed=N]`
// into the Evaluation tab's inputs (the ones the user edits; "needle" is niah,
// "perplexity" ppl). Returns why not (empty: set); a bad number throws
// std::invalid_argument naming its key.
std::string apply_eval_args(const std::string& arg, EvalInputs& view);

}  // namespace mrrope::ui
