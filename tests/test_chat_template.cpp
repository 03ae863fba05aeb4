// Chat formats: exact prompt strings per family, detection from Jinja
// templates, and the document + question helper.
#include <gtest/gtest.h>

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
  EXPECT_EQ(chat_template_from_name("qwen"), ChatTemplate::ChatML);
  EXPECT_EQ(chat_template_from_name("llama3"), ChatTemplate::Llama3);
  EXPECT_FALSE(chat_template_from_name("vicuna").has_value());
  EXPECT_STREQ(chat_template_name(ChatTemplate::Llama2), "llama2");
  EXPECT_THROW(format_chat(ChatTemplate::ChatML, {{"tool", "x"}}, true), std::invalid_argument);
}

}  // namespace
}  // namespace mrrope::tok
