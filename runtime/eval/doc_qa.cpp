// Extractive document QA: facts about several invented people inside real
// text; the question names one of them, and the answer is the span of the
// document that completes that person's fact. The other people's facts of the
// same kind are the distractors, so matching the name is the whole task.
#include <stdexcept>

#include "eval/prompt_building.h"
#include "eval/ruler_tasks.h"

namespace mrrope {
namespace {

struct Relation {
  const char* fact;      // {P}: the person, {V}: the value
  const char* question;  // asked about {P}
  const char* answer;    // the answer's prefix; the model completes it with {V}
  std::vector<std::string> values;
};

const std::vector<Relation>& relations() {
  static const std::vector<Relation> r = {
      {"{P} lives in the town of {V}.", "In which town does {P} live?", "{P} lives in the town of",
       {"Harwick", "Elmsford", "Port Avery", "Caldmoor", "Brindle Cross", "Ostwick", "Marrow Bay", "Fennick",
        "Lowther Green", "Quillon", "Ashby Vale", "Dunmore"}},
      {"The profession of {P} is {V}.", "What is the profession of {P}?", "The profession of {P} is",
       {"baker", "carpenter", "glassblower", "ferryman", "cartographer", "beekeeper", "clockmaker", "weaver",
        "lamplighter", "stonemason", "bookbinder", "shepherd"}},
      {"The favourite colour of {P} is {V}.", "What is the favourite colour of {P}?", "The favourite colour of {P} is",
       {"crimson", "olive green", "amber", "slate grey", "violet", "teal", "ochre", "ivory", "cobalt blue",
        "scarlet", "lavender", "bronze"}},
  };
  return r;
}

const std::vector<std::string>& first_names() {
  static const std::vector<std::string> v = {"Mira", "Tobias", "Elena", "Rufus", "Ingrid", "Caspar", "Delia", "Hugo",
                                             "Nadia", "Osric", "Petra", "Silas", "Wilma", "Jasper", "Livia", "Edmund"};
  return v;
}
const std::vector<std::string>& last_names() {
  static const std::vector<std::string> v = {"Castell", "Thorne", "Vance", "Halloway", "Brook", "Merrow",
                                             "Ashdown", "Kestrel", "Pryce", "Fenwick", "Lorne", "Quade"};
  return v;
}

std::string fill(const char* text, const std::string& person, const std::string& value = "") {
  return prompt::replace_all(prompt::replace_all(text, "{P}", person), "{V}", value);
}

}  // namespace

RetrievalPrompt make_doc_qa_prompt(const tok::Tokenizer& tokenizer, const std::string& haystack, int target_tokens,
                                   double depth, std::mt19937_64& rng, const RulerShape& shape) {
  const Relation& rel = relations()[rng() % relations().size()];
  const size_t people = static_cast<size_t>(shape.qa_distractors) + 1;
  if (shape.qa_distractors < 0 || people > rel.values.size() || people > first_names().size())
    throw std::invalid_argument("doc-qa distractors must be within 0.." + std::to_string(rel.values.size() - 1));
  // Distinct first and last names, so no two people share a part of the name asked.
  const auto firsts = prompt::pick_distinct(first_names(), people, rng);
  const auto lasts = prompt::pick_distinct(last_names(), people, rng);
  const auto values = prompt::pick_distinct(rel.values, people, rng);
  std::vector<std::pair<double, std::string>> items;
  for (size_t i = 0; i < people; ++i)
    items.push_back({i == 0 ? depth : prompt::uniform01(rng), fill(rel.fact, firsts[i] + " " + lasts[i], values[i])});
  const std::string person = firsts[0] + " " + lasts[0];
  const std::string question = "\nQuestion: " + fill(rel.question, person) + "\nAnswer: " + fill(rel.answer, person);
  const prompt::HaystackPrompt h =
      prompt::fit_haystack_prompt(tokenizer, haystack, target_tokens, items, "", question, "doc-qa");
  RetrievalPrompt p;
  p.tokens = h.tokens;
  p.depth = h.depths.front();
  p.answer = values[0];
  p.answers = {values[0]};
  return p;
}

}  // namespace mrrope
