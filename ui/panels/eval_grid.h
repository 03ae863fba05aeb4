#pragma once
// The Evaluation tab's live pictures, drawn with ImGui draw lists from the
// rows finished so far: one recall heatmap per method (depth rows x length
// columns, red -> yellow -> green, grey where nothing ran yet, hover for
// correct/trials), or perplexity against length, one line per method.
#include <imgui.h>

#include "ui/session/app_session.h"

namespace mrrope::ui {

// Both return the screen rectangle they covered (the script's window dump
// records it so a test can look at those pixels) and count the cells/points
// that hold data in `filled`.
ImVec4 draw_retrieval_grid(const EvalState& state, int* filled);
ImVec4 draw_perplexity_lines(const EvalState& state, int* filled);

}  // namespace mrrope::ui
