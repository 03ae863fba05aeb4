// Conversation files: JSON to save and reopen, Markdown to read.
#include "ui/chat/conversation.h"

#include <cstdio>
#include <stdexcept>

#include "tokenizer/json.h"

namespace mrrope::ui {
namespace {

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') out += '\\', out += ch;
    else if (ch == '\n') out += "\\n";
    else if (ch == '\t') out += "\\t";
    else if (ch == '\r') out += "\\r";
    else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else out += ch;
  }
  return out + "\"";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

const tok::JsonValue& member(const tok::JsonValue& o, std::string_view key) {
  static const tok::JsonValue null;
  const tok::JsonValue* v = o.is_object() ? o.find(key) : nullptr;
  return v ? *v : null;
}
std::string str(const tok::JsonValue& o, std::string_view key, std::string fallback = "") {
  const auto& v = member(o, key);
  return v.is_string() ? v.string : fallback;
}
double num(const tok::JsonValue& o, std::string_view key, double fallback = 0) {
  const auto& v = member(o, key);
  return v.kind == tok::JsonValue::Kind::Number ? v.number : fallback;
}
int integer(const tok::JsonValue& o, std::string_view key, int fallback = 0) {
  return static_cast<int>(num(o, key, fallback));
}
bool boolean(const tok::JsonValue& o, std::string_view key, bool fallback) {
  const auto& v = member(o, key);
  return v.kind == tok::JsonValue::Kind::Bool ? v.boolean : fallback;
}
std::optional<double> optional_num(const tok::JsonValue& o, std::string_view key) {
  const auto& v = member(o, key);
  if (v.kind == tok::JsonValue::Kind::Number) return v.number;
  return std::nullopt;
}

}  // namespace

std::string json_string(std::string_view s) { return quote(s); }

std::string conversation_to_json(const Conversation& c) {
  const ConversationSettings& s = c.settings;
  std::string o = "{\n  \"format\": \"mrrope-conversation\",\n  \"version\": 1,\n";
  o += "  \"created\": " + quote(c.created) + ",\n";
  o += "  \"settings\": {\"model_path\": " + quote(s.model_path) + ", \"model_name\": " + quote(s.model_name) +
       ", \"method\": " + quote(s.method) + ", \"scale\": " + number(s.scale) +
       ", \"resolved_scale\": " + number(s.resolved_scale) + ", \"window\": " + std::to_string(s.window);
  if (s.alpha) o += ", \"alpha\": " + number(*s.alpha);
  if (s.beta) o += ", \"beta\": " + number(*s.beta);
  if (s.attn_factor) o += ", \"attn_factor\": " + number(*s.attn_factor);
  o += ", \"max_new_tokens\": " + std::to_string(s.max_new_tokens) + ", \"temperature\": " + number(s.temperature) +
       ", \"kv_cache\": " + quote(s.kv_cache) + "},\n";
  o += "  \"documents\": [";
  for (size_t i = 0; i < c.documents.size(); ++i) {
    const ConversationDocument& d = c.documents[i];
    o += std::string(i ? ",\n" : "\n") + "    {\"name\": " + quote(d.name) + ", \"path\": " + quote(d.path) +
         ", \"format\": " + quote(d.format) + ", \"bytes\": " + std::to_string(d.bytes) +
         ", \"pages\": " + std::to_string(d.pages) + (d.path.empty() ? ", \"text\": " + quote(d.text) : "") + "}";
  }
  o += c.documents.empty() ? "],\n" : "\n  ],\n";
  o += "  \"turns\": [";
  for (size_t i = 0; i < c.turns.size(); ++i) {
    const ConversationTurn& t = c.turns[i];
    o += std::string(i ? ",\n" : "\n") + "    {\"question\": " + quote(t.question) + ", \"answer\": " + quote(t.answer) +
         ", \"method\": " + quote(t.method) + ", \"stop_reason\": " + quote(t.stop_reason) +
         ", \"error\": " + quote(t.error) + ", \"prompt_tokens\": " + std::to_string(t.prompt_tokens) +
         ", \"cached_tokens\": " + std::to_string(t.cached_tokens) +
         ", \"restored_tokens\": " + std::to_string(t.restored_tokens) +
         ", \"prefilled_tokens\": " + std::to_string(t.prefilled_tokens) +
         ", \"new_tokens\": " + std::to_string(t.new_tokens) + ", \"seconds\": " + number(t.seconds) +
         ", \"in_context\": " + (t.in_context ? "true" : "false") + "}";
  }
  o += c.turns.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return o;
}

Conversation conversation_from_json(std::string_view text) {
  tok::JsonValue root;
  try {
    root = tok::parse_json(text);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("not a conversation file (JSON: ") + e.what() + ")");
  }
  if (str(root, "format") != "mrrope-conversation")
    throw std::runtime_error("not a conversation file (no \"format\": \"mrrope-conversation\")");
  if (integer(root, "version") != 1)
    throw std::runtime_error("conversation file version " + std::to_string(integer(root, "version")) +
                             " is not known to this app (it reads version 1)");
  Conversation c;
  c.created = str(root, "created");
  const tok::JsonValue& s = member(root, "settings");
  ConversationSettings& cs = c.settings;
  cs.model_path = str(s, "model_path");
  cs.model_name = str(s, "model_name");
  cs.method = str(s, "method", cs.method);
  cs.scale = num(s, "scale");
  cs.resolved_scale = num(s, "resolved_scale");
  cs.window = integer(s, "window");
  cs.alpha = optional_num(s, "alpha");
  cs.beta = optional_num(s, "beta");
  cs.attn_factor = optional_num(s, "attn_factor");
  cs.max_new_tokens = integer(s, "max_new_tokens", cs.max_new_tokens);
  cs.temperature = num(s, "temperature");
  cs.kv_cache = str(s, "kv_cache", cs.kv_cache);
  try {
    parse_rope_method(cs.method);
  } catch (const std::exception& e) {
    throw std::runtime_error("the conversation's method: " + std::string(e.what()));
  }
  for (const tok::JsonValue& d : member(root, "documents").array)
    c.documents.push_back({str(d, "name"), str(d, "path"), str(d, "format"), uint64_t(num(d, "bytes")),
                           integer(d, "pages"), str(d, "text")});
  for (const tok::JsonValue& t : member(root, "turns").array) {
    ConversationTurn turn;
    turn.question = str(t, "question");
    turn.answer = str(t, "answer");
    turn.method = str(t, "method");
    turn.stop_reason = str(t, "stop_reason");
    turn.error = str(t, "error");
    turn.prompt_tokens = integer(t, "prompt_tokens");
    turn.cached_tokens = integer(t, "cached_tokens");
    turn.restored_tokens = integer(t, "restored_tokens");  // absent in files before it: 0
    turn.prefilled_tokens = integer(t, "prefilled_tokens");
    turn.new_tokens = integer(t, "new_tokens");
    turn.seconds = num(t, "seconds");
    turn.in_context = boolean(t, "in_context", true);
    turn.done = true;
    c.turns.push_back(std::move(turn));
  }
  return c;
}

std::string conversation_to_markdown(const Conversation& c) {
  const ConversationSettings& s = c.settings;
  std::string o = "# Conversation" + (c.created.empty() ? std::string() : " of " + c.created) + "\n\n";
  o += "| setting | value |\n| --- | --- |\n";
  o += "| model | " + (s.model_name.empty() ? s.model_path : s.model_name + " (`" + s.model_path + "`)") + " |\n";
  o += "| RoPE method | " + s.method + " |\n";
  o += "| S | " + (s.scale > 0 ? number(s.scale) : "auto (" + number(s.resolved_scale) + ")") + " |\n";
  if (s.window > 0) o += "| context window | " + std::to_string(s.window) + " tokens |\n";
  if (s.alpha) o += "| alpha | " + number(*s.alpha) + " |\n";
  if (s.beta) o += "| beta | " + number(*s.beta) + " |\n";
  if (s.attn_factor) o += "| attention factor | " + number(*s.attn_factor) + " |\n";
  o += "| max new tokens | " + std::to_string(s.max_new_tokens) + " |\n";
  o += "| temperature | " + number(s.temperature) + " |\n";
  o += "| KV cache | " + s.kv_cache + " |\n\n";
  if (!c.documents.empty()) {
    o += "## Documents\n\n";
    for (const ConversationDocument& d : c.documents) {
      o += "- " + d.name + " (" + d.format + ", " + std::to_string(d.bytes) + " bytes";
      if (d.pages > 0) o += ", " + std::to_string(d.pages) + " pages";
      o += ")\n";
    }
    o += "\n";
  }
  for (size_t i = 0; i < c.turns.size(); ++i) {
    const ConversationTurn& t = c.turns[i];
    o += "## Question " + std::to_string(i + 1) + (t.in_context ? "" : " (dropped from the context)") + "\n\n";
    o += t.question + "\n\n**Answer** (" + t.method + ", " + std::to_string(t.new_tokens) + " tokens";
    if (!t.stop_reason.empty()) o += ", stop: " + t.stop_reason;
    o += "):\n\n" + (t.error.empty() ? t.answer : "*error: " + t.error + "*") + "\n\n";
  }
  return o;
}

}  // namespace mrrope::ui
