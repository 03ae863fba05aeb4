#include "tokenizer/chat_template.h"

#include <algorithm>
#include <stdexcept>

namespace mrrope::tok {

namespace {

std::string_view trim(std::string_view s) {
  const char* ws = " \t\n\r\f\v";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

void check_role(const ChatMessage& m) {
  if (m.role != "system" && m.role != "user" && m.role != "assistant")
    throw std::invalid_argument("chat message role must be system, user or assistant, not '" + m.role + "'");
}

// Meta's Llama 2 chat template: the system message is folded into the first
// user turn; every turn after the first starts with BOS and ends with EOS.
std::string format_llama2(const std::vector<ChatMessage>& msgs, const ChatSpecialTexts& sp) {
  std::string out, system;
  size_t start = 0;
  if (!msgs.empty() && msgs[0].role == "system") {
    system = msgs[0].content;
    start = 1;
  }
  bool first = true;
  for (size_t i = start; i < msgs.size(); ++i) {
    const ChatMessage& m = msgs[i];
    if (m.role == "system") throw std::invalid_argument("llama2 template: a system message must come first");
    std::string content = m.content;
    if (i == start && start == 1) content = "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + content;
    if (m.role == "user") {
      if (!first) out += sp.bos;
      out += "[INST] ";
      out += trim(content);
      out += " [/INST]";
    } else {
      out += ' ';
      out += trim(content);
      out += ' ';
      out += sp.eos;
    }
    first = false;
  }
  // A lone system message still reaches the model, as an empty first user turn.
  if (start == 1 && msgs.size() == 1) out += "[INST] " + std::string(trim("<<SYS>>\n" + system + "\n<</SYS>>")) + " [/INST]";
  return out;
}

std::string format_llama3(const std::vector<ChatMessage>& msgs, bool gen) {
  std::string out;
  for (const ChatMessage& m : msgs) {
    out += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n";
    out += trim(m.content);
    out += "<|eot_id|>";
  }
  if (gen) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
  return out;
}

std::string format_chatml(const std::vector<ChatMessage>& msgs, bool gen) {
  std::string out;
  for (const ChatMessage& m : msgs) out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
  if (gen) out += "<|im_start|>assistant\n";
  return out;
}

// Qwen3's template: ChatML, with the reasoning of earlier answers dropped (it
// keeps what follows </think>), and the answer opened with an empty think block,
// which is what the template writes for enable_thinking=false: a long document's
// answer should not spend its tokens thinking.
std::string format_qwen3(const std::vector<ChatMessage>& msgs, bool gen) {
  std::string out;
  for (const ChatMessage& m : msgs) {
    std::string_view content = m.content;
    if (m.role == "assistant")
      if (const size_t end = content.rfind("</think>"); end != std::string_view::npos) {
        content.remove_prefix(end + 8);
        content.remove_prefix(std::min(content.find_first_not_of('\n'), content.size()));
      }
    out += "<|im_start|>" + m.role + "\n";
    out += content;
    out += "<|im_end|>\n";
  }
  if (gen) out += "<|im_start|>assistant\n<think>\n\n</think>\n\n";
  return out;
}

// Phi-3's template (llama.cpp's LLM_CHAT_TEMPLATE_PHI_3, also used for Phi-4-mini).
std::string format_phi3(const std::vector<ChatMessage>& msgs, bool gen) {
  std::string out;
  for (const ChatMessage& m : msgs) out += "<|" + m.role + "|>\n" + m.content + "<|end|>\n";
  if (gen) out += "<|assistant|>\n";
  return out;
}

// Gemma's template (llama.cpp's LLM_CHAT_TEMPLATE_GEMMA): the assistant is
// "model"; Gemma has no system turn, so system text (trimmed) opens the next
// user turn, followed by a blank line. Contents are trimmed.
std::string format_gemma(const std::vector<ChatMessage>& msgs, bool gen) {
  std::string out, system;
  for (const ChatMessage& m : msgs) {
    if (m.role == "system") {
      system += trim(m.content);
      continue;
    }
    const std::string role = m.role == "assistant" ? "model" : m.role;
    out += "<start_of_turn>" + role + "\n";
    if (!system.empty() && role != "model") {
      out += system + "\n\n";
      system.clear();
    }
    out += std::string(trim(m.content)) + "<end_of_turn>\n";
  }
  if (gen) out += "<start_of_turn>model\n";
  return out;
}

// Base models: the contents joined by blank lines, nothing else added.
std::string format_none(const std::vector<ChatMessage>& msgs) {
  std::string out;
  for (const ChatMessage& m : msgs) {
    if (!out.empty()) out += "\n\n";
    out += m.content;
  }
  return out;
}

}  // namespace

std::optional<ChatTemplate> chat_template_from_name(std::string_view name) {
  if (name == "none" || name == "base") return ChatTemplate::None;
  if (name == "llama2") return ChatTemplate::Llama2;
  if (name == "llama3") return ChatTemplate::Llama3;
  if (name == "chatml" || name == "qwen" || name == "qwen2") return ChatTemplate::ChatML;
  if (name == "qwen3") return ChatTemplate::Qwen3;
  if (name == "phi3" || name == "phi4-mini") return ChatTemplate::Phi3;
  if (name == "gemma" || name == "gemma2" || name == "gemma3") return ChatTemplate::Gemma;
  return std::nullopt;
}

const char* chat_template_names() { return "none, llama2, llama3, chatml, qwen3, phi3 or gemma"; }

ChatTemplate parse_chat_template_name(std::string_view name) {
  const auto chosen = chat_template_from_name(name);
  if (!chosen)
    throw std::invalid_argument("unknown template '" + std::string(name) + "' (expected " + chat_template_names() + ")");
  return *chosen;
}

const char* chat_template_name(ChatTemplate t) {
  switch (t) {
    case ChatTemplate::None: return "none";
    case ChatTemplate::Llama2: return "llama2";
    case ChatTemplate::Llama3: return "llama3";
    case ChatTemplate::ChatML: return "chatml";
    case ChatTemplate::Qwen3: return "qwen3";
    case ChatTemplate::Phi3: return "phi3";
    case ChatTemplate::Gemma: return "gemma";
  }
  return "none";
}

ChatTemplate detect_chat_template(std::string_view jinja) {
  if (jinja.find("<|start_header_id|>") != std::string_view::npos) return ChatTemplate::Llama3;
  // Qwen3's template handles reasoning_content and <think> blocks; Qwen2's does not.
  if (jinja.find("<|im_start|>") != std::string_view::npos)
    return jinja.find("<think>") != std::string_view::npos ? ChatTemplate::Qwen3 : ChatTemplate::ChatML;
  // llama.cpp's test for Phi-3 (Phi-4-mini's template has the same markers).
  if (jinja.find("<|assistant|>") != std::string_view::npos && jinja.find("<|end|>") != std::string_view::npos)
    return ChatTemplate::Phi3;
  if (jinja.find("[INST]") != std::string_view::npos) return ChatTemplate::Llama2;
  if (jinja.find("<start_of_turn>") != std::string_view::npos) return ChatTemplate::Gemma;
  return ChatTemplate::None;
}

std::string format_chat(ChatTemplate t, const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                        const ChatSpecialTexts& special) {
  for (const ChatMessage& m : messages) check_role(m);
  switch (t) {
    case ChatTemplate::None: return format_none(messages);
    case ChatTemplate::Llama2: return format_llama2(messages, special);
    case ChatTemplate::Llama3: return format_llama3(messages, add_generation_prompt);
    case ChatTemplate::ChatML: return format_chatml(messages, add_generation_prompt);
    case ChatTemplate::Qwen3: return format_qwen3(messages, add_generation_prompt);
    case ChatTemplate::Phi3: return format_phi3(messages, add_generation_prompt);
    case ChatTemplate::Gemma: return format_gemma(messages, add_generation_prompt);
  }
  return {};
}

std::string format_document_question(ChatTemplate t, std::string_view document, std::string_view question,
                                     std::string_view system, const ChatSpecialTexts& special) {
  if (t == ChatTemplate::None) {
    std::string out;
    if (!system.empty()) out.append(system).append("\n\n");
    out.append(document).append("\n\nQuestion: ").append(question).append("\nAnswer:");
    return out;
  }
  std::vector<ChatMessage> msgs;
  if (!system.empty()) msgs.push_back({"system", std::string(system)});
  msgs.push_back({"user", std::string(document) + "\n\n" + std::string(question)});
  return format_chat(t, msgs, true, special);
}

}  // namespace mrrope::tok
