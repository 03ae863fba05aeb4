// The conversation's and the side by side's files (ui/export/chat_export.h)
// and where exports go by default: the files hold exactly what the data
// writes, folders are created, a failure is a message. No GPU, no window.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "ui/export/chat_export.h"
#include "ui/export/eval_export.h"
#include "ui/export/panel_png.h"

namespace mrrope::ui {
namespace {

namespace fs = std::filesystem;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("mrrope-chat-export-" + name);
  fs::remove_all(d);
  return d;
}

Conversation sample() {
  Conversation c;
  c.created = "2026-12-07 14:03";
  c.settings.method = "yarn", c.settings.scale = 4, c.settings.resolved_scale = 4, c.settings.window = 2048;
  c.documents.push_back({"notes.txt", "", "txt", 20, 0, "pasted notes, kept"});
  ConversationTurn t;
  t.question = "Who is the Preacher?";
  t.answer = "The son of David.";
  t.method = "yarn", t.done = true, t.stop_reason = "eos";
  c.turns = {t};
  return c;
}

TEST(ChatExport, ConversationFilesAreItsMarkdownAndJsonInANewFolder) {
  const fs::path dir = fresh_dir("conversation") / "nested";
  const Conversation c = sample();
  std::vector<std::string> written;
  ASSERT_EQ(export_conversation_files(c, dir.string(), &written), "");
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0], (dir / "conversation.md").string());
  EXPECT_EQ(written[1], (dir / "conversation.json").string());
  EXPECT_EQ(read(written[0]), conversation_to_markdown(c));
  EXPECT_EQ(read(written[1]), conversation_to_json(c));
  const Conversation back = conversation_from_json(read(written[1]));  // Open reads it back
  ASSERT_EQ(back.turns.size(), 1u);
  EXPECT_EQ(back.turns[0].answer, "The son of David.");
  EXPECT_EQ(back.documents.at(0).text, "pasted notes, kept");
}

TEST(ChatExport, SideBySideFilesHoldEveryThread) {
  ThreadComparison tc;
  tc.created = "2026-12-07 15:00";
  tc.questions = {"Who is the Preacher?"};
  for (const char* m : {"yarn", "mrrope-pro"}) {
    Conversation c = sample();
    c.settings.method = m;
    c.turns[0].method = m;
    tc.threads.push_back(c);
  }
  const fs::path dir = fresh_dir("side-by-side");
  std::vector<std::string> written;
  ASSERT_EQ(export_thread_comparison_files(tc, dir.string(), &written), "");
  ASSERT_EQ(written.size(), 2u);
  EXPECT_EQ(written[0], (dir / "side_by_side.md").string());
  EXPECT_EQ(read(written[0]), thread_comparison_to_markdown(tc));
  EXPECT_EQ(read(written[1]), thread_comparison_to_json(tc));
}

TEST(ChatExport, AFolderThatCannotBeMadeIsAMessage) {
  const fs::path base = fresh_dir("blocked");
  fs::create_directories(base);
  std::ofstream(base / "file") << "not a folder";
  const std::string dir = (base / "file" / "export").string();
  std::vector<std::string> written;
  EXPECT_EQ(export_conversation_files(sample(), dir, &written),
            "could not write " + (fs::path(dir) / "conversation.md").string());
  EXPECT_TRUE(written.empty());
  EXPECT_EQ(write_text_file(dir + "/x.json", "{}"), "could not write " + dir + "/x.json");
}

TEST(ChatExport, DefaultFoldersAreUnderHome) {
  const char* old = std::getenv("HOME");
  const std::string saved = old ? old : "";
  setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(conversations_folder(), "/home/someone/mrrope-conversations");
  EXPECT_EQ(default_export_dir().rfind("/home/someone/mrrope-results/", 0), 0u) << default_export_dir();
  const std::string png = default_panel_png_path(PanelShot::Attention);
  EXPECT_EQ(png.rfind("/home/someone/mrrope-results/", 0), 0u) << png;
  EXPECT_EQ(fs::path(png).filename(), "attention.png");
  EXPECT_EQ(fs::path(default_panel_png_path(PanelShot::Compare)).filename(), "side_by_side.png");
  unsetenv("HOME");
  EXPECT_EQ(conversations_folder(), "./mrrope-conversations");
  if (old) setenv("HOME", saved.c_str(), 1);
}

}  // namespace
}  // namespace mrrope::ui
