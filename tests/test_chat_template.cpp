// Chat formats: exact prompt strings per family, detection from Jinja
// templates, and the document + question helper.
#include <gtest/gtest.h>

#include <algorithm>

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/engine_flags.h"
#include "support/error_of.h"
#include "tokenizer/chat_template.h"

namespace mrrope::tok {
namespace {

const std::vector<ChatMessage> kConversation = {
    {"system", "You are terse."},
    {"user", "Hi!"},
    {"assistant", "Hello."},
    {"user", "2+2?"},
};

TEST(ChatTemplate, Llama3) {
  EXPECT_EQ(format_chat(ChatTemplate::Llama3, kConversation, true),
            "<|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(format_chat(ChatTemplate::Llama3, {{"user", "  padded \n"}}, false),
            "<|start_header_id|>user<|end_header_id|>\n\npadded<|eot_id|>");
}

TEST(ChatTemplate, ChatML) {
  EXPECT_EQ(format_chat(ChatTemplate::ChatML, kConversation, true),
            "<|im_start|>system\nYou are terse.<|im_end|>\n"
            "<|im_start|>user\nHi!<|im_end|>\n"
            "<|im_start|>assistant\nHello.<|im_end|>\n"
            "<|im_start|>user\n2+2?<|im_end|>\n"
            "<|im_start|>assistant\n");
}

TEST(ChatTemplate, Qwen3AnswersWithoutThinkingAndDropsEarlierReasoning) {
  EXPECT_EQ(format_chat(ChatTemplate::Qwen3,
                        {{"system", "You are terse."}, {"user", "Hi!"}, {"assistant", "<think>\nGreet.\n</think>\n\nHello."},
                         {"user", "2+2?"}},
                        true),
            "<|im_start|>system\nYou are terse.<|im_end|>\n"
            "<|im_start|>user\nHi!<|im_end|>\n"
            "<|im_start|>assistant\nHello.<|im_end|>\n"
            "<|im_start|>user\n2+2?<|im_end|>\n"
            "<|im_start|>assistant\n<think>\n\n</think>\n\n");
  EXPECT_EQ(format_chat(ChatTemplate::Qwen3, {{"user", "Hi"}}, false), "<|im_start|>user\nHi<|im_end|>\n");
}

TEST(ChatTemplate, Phi3) {
  EXPECT_EQ(format_chat(ChatTemplate::Phi3, kConversation, true),
            "<|system|>\nYou are terse.<|end|>\n"
            "<|user|>\nHi!<|end|>\n"
            "<|assistant|>\nHello.<|end|>\n"
            "<|user|>\n2+2?<|end|>\n"
            "<|assistant|>\n");
  EXPECT_EQ(format_document_question(ChatTemplate::Phi3, "D", "Q"), "<|user|>\nD\n\nQ<|end|>\n<|assistant|>\n");
}

TEST(ChatTemplate, Llama2) {
  EXPECT_EQ(format_chat(ChatTemplate::Llama2, kConversation, true),
            "[INST] <<SYS>>\nYou are terse.\n<</SYS>>\n\nHi! [/INST] Hello. </s><s>[INST] 2+2? [/INST]");
  EXPECT_EQ(format_chat(ChatTemplate::Llama2, {{"user", "Hi"}}, true), "[INST] Hi [/INST]");
  EXPECT_EQ(format_chat(ChatTemplate::Llama2, {{"system", "S"}}, true), "[INST] <<SYS>>\nS\n<</SYS>> [/INST]");
  EXPECT_THROW(format_chat(ChatTemplate::Llama2, {{"user", "a"}, {"system", "late"}}, true), std::invalid_argument);
}

TEST(ChatTemplate, NoneIsPlainText) {
  EXPECT_EQ(format_chat(ChatTemplate::None, {{"user", "Once upon"}, {"assistant", "a time"}}, true),
            "Once upon\n\na time");
  EXPECT_EQ(format_document_question(ChatTemplate::None, "DOC", "Who?"), "DOC\n\nQuestion: Who?\nAnswer:");
}

TEST(ChatTemplate, DocumentQuestion) {
  EXPECT_EQ(format_document_question(ChatTemplate::ChatML, "The key is 42.", "What is the key?", "Answer briefly."),
            "<|im_start|>system\nAnswer briefly.<|im_end|>\n"
            "<|im_start|>user\nThe key is 42.\n\nWhat is the key?<|im_end|>\n"
            "<|im_start|>assistant\n");
  EXPECT_EQ(format_document_question(ChatTemplate::Llama3, "D", "Q"),
            "<|start_header_id|>user<|end_header_id|>\n\nD\n\nQ<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(ChatTemplate, DetectionAndNames) {
  EXPECT_EQ(detect_chat_template("{{ '<|start_header_id|>' + message['role'] }}"), ChatTemplate::Llama3);
  EXPECT_EQ(detect_chat_template("{{'<|im_start|>' + message['role'] + '\\n'}}"), ChatTemplate::ChatML);
  EXPECT_EQ(detect_chat_template("{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"), ChatTemplate::Llama2);
  EXPECT_EQ(detect_chat_template(""), ChatTemplate::None);
  // Qwen3's template (excerpt): ChatML with think blocks.
  EXPECT_EQ(detect_chat_template("{{- '<|im_start|>' + message.role + '\\n<think>\\n' + reasoning_content }}"),
            ChatTemplate::Qwen3);
  // Phi-3 and Phi-4-mini (excerpts).
  EXPECT_EQ(detect_chat_template("{{'<|' + message['role'] + '|>' + '\\n' + message['content'] + '<|end|>\\n'}}"
                                 "{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"),
            ChatTemplate::Phi3);
  EXPECT_EQ(detect_chat_template("{{ '<|' + message['role'] + '|>' + message['content'] + '<|end|>' }}"
                                 "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}"),
            ChatTemplate::Phi3);
  EXPECT_EQ(chat_template_from_name("qwen3"), ChatTemplate::Qwen3);
  EXPECT_EQ(chat_template_from_name("phi4-mini"), ChatTemplate::Phi3);
  EXPECT_STREQ(chat_template_name(ChatTemplate::Phi3), "phi3");
  EXPECT_EQ(chat_template_from_name("qwen"), ChatTemplate::ChatML);
  EXPECT_EQ(chat_template_from_name("llama3"), ChatTemplate::Llama3);
  EXPECT_FALSE(chat_template_from_name("vicuna").has_value());
  EXPECT_STREQ(chat_template_name(ChatTemplate::Llama2), "llama2");
  EXPECT_THROW(format_chat(ChatTemplate::ChatML, {{"tool", "x"}}, true), std::invalid_argument);
}

using Args = std::vector<std::string>;

std::string flag_error(Args args) { return test::error_of([&] { parse_chat_template_flag(args); }); }

TEST(ChatTemplateFlag, BothFormsAreConsumedAndTheRestKept) {
  Args args = {"-m", "x.gguf", "--chat-template", "llama3", "-n", "4"};
  EXPECT_EQ(parse_chat_template_flag(args), ChatTemplate::Llama3);
  EXPECT_EQ(args, (Args{"-m", "x.gguf", "-n", "4"}));
  Args eq = {"--chat-template=qwen", "doc.txt"};
  EXPECT_EQ(parse_chat_template_flag(eq), ChatTemplate::ChatML);
  EXPECT_EQ(eq, (Args{"doc.txt"}));
  Args none = {"--chat-template", "none"};
  EXPECT_EQ(parse_chat_template_flag(none), ChatTemplate::None);  // a chat model used as a base model
  Args absent = {"-p", "hello"};
  EXPECT_FALSE(parse_chat_template_flag(absent).has_value());
  EXPECT_EQ(absent, (Args{"-p", "hello"}));
}

TEST(ChatTemplateFlag, BadNamesAreClearErrors) {
  EXPECT_EQ(flag_error({"--chat-template", "vicuna"}),
            "--chat-template: unknown template 'vicuna' (expected none, llama2, llama3, chatml, qwen3, phi3 or gemma)");
  EXPECT_EQ(flag_error({"--chat-template="}),
            "--chat-template: unknown template '' (expected none, llama2, llama3, chatml, qwen3, phi3 or gemma)");
  EXPECT_EQ(flag_error({"-n", "4", "--chat-template"}), "--chat-template needs a value");
}

// --chat-template reaches the prompt: the bundled model's file names ChatML,
// which wraps the document and question in its turns; none gives the plain prompt.
TEST(ChatTemplateFlag, EngineFormatsQuestionsWithTheChosenTemplate) {
  Engine e(std::string(MRROPE_BUNDLED_MODEL));
  ASSERT_EQ(e.chat_template(), ChatTemplate::ChatML);
  const auto chatml = e.tokenize_question("The key is 7.", "What is the key?");
  e.set_chat_template(ChatTemplate::None);
  const auto plain = e.tokenize_question("The key is 7.", "What is the key?");
  // The model's vocabulary has ChatML's markers as control tokens (detokenize leaves them out).
  const TokenId im_start = e.tokenizer().find_token("<|im_start|>");
  ASSERT_NE(im_start, kNoToken);
  EXPECT_EQ(std::count(chatml.begin(), chatml.end(), im_start), 2) << "a user turn, then the assistant's";
  EXPECT_EQ(std::count(plain.begin(), plain.end(), im_start), 0);
  const std::string text = e.tokenizer().detokenize(chatml);
  EXPECT_NE(text.find("user\nThe key is 7."), std::string::npos) << text;
  EXPECT_NE(text.find("assistant\n"), std::string::npos) << text;
  EXPECT_GT(chatml.size(), plain.size());
}

}  // namespace
}  // namespace mrrope::tok
