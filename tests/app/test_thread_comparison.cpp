// Side by side over a conversation as data (ui/chat/thread_comparison.h): which
// questions run, each method's own history, the window estimate and the
// Markdown/JSON export (each thread reopens as a conversation). No GPU.
#include <gtest/gtest.h>

#include "tokenizer/json.h"
#include "ui/chat/thread_comparison.h"

namespace mrrope::ui {
namespace {

ConversationTurn turn(std::string q, std::string a, std::string method, bool ok = true) {
  ConversationTurn t;
  t.question = std::move(q), t.answer = std::move(a), t.method = std::move(method);
  t.done = true, t.stop_reason = ok ? "eos" : "", t.error = ok ? "" : "out of memory";
  t.prompt_tokens = 120, t.cached_tokens = 100, t.prefilled_tokens = 20, t.new_tokens = 5;
  return t;
}

ThreadComparison sample() {
  ThreadComparison tc;
  tc.created = "2026-12-07 15:00";
  tc.questions = {"Who is the Preacher?", "And his father?"};
  for (const char* m : {"yarn", "mrrope-pro"}) {
    Conversation c;
    c.settings.method = m, c.settings.scale = 2, c.settings.resolved_scale = 2, c.settings.window = 4096;
    c.settings.model_name = "tiny";
    c.documents.push_back({"book.pdf", "/docs/book.pdf", "pdf", 1234, 2});
    c.turns.push_back(turn(tc.questions[0], std::string("Koheleth (") + m + ")", m));
    c.turns.push_back(turn(tc.questions[1], std::string("David, says ") + m, m));
    tc.threads.push_back(c);
  }
  return tc;
}

TEST(ThreadComparison, QuestionsAreTheAnsweredTurnsThenTheBox) {
  Conversation c;
  c.turns.push_back(turn("first", "a", "yarn"));
  c.turns.push_back(turn("failed", "", "yarn", false));
  ConversationTurn stopped = turn("stopped", "", "yarn");
  stopped.stop_reason = "stopped";
  c.turns.push_back(stopped);
  c.turns.push_back(turn("second", "b", "yarn"));
  EXPECT_EQ(questions_to_compare(c, ""), (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(questions_to_compare(c, "next?"), (std::vector<std::string>{"first", "second", "next?"}));
  EXPECT_TRUE(questions_to_compare(Conversation{}, "").empty());
}

TEST(ThreadComparison, EachMethodsHistoryIsItsOwnAnswers) {
  ThreadComparison tc = sample();
  const auto yarn = thread_history(tc, 0), pro = thread_history(tc, 1);
  ASSERT_EQ(yarn.size(), 2u);
  EXPECT_EQ(yarn[0].second, "Koheleth (yarn)");
  EXPECT_EQ(pro[1].second, "David, says mrrope-pro");
  tc.threads[1].turns[1].error = "failed";
  EXPECT_EQ(thread_history(tc, 1).size(), 1u);  // a failed turn is not history
  EXPECT_TRUE(thread_history(tc, 7).empty());
}

TEST(ThreadComparison, WindowEstimateCountsTheDocumentsOnceAndEveryTurn) {
  EXPECT_EQ(thread_tokens_estimate(1000, {}, 32), 1000);
  EXPECT_EQ(thread_tokens_estimate(1000, {"abcdef", "abc"}, 32), 1000 + (16 + 2 + 32) + (16 + 1 + 32));
}

TEST(ThreadComparison, JsonHoldsTheQuestionsAndEachThreadAsAConversation) {
  const std::string json = thread_comparison_to_json(sample());
  const tok::JsonValue v = tok::parse_json(json);
  ASSERT_TRUE(v.is_object());
  EXPECT_EQ(v.find("format")->string, "mrrope-side-by-side");
  ASSERT_EQ(v.find("questions")->array.size(), 2u);
  const tok::JsonValue& threads = *v.find("threads");
  ASSERT_EQ(threads.array.size(), 2u);
  // Each thread is a conversation file of its own.
  for (size_t m = 0; m < 2; ++m) {
    ASSERT_TRUE(threads.array[m].is_object());
    const tok::JsonValue& turns = *threads.array[m].find("turns");
    ASSERT_EQ(turns.array.size(), 2u);
    EXPECT_EQ(turns.array[1].find("question")->string, "And his father?");
  }
  EXPECT_EQ(threads.array[1].find("settings")->find("method")->string, "mrrope-pro");
  EXPECT_NE(json.find("\"cached_tokens\": 100"), std::string::npos);
}

TEST(ThreadComparison, MarkdownPutsEveryMethodsAnswerUnderEachQuestion) {
  ThreadComparison tc = sample();
  tc.threads[1].turns.pop_back();  // mrrope-pro stopped after its first turn
  const std::string md = thread_comparison_to_markdown(tc);
  EXPECT_NE(md.find("| yarn | 2 | 4096 tokens |"), std::string::npos);
  const size_t q1 = md.find("## Question 1"), q2 = md.find("## Question 2");
  ASSERT_NE(q1, std::string::npos);
  ASSERT_NE(q2, std::string::npos);
  EXPECT_LT(q1, md.find("Koheleth (yarn)"));
  EXPECT_LT(md.find("Koheleth (mrrope-pro)"), q2);
  EXPECT_GT(md.find("David, says yarn"), q2);
  EXPECT_GT(md.find("**mrrope-pro**: *not answered*"), q2);
  EXPECT_NE(md.find("100 prompt tokens from the cache"), std::string::npos);
}

}  // namespace
}  // namespace mrrope::ui
