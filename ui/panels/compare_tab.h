#pragma once
// The Side by side tab's state (compare_tab.cpp draws it, compare_threads.cpp
// runs the threads): 2-4 methods on the question box alone, with loss curves,
// or on the whole conversation, each method in a thread of its own.
#include <cstddef>
#include <string>
#include <vector>

#include "ui/chat/thread_comparison.h"
#include "ui/widgets/method_set.h"

namespace mrrope::ui {

// A column's loss per position over the documents (its method's schedule); empty until scored.
struct LossCurve {
  std::string method;
  std::vector<float> loss;
};

struct CompareTabState {
  MethodSet methods{RopeMethod::Linear, RopeMethod::Yarn, RopeMethod::MrRopePro};
  bool loss_curve = true;
  int source = 1;                 // 0: the question box; 1: the conversation; 2: the conversation, then the question box
  std::string compared_question;  // what the one-question comparison ran with (the box may have changed since)
  ThreadComparison threads;
  size_t first_question = 0;      // the running request's first question, in threads.questions
  bool running = false;           // a thread comparison is running: its answers are copied back each frame
  bool threads_shown = false;     // the tab shows the threads (else the one-question comparison)
  std::string message;
};

}  // namespace mrrope::ui
