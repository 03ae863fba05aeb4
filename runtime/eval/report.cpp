#include "eval/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "eval/eval_tasks.h"
#include "eval/paired_comparison.h"

namespace mrrope {
namespace {

std::ofstream open_out(const std::string& path) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write '" + path + "'");
  return out;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\', out += c;
    else if (c == '\n') out += "\\n";
    else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else out += c;
  }
  return out + "\"";
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string num(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string rope_csv(const RopeInfo& r) {
  return std::string(rope_method_name(r.method)) + "," + num(r.scale) + "," + num(r.attn_factor) + "," + std::to_string(r.d_low) + "," +
         std::to_string(r.d_high);
}

std::string rope_json(const RopeInfo& r) {
  return "\"method\": " + json_string(std::string(rope_method_name(r.method))) + ", \"scale\": " + num(r.scale) + ", \"attn_factor\": " +
         num(r.attn_factor) + ", \"d_low\": " + std::to_string(r.d_low) + ", \"d_high\": " + std::to_string(r.d_high);
}

std::string length_label(int l) { return l >= 1024 && l % 1024 == 0 ? std::to_string(l / 1024) + "K" : std::to_string(l); }

// One markdown table: methods (in first-seen order) x lengths, cells from `cell`.
template <class Rows, class Cell>
std::string table(const Rows& rows, Cell cell) {
  std::vector<RopeMethod> methods;
  std::set<int> lengths;
  for (const auto& r : rows) {
    if (std::find(methods.begin(), methods.end(), r.rope.method) == methods.end()) methods.push_back(r.rope.method);
    lengths.insert(r.length);
  }
  std::ostringstream md;
  md << "| method |";
  for (int l : lengths) md << " " << length_label(l) << " |";
  md << "\n|---|";
  for (size_t i = 0; i < lengths.size(); ++i) md << "---|";
  md << "\n";
  for (const auto& m : methods) {
    md << "| " << rope_method_name(m) << " |";
    for (int l : lengths) md << " " << cell(m, l) << " |";
    md << "\n";
  }
  return md.str();
}

const char* score_label(AnswerScoring scoring) {
  switch (scoring) {
    case AnswerScoring::ExactDigits: return "accuracy (exact digits)";
    case AnswerScoring::AllValuesRecall: return "score (recall of the expected values)";
    case AnswerScoring::ExactSpan: return "exact match (normalized span)";
  }
  return "score";
}

}  // namespace

void write_results_csv(const std::string& path, const std::vector<RetrievalRow>& retrieval,
                       const std::vector<PerplexityRow>& perplexity, const RunInfo& info) {
  auto out = open_out(path);
  out << "kind,model,device,method,scale,attn_factor,d_low,d_high,length,prompt_tokens,cached_tokens,depth,"
         "actual_depth,trial,sweep_seed,seed,expected,generated,correct,windows,perplexity,mean_nll";
  for (int b = 0; b < kLossBuckets; ++b) out << ",nll_bucket" << b;
  out << ",score,seconds\n";
  const std::string head = csv_field(info.model) + "," + csv_field(info.device) + ",";
  const std::string no_ppl = ",,,," + std::string(kLossBuckets, ',');  // windows, perplexity, mean_nll, buckets
  for (const auto& r : retrieval)
    out << r.task << "," << head << rope_csv(r.rope) << "," << r.length << "," << r.prompt_tokens << ","
        << r.cached_tokens << "," << num(r.depth) << "," << num(r.actual_depth) << "," << r.trial << ","
        << r.sweep_seed << "," << r.seed
        << "," << csv_field(r.expected) << "," << csv_field(r.generated) << "," << (r.correct ? 1 : 0) << no_ppl
        << num(r.score) << "," << num(r.seconds) << "\n";
  for (const auto& r : perplexity) {
    out << "ppl," << head << rope_csv(r.rope) << "," << r.length << ",,,,,,,,,,," << r.windows << ","
        << num(r.perplexity) << "," << num(r.mean_nll);
    for (int b = 0; b < kLossBuckets; ++b)
      out << "," << (b < static_cast<int>(r.nll_by_position.size()) ? num(r.nll_by_position[b]) : "");
    out << ",," << num(r.seconds) << "\n";
  }
}

void write_results_json(const std::string& path, const std::vector<RetrievalRow>& retrieval,
                        const std::vector<PerplexityRow>& perplexity, const std::vector<EffectiveContext>& effective,
                        const RunInfo& info) {
  auto out = open_out(path);
  out << "{\n  \"model\": " << json_string(info.model) << ",\n  \"device\": " << json_string(info.device)
      << ",\n  \"command\": " << json_string(info.command) << ",\n  \"seconds\": " << num(info.seconds)
      << ",\n  \"seed\": " << info.seed << ",\n  \"seeds\": " << info.seeds
      << ",\n  \"native_length\": " << info.native_length
      << ",\n  \"threshold\": " << num(info.threshold) << ",\n  \"margin\": " << num(info.margin)
      << ",\n  \"retrieval\": [";
  for (size_t i = 0; i < retrieval.size(); ++i) {
    const auto& r = retrieval[i];
    out << (i ? ",\n" : "\n") << "    {\"task\": " << json_string(r.task) << ", " << rope_json(r.rope)
        << ", \"length\": " << r.length << ", \"prompt_tokens\": " << r.prompt_tokens
        << ", \"cached_tokens\": " << r.cached_tokens << ", \"depth\": " << num(r.depth)
        << ", \"actual_depth\": " << num(r.actual_depth) << ", \"trial\": " << r.trial
        << ", \"sweep_seed\": " << r.sweep_seed << ", \"seed\": " << r.seed
        << ", \"expected\": " << json_string(r.expected) << ", \"generated\": " << json_string(r.generated)
        << ", \"correct\": " << (r.correct ? "true" : "false") << ", \"score\": " << num(r.score)
        << ", \"seconds\": " << num(r.seconds) << "}";
  }
  out << "\n  ],\n  \"perplexity\": [";
  for (size_t i = 0; i < perplexity.size(); ++i) {
    const auto& r = perplexity[i];
    out << (i ? ",\n" : "\n") << "    {" << rope_json(r.rope) << ", \"length\": " << r.length
        << ", \"windows\": " << r.windows << ", \"perplexity\": " << num(r.perplexity)
        << ", \"mean_nll\": " << num(r.mean_nll) << ", \"nll_by_position\": [";
    for (size_t b = 0; b < r.nll_by_position.size(); ++b) out << (b ? ", " : "") << num(r.nll_by_position[b]);
    out << "], \"seconds\": " << num(r.seconds) << "}";
  }
  out << "\n  ],\n  \"effective_context\": {";
  for (size_t i = 0; i < effective.size(); ++i)
    out << (i ? ", " : "") << json_string(std::string(rope_method_name(effective[i].method))) << ": " << effective[i].length;
  out << "},\n  \"effective_context_by_task\": {";
  for (size_t i = 0; i < effective.size(); ++i) {
    out << (i ? ", " : "") << json_string(std::string(rope_method_name(effective[i].method))) << ": {";
    size_t k = 0;
    for (const auto& [task, length] : effective[i].length_by_task) out << (k++ ? ", " : "") << json_string(task) << ": " << length;
    out << "}";
  }
  out << "},\n  \"paired_comparison\": {\"a\": " << json_string(std::string(rope_method_name(info.compare_a)))
      << ", \"b\": " << json_string(std::string(rope_method_name(info.compare_b))) << ", \"by_length\": [";
  const auto paired = paired_comparison(retrieval, info.compare_a, info.compare_b);
  for (size_t i = 0; i < paired.size(); ++i) {
    const auto& c = paired[i];
    out << (i ? ", " : "") << "{\"length\": " << (c.length ? std::to_string(c.length) : "\"all\"")
        << ", \"pairs\": " << c.pairs << ", \"mean_a\": " << num(c.mean_a) << ", \"mean_b\": " << num(c.mean_b)
        << ", \"a_better\": " << c.a_better << ", \"b_better\": " << c.b_better << ", \"p_value\": " << num(c.p_value)
        << "}";
  }
  out << "]}\n}\n";
}

std::string markdown_report(const std::vector<RetrievalRow>& retrieval, const std::vector<PerplexityRow>& perplexity,
                            const std::vector<EffectiveContext>& effective, const RunInfo& info) {
  std::ostringstream md;
  std::set<uint64_t> seeds;
  for (const auto& r : retrieval) seeds.insert(r.sweep_seed);
  const std::string pooled = seeds.size() > 1 ? ", " + std::to_string(seeds.size()) + " seeds pooled" : std::string();
  for (const EvalTaskInfo& task : eval_tasks()) {
    std::vector<RetrievalRow> rows;
    for (const auto& r : retrieval)
      if (r.task == task.name) rows.push_back(r);
    if (rows.empty()) continue;
    md << task.title << " " << score_label(task.scoring) << ", greedy" << pooled << ":\n\n";
    md << table(rows, [&](RopeMethod m, int l) {
      double hit = 0;
      int n = 0;
      for (const auto& r : rows)
        if (r.rope.method == m && r.length == l) hit += r.score, ++n;
      return n ? std::to_string(static_cast<int>(std::lround(100.0 * hit / n))) + "%" : std::string("-");
    }) << "\n";
  }
  if (const auto paired = paired_comparison(retrieval, info.compare_a, info.compare_b); !paired.empty()) {
    const std::string a(rope_method_name(info.compare_a)), b(rope_method_name(info.compare_b));
    md << "Paired comparison, " << a << " vs " << b << " (the same prompts; every retrieval task" << pooled
       << "; p: exact two-sided sign test on the pairs that differ, McNemar's exact test for 0/1 scores):\n\n"
       << "| length | pairs | " << a << " | " << b << " | " << a << " better | " << b << " better | p |\n"
       << "|---|---|---|---|---|---|---|\n";
    auto pct = [](double v) { return std::to_string(static_cast<int>(std::lround(100 * v))) + "%"; };
    for (const auto& c : paired) {
      char p[32];
      std::snprintf(p, sizeof p, c.p_value < 0.001 ? "%.1e" : "%.3f", c.p_value);
      md << "| " << (c.length ? length_label(c.length) : "all") << " | " << c.pairs << " | " << pct(c.mean_a) << " | "
         << pct(c.mean_b) << " | " << c.a_better << " | " << c.b_better << " | " << p << " |\n";
    }
    md << "\n";
  }
  if (!perplexity.empty()) {
    md << "Perplexity:\n\n";
    md << table(perplexity, [&](RopeMethod m, int l) {
      for (const auto& r : perplexity)
        if (r.rope.method == m && r.length == l) return num(std::round(r.perplexity * 10) / 10);
      return std::string("-");
    }) << "\n";
  }
  // effective_context() falls back to the shortest length when the native one was not tested.
  bool native_tested = false;
  for (const auto& r : perplexity) native_tested |= r.length == info.native_length;
  const std::string reference =
      native_tested || perplexity.empty() ? "the " + std::to_string(info.native_length) + " value"
                                          : "the shortest length's value (" + std::to_string(info.native_length) +
                                                " not tested)";
  char rule[200];
  std::snprintf(rule, sizeof rule, "mean retrieval score >= %.0f%%, perplexity <= +%.0f%% of %s", info.threshold * 100,
                info.margin * 100, reference.c_str());
  // Per task only when several ran: with one, it is the column above.
  std::vector<std::string> tasks;
  for (const auto& e : effective)
    for (const auto& [task, length] : e.length_by_task)
      if (std::find(tasks.begin(), tasks.end(), task) == tasks.end()) tasks.push_back(task);
  if (tasks.size() < 2) tasks.clear();
  auto table_order = [](const std::string& t) {
    const auto& all = eval_tasks();
    return std::find_if(all.begin(), all.end(), [&](const EvalTaskInfo& i) { return i.name == t; }) - all.begin();
  };
  std::sort(tasks.begin(), tasks.end(), [&](const auto& a, const auto& b) { return table_order(a) < table_order(b); });
  md << "Effective context (" << rule << "):\n\n| method | effective context |";
  for (const auto& t : tasks) md << " " << t << " |";
  md << "\n|---|---|";
  for (size_t i = 0; i < tasks.size(); ++i) md << "---|";
  md << "\n";
  auto label = [](int l) { return l ? std::to_string(l) : std::string("none"); };
  for (const auto& e : effective) {
    md << "| " << rope_method_name(e.method) << " | " << label(e.length) << " |";
    for (const auto& t : tasks) md << " " << (e.length_by_task.count(t) ? label(e.length_by_task.at(t)) : "-") << " |";
    md << "\n";
  }
  return md.str();
}

}  // namespace mrrope
