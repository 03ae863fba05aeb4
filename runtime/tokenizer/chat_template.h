#pragma once
// Chat prompt formats for the supported model families. Templates are chosen
// by name or detected from the GGUF's tokenizer.chat_template (a Jinja string
// we do not execute) by their distinctive markers; formatting is done in C++.
//
// The formatted text leaves out the leading BOS: tokenize it with
// add_special = true (the vocab adds BOS when the model wants one) and
// parse_special = true (so "<|eot_id|>" etc. become control tokens).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mrrope::tok {

enum class ChatTemplate {
  None,    // base models: plain text continuation
  Llama2,  // <s>[INST] <<SYS>>\n...\n<</SYS>>\n\n... [/INST] ... </s>
  Llama3,  // <|start_header_id|>role<|end_header_id|>\n\n...<|eot_id|>
  ChatML,  // <|im_start|>role\n...<|im_end|>\n (Qwen, Qwen2)
  Qwen3,   // ChatML; the answer opens with an empty <think></think> (Qwen3's enable_thinking=false)
  Phi3,    // <|role|>\n...<|end|>\n (Phi-3, Phi-3.5, Phi-4-mini, as llama.cpp formats them)
  Gemma,   // <start_of_turn>user\n...<end_of_turn>\n<start_of_turn>model\n (Gemma 2/3; system joins the next user turn)
};

struct ChatMessage {
  std::string role;  // "system", "user" or "assistant"
  std::string content;
};

// "none", "llama2", "llama3", "chatml" (also "qwen", "qwen2"), "qwen3", "phi3"
// (also "phi4-mini"), "gemma" (also "gemma2", "gemma3"); nullopt otherwise.
std::optional<ChatTemplate> chat_template_from_name(std::string_view name);
const char* chat_template_name(ChatTemplate t);
// The names chat_template_from_name knows, for messages: "none, llama2, ...".
const char* chat_template_names();
// chat_template_from_name, throwing std::invalid_argument "unknown template
// 'x' (expected none, ...)" (llama.cpp's --chat-template: engine/engine_flags.h).
ChatTemplate parse_chat_template_name(std::string_view name);
// Detects the family from a Jinja chat template; None when empty or unknown.
ChatTemplate detect_chat_template(std::string_view jinja);

// Texts of the BOS/EOS tokens, which Llama 2 repeats between turns.
struct ChatSpecialTexts {
  std::string bos = "<s>";
  std::string eos = "</s>";
};

// Formats a conversation; `add_generation_prompt` appends the assistant turn
// header so the model answers next. Roles other than system/user/assistant
// are rejected with std::invalid_argument.
std::string format_chat(ChatTemplate t, const std::vector<ChatMessage>& messages, bool add_generation_prompt,
                        const ChatSpecialTexts& special = {});

// A single question about a document (long-context evaluation): the document
// then the question in one user turn, optionally after a system message.
std::string format_document_question(ChatTemplate t, std::string_view document, std::string_view question,
                                     std::string_view system = "", const ChatSpecialTexts& special = {});

}  // namespace mrrope::tok
