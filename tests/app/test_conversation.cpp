// The conversation as data (ui/chat/conversation.h): JSON save and reopen, the
// Markdown export, the prompts of follow-up turns, and the window planning.
// No GPU, no ImGui.
#include <gtest/gtest.h>

#include "ui/chat/conversation.h"

namespace mrrope::ui {
namespace {

Conversation sample() {
  Conversation c;
  c.created = "2026-12-07 14:03";
  c.settings.model_path = "/models/m.gguf";
  c.settings.model_name = "tiny";
  c.settings.method = "yarn";
  c.settings.scale = 4;
  c.settings.resolved_scale = 4;
  c.settings.window = 2048;
  c.settings.alpha = 2.5;
  c.settings.max_new_tokens = 48;
  c.settings.temperature = 0.7;
  c.settings.kv_cache = "q8_0";
  c.documents.push_back({"book.pdf", "/docs/book.pdf", "pdf", 12345, 3});
  c.documents.push_back({"page \"one\".html", "/docs/p.html", "html", 99, 0});
  ConversationTurn a;
  a.question = "Who is the Preacher?";
  a.answer = "The son of David,\nking in Jerusalem.";
  a.method = "yarn";
  a.stop_reason = "eos";
  a.prompt_tokens = 900, a.cached_tokens = 0, a.prefilled_tokens = 900, a.new_tokens = 12, a.seconds = 1.5;
  a.done = true;
  ConversationTurn b = a;
  b.question = "And what did he say?\tTab";
  b.answer = "Vanity of vanities \xE2\x80\x94 all is vanity.";
  b.prompt_tokens = 930, b.cached_tokens = 911, b.prefilled_tokens = 19, b.restored_tokens = 900;
  b.in_context = false;
  c.turns = {a, b};
  return c;
}

TEST(Conversation, JsonRoundTripKeepsEverySetting) {
  const Conversation c = sample();
  const Conversation r = conversation_from_json(conversation_to_json(c));
  EXPECT_EQ(r.created, c.created);
  EXPECT_EQ(r.settings.model_path, "/models/m.gguf");
  EXPECT_EQ(r.settings.model_name, "tiny");
  EXPECT_EQ(r.settings.method, "yarn");
  EXPECT_EQ(r.settings.scale, 4);
  EXPECT_EQ(r.settings.resolved_scale, 4);
  EXPECT_EQ(r.settings.window, 2048);
  ASSERT_TRUE(r.settings.alpha.has_value());
  EXPECT_EQ(*r.settings.alpha, 2.5);
  EXPECT_FALSE(r.settings.beta.has_value());
  EXPECT_EQ(r.settings.max_new_tokens, 48);
  EXPECT_DOUBLE_EQ(r.settings.temperature, 0.7);
  EXPECT_EQ(r.settings.kv_cache, "q8_0");
  ASSERT_EQ(r.documents.size(), 2u);
  EXPECT_EQ(r.documents[0].pages, 3);
  EXPECT_EQ(r.documents[1].name, "page \"one\".html");
  ASSERT_EQ(r.turns.size(), 2u);
  EXPECT_EQ(r.turns[0].answer, c.turns[0].answer);
  EXPECT_EQ(r.turns[1].question, c.turns[1].question);
  EXPECT_EQ(r.turns[1].answer, c.turns[1].answer);
  EXPECT_EQ(r.turns[1].cached_tokens, 911);
  EXPECT_EQ(r.turns[1].restored_tokens, 900);
  EXPECT_EQ(r.turns[0].restored_tokens, 0);
  EXPECT_EQ(r.turns[1].prefilled_tokens, 19);
  EXPECT_FALSE(r.turns[1].in_context);
  EXPECT_TRUE(r.turns[0].done);
}

TEST(Conversation, PastedDocumentKeepsItsTextInTheJson) {
  Conversation c = sample();
  const std::string pasted = "Line one, \"quoted\"\n\tindented \xE2\x80\x94 and a backslash \\ too.\n";
  c.documents.push_back({"pasted text", "", "txt", pasted.size(), 0, pasted});
  const std::string json = conversation_to_json(c);
  const Conversation r = conversation_from_json(json);
  ASSERT_EQ(r.documents.size(), 3u);
  EXPECT_EQ(r.documents[2].name, "pasted text");
  EXPECT_TRUE(r.documents[2].path.empty());
  EXPECT_EQ(r.documents[2].text, pasted);
  EXPECT_EQ(r.documents[2].bytes, pasted.size());
  // A file is reopened from its path: its text is not copied into the JSON.
  EXPECT_TRUE(r.documents[0].text.empty());
  EXPECT_EQ(json.find("\"text\": ", json.find("book.pdf")), json.find("\"text\": ", json.find("pasted text")));
  // An older file without "text" still opens (the pasted document then has none).
  std::string old = json;
  old.erase(old.find(", \"text\": "), old.find("}", old.find(", \"text\": ")) - old.find(", \"text\": "));
  EXPECT_TRUE(conversation_from_json(old).documents[2].text.empty());
}

TEST(Conversation, BadFilesAreRefusedWithAReason) {
  EXPECT_THROW(conversation_from_json("{not json"), std::runtime_error);
  EXPECT_THROW(conversation_from_json("{\"format\": \"something else\"}"), std::runtime_error);
  EXPECT_THROW(conversation_from_json("{\"format\": \"mrrope-conversation\", \"version\": 7}"), std::runtime_error);
  try {
    conversation_from_json("{\"format\": \"mrrope-conversation\", \"version\": 1, \"settings\": {\"method\": \"warp\"}}");
    FAIL() << "an unknown method was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("method"), std::string::npos) << e.what();
  }
}

TEST(Conversation, MarkdownHasSettingsDocumentsAndTurns) {
  const std::string md = conversation_to_markdown(sample());
  for (const char* part : {"# Conversation of 2026-12-07 14:03", "| RoPE method | yarn |", "| S | 4 |",
                           "| KV cache | q8_0 |", "- book.pdf (pdf, 12345 bytes, 3 pages)", "## Question 1",
                           "Who is the Preacher?", "The son of David,\nking in Jerusalem.",
                           "## Question 2 (dropped from the context)"})
    EXPECT_NE(md.find(part), std::string::npos) << part << "\n" << md;
}

TEST(Conversation, FollowUpPromptStartsWithTheFirstTurnsPrompt) {
  // Plain continuation (base models): the first turn's prompt is a prefix of the second's,
  // so the KV cache's tokens for the documents (and the first turn) are reused.
  const std::string first = format_conversation_prompt(tok::ChatTemplate::None, "DOC", {}, "Q1");
  EXPECT_EQ(first, tok::format_document_question(tok::ChatTemplate::None, "DOC", "Q1"));
  const std::string second = format_conversation_prompt(tok::ChatTemplate::None, "DOC", {{"Q1", " A1"}}, "Q2");
  EXPECT_EQ(second.rfind(first, 0), 0u);
  EXPECT_EQ(second, "DOC\n\nQuestion: Q1\nAnswer: A1\n\nQuestion: Q2\nAnswer:");
  // A chat template: the documents open the first user message in both.
  const std::string c1 = format_conversation_prompt(tok::ChatTemplate::ChatML, "DOC", {}, "Q1");
  const std::string c2 = format_conversation_prompt(tok::ChatTemplate::ChatML, "DOC", {{"Q1", "A1"}}, "Q2");
  const std::string user1 = c1.substr(0, c1.find("<|im_start|>assistant"));
  EXPECT_EQ(c2.rfind(user1, 0), 0u) << c2;
  EXPECT_NE(c2.find("A1<|im_end|>"), std::string::npos) << c2;
}

TEST(Conversation, HistoryLeavesOutDroppedAndFailedTurns) {
  Conversation c = sample();
  c.turns[1].in_context = true;
  c.turns.push_back(c.turns[0]);
  c.turns.back().error = "context full";
  EXPECT_EQ(context_history(c).size(), 2u);
  c.turns[0].in_context = false;
  ASSERT_EQ(context_history(c).size(), 1u);
  EXPECT_EQ(context_history(c)[0].first, c.turns[1].question);
}

TEST(Conversation, WindowPlanning) {
  // Fixed S: L * S.
  EXPECT_EQ(plan_window(RopeMethod::Yarn, false, 4, 512, 700).window, 2048);
  // Auto S: room for follow-ups, rounded up to half steps, at least 1.
  const WindowPlan a = plan_window(RopeMethod::MrRopePro, true, 0, 512, 700);
  EXPECT_EQ(a.scale, 2.5);  // (700 + 512) / 512 = 2.37 -> 2.5
  EXPECT_EQ(a.window, 1280);
  EXPECT_EQ(plan_window(RopeMethod::MrRopePro, true, 0, 4096, 100).scale, 1.0);
  // none: L, or what the first turn needs (nothing is cut; the gauge warns).
  EXPECT_EQ(plan_window(RopeMethod::None, false, 4, 512, 100).window, 512);
  EXPECT_EQ(plan_window(RopeMethod::None, false, 4, 512, 2000).window, 2512);
  EXPECT_EQ(scale_to_fit(3000, 1024), 4.0);  // (3000 + 750) / 1024 = 3.66, up to 4
}

TEST(Conversation, OldestTurnsToDrop) {
  Conversation c = sample();
  c.turns[1].in_context = true;
  const int t0 = turn_tokens_estimate(c.turns[0]), t1 = turn_tokens_estimate(c.turns[1]);
  EXPECT_EQ(oldest_turns_to_drop(c, 1000, 1000), 0);
  EXPECT_EQ(oldest_turns_to_drop(c, 1000 + t0, 1000), 1);
  EXPECT_EQ(oldest_turns_to_drop(c, 1000 + t0 + 1, 1000), 2);
  EXPECT_EQ(oldest_turns_to_drop(c, 1000 + t0 + t1 + 1, 1000), -1);
}

}  // namespace
}  // namespace mrrope::ui
