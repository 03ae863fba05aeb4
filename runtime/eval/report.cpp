#include "eval/report.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

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
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
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

}  // namespace

void write_retrieval_csv(const std::string& path, const std::vector<RetrievalRow>& rows, const RunInfo& info) {
  auto out = open_out(path);
  out << "model,device,task,method,scale,attn_factor,d_low,d_high,length,prompt_tokens,depth,actual_depth,trial,"
         "expected,generated,correct,seconds\n";
  for (const auto& r : rows)
    out << csv_field(info.model) << "," << csv_field(info.device) << "," << r.task << "," << r.rope.method << ","
        << num(r.rope.scale) << "," << num(r.rope.attn_factor) << "," << r.rope.d_low << "," << r.rope.d_high << ","
        << r.length << "," << r.prompt_tokens << "," << num(r.depth) << "," << num(r.actual_depth) << "," << r.trial
        << "," << r.expected << "," << csv_field(r.generated) << "," << (r.correct ? 1 : 0) << "," << num(r.seconds)
        << "\n";
}

void write_perplexity_csv(const std::string& path, const std::vector<PerplexityRow>& rows, const RunInfo& info) {
  auto out = open_out(path);
  out << "model,device,method,scale,attn_factor,d_low,d_high,length,windows,perplexity,mean_nll,seconds";
  for (int b = 0; b < 16; ++b) out << ",nll_bucket" << b;
  out << "\n";
  for (const auto& r : rows) {
    out << csv_field(info.model) << "," << csv_field(info.device) << "," << r.rope.method << "," << num(r.rope.scale)
        << "," << num(r.rope.attn_factor) << "," << r.rope.d_low << "," << r.rope.d_high << "," << r.length << ","
        << r.windows << "," << num(r.perplexity) << "," << num(r.mean_nll) << "," << num(r.seconds);
    for (double v : r.nll_by_position) out << "," << num(v);
    out << "\n";
  }
}

void write_results_json(const std::string& path, const std::vector<RetrievalRow>& retrieval,
                        const std::vector<PerplexityRow>& perplexity, const std::vector<EffectiveContext>& effective,
                        const RunInfo& info) {
  auto out = open_out(path);
  auto rope = [](const RopeInfo& r) {
    return "\"method\": " + json_string(r.method) + ", \"scale\": " + num(r.scale) + ", \"attn_factor\": " +
           num(r.attn_factor) + ", \"d_low\": " + std::to_string(r.d_low) + ", \"d_high\": " + std::to_string(r.d_high);
  };
  out << "{\n  \"model\": " << json_string(info.model) << ",\n  \"device\": " << json_string(info.device)
      << ",\n  \"command\": " << json_string(info.command) << ",\n  \"seconds\": " << num(info.seconds)
      << ",\n  \"retrieval\": [";
  for (size_t i = 0; i < retrieval.size(); ++i) {
    const auto& r = retrieval[i];
    out << (i ? ",\n" : "\n") << "    {\"task\": " << json_string(r.task) << ", " << rope(r.rope)
        << ", \"length\": " << r.length << ", \"prompt_tokens\": " << r.prompt_tokens << ", \"depth\": " << num(r.depth)
        << ", \"trial\": " << r.trial << ", \"expected\": " << json_string(r.expected)
        << ", \"generated\": " << json_string(r.generated) << ", \"correct\": " << (r.correct ? "true" : "false")
        << ", \"seconds\": " << num(r.seconds) << "}";
  }
  out << "\n  ],\n  \"perplexity\": [";
  for (size_t i = 0; i < perplexity.size(); ++i) {
    const auto& r = perplexity[i];
    out << (i ? ",\n" : "\n") << "    {" << rope(r.rope) << ", \"length\": " << r.length << ", \"windows\": " << r.windows
        << ", \"perplexity\": " << num(r.perplexity) << ", \"mean_nll\": " << num(r.mean_nll) << ", \"nll_by_position\": [";
    for (size_t b = 0; b < r.nll_by_position.size(); ++b) out << (b ? ", " : "") << num(r.nll_by_position[b]);
    out << "], \"seconds\": " << num(r.seconds) << "}";
  }
  out << "\n  ],\n  \"effective_context\": {";
  for (size_t i = 0; i < effective.size(); ++i)
    out << (i ? ", " : "") << json_string(effective[i].method) << ": " << effective[i].length;
  out << "}\n}\n";
}

std::string markdown_summary(const std::vector<EffectiveContext>& effective) {
  std::set<int> lengths;
  bool has_acc = false, has_ppl = false;
  for (const auto& e : effective) {
    for (const auto& [l, a] : e.accuracy) lengths.insert(l), has_acc = true;
    for (const auto& [l, p] : e.perplexity) lengths.insert(l), has_ppl = true;
  }
  std::ostringstream md;
  md << "| method |";
  for (int l : lengths) md << " " << l << " |";
  md << " effective context |\n|---|";
  for (size_t i = 0; i < lengths.size(); ++i) md << "---|";
  md << "---|\n";
  for (const auto& e : effective) {
    md << "| " << e.method << " |";
    for (int l : lengths) {
      std::string cell;
      if (has_acc && e.accuracy.count(l)) cell += std::to_string(static_cast<int>(std::lround(e.accuracy.at(l) * 100))) + "%";
      if (has_ppl && e.perplexity.count(l)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%s%.1f", cell.empty() ? "" : " / ", e.perplexity.at(l));
        cell += buf;
      }
      md << " " << (cell.empty() ? "-" : cell) << " |";
    }
    md << " " << (e.length ? std::to_string(e.length) : std::string("none")) << " |\n";
  }
  return md.str();
}

}  // namespace mrrope
