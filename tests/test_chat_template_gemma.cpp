// Gemma's chat format (Gemma 2 and 3) as llama.cpp's LLM_CHAT_TEMPLATE_GEMMA
// writes it: "model" for the assistant, no system turn (its text opens the
// next user turn), trimmed contents; detected from the file's Jinja by
// <start_of_turn>.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tokenizer/chat_template.h"

namespace mrrope::tok {
namespace {

TEST(ChatTemplateGemma, TurnsWithTheSystemTextInTheFirstUserTurn) {
  EXPECT_EQ(format_chat(ChatTemplate::Gemma,
                        {{"system", " You are terse. "}, {"user", "Hi!"}, {"assistant", "Hello.\n"}, {"user", "2+2?"}},
                        true),
            "<start_of_turn>user\nYou are terse.\n\nHi!<end_of_turn>\n"
            "<start_of_turn>model\nHello.<end_of_turn>\n"
            "<start_of_turn>user\n2+2?<end_of_turn>\n"
            "<start_of_turn>model\n");
  EXPECT_EQ(format_chat(ChatTemplate::Gemma, {{"user", "Hi"}}, false), "<start_of_turn>user\nHi<end_of_turn>\n");
  // A system message waits past a model turn for the next user turn.
  EXPECT_EQ(format_chat(ChatTemplate::Gemma, {{"system", "S"}, {"assistant", "A"}, {"user", "U"}}, true),
            "<start_of_turn>model\nA<end_of_turn>\n<start_of_turn>user\nS\n\nU<end_of_turn>\n<start_of_turn>model\n");
}

TEST(ChatTemplateGemma, DocumentQuestion) {
  EXPECT_EQ(format_document_question(ChatTemplate::Gemma, "D", "Q", "Be brief."),
            "<start_of_turn>user\nBe brief.\n\nD\n\nQ<end_of_turn>\n<start_of_turn>model\n");
}

TEST(ChatTemplateGemma, DetectedAndNamed) {
  // The opening of Gemma 3's template.
  EXPECT_EQ(detect_chat_template("{{ bos_token }}{%- if messages[0]['role'] == 'system' -%}..."
                                 "{{ '<start_of_turn>' + role + '\\n' + (first_user_prefix if loop.first else '') }}"),
            ChatTemplate::Gemma);
  EXPECT_EQ(chat_template_from_name("gemma"), ChatTemplate::Gemma);
  EXPECT_EQ(chat_template_from_name("gemma3"), ChatTemplate::Gemma);
  EXPECT_EQ(chat_template_from_name("gemma2"), ChatTemplate::Gemma);
  // Gemma 2's template (no system role, alternating turns).
  EXPECT_EQ(detect_chat_template("{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System "
                                 "role not supported') }}{% endif %}{% for message in messages %}{% if "
                                 "(message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = "
                                 "message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\\n' + "
                                 "message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if "
                                 "add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}"),
            ChatTemplate::Gemma);
  EXPECT_STREQ(chat_template_name(ChatTemplate::Gemma), "gemma");
}

}  // namespace
}  // namespace mrrope::tok
