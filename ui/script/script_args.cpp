#include "ui/script/script_args.h"

#include <exception>
#include <sstream>

#include "eval/eval_tasks.h"
#include "options/option_table.h"

namespace mrrope::ui {

std::string parse_compare_methods(const std::string& arg, std::vector<RopeMethod>* methods, bool* then_question) {
  std::istringstream names(arg);
  std::string name;
  try {
    while (names >> name) {
      if (then_question && name == "then-question") *then_question = true;
      else methods->push_back(parse_rope_method(name));
    }
  } catch (const std::exception& e) {
    return e.what();
  }
  if (methods->size() < 2 || methods->size() > 4) return "takes 2 to 4 methods";
  return "";
}

std::string apply_eval_args(const std::string& arg, EvalInputs& v) {
  std::istringstream words(arg);
  std::string task, word;
  words >> task;
  if (task == "needle") task = "niah";
  if (task == "perplexity") task = "ppl";
  bool known = task == "ppl";
  for (const auto& t : eval_tasks()) known |= t.name == task;
  if (!known) return "eval takes a task first: ppl or " + eval_task_names() + " (got '" + task + "')";
  v.task = task;
  while (words >> word) {
    const size_t eq = word.find('=');
    if (eq == std::string::npos) return "expected key=value, got '" + word + "'";
    const std::string key = word.substr(0, eq), value = word.substr(eq + 1);
    if (key == "methods") {
      v.methods.clear();
      std::istringstream names(value);
      std::string name;
      while (std::getline(names, name, ',')) {
        RopeMethod m;
        try {
          m = parse_rope_method(name);
        } catch (const std::exception& e) {
          return e.what();
        }
        v.methods.set(m, true);
      }
    } else if (key == "lengths") {
      v.lengths = value;
      v.lengths_auto = false;
    } else if (key == "depths") {
      v.depths = value;
    } else if (key == "trials" || key == "seed") {
      (key == "trials" ? v.trials : v.seed) = parse_int(key, value);  // throws naming the key
    } else {
      return "unknown eval setting '" + key + "' (methods, lengths, depths, trials, seed)";
    }
  }
  return "";
}

}  // namespace mrrope::ui
