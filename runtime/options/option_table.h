#pragma once
// One table of command-line options for every program (mrrope-cli's commands,
// mrrope-app, the benches): each option has its names, a metavar, help text
// and a handler. One loop reads "--flag value" and "--flag=value" (short
// names too: "-c 512", "-ctk=q8_0"), the help is generated from the table,
// and unknown flags are refused naming the flag. Standard library only, so
// any layer that owns flags (rope, eval, engine, app) can describe them here.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mrrope {

struct Option {
  std::vector<std::string> names;  // every spelling: "-c", "--ctx-size"
  std::string metavar;             // "N", "FILE"; empty: a switch, which takes no value
  std::string help;                // "\n" starts a continuation line in the help
  // Called with the name as typed and the value ("" for a switch). Throws
  // std::invalid_argument (naming the flag) on a bad value.
  std::function<void(const std::string& flag, const std::string& value)> handle;
};

class OptionTable {
 public:
  // `see` names where the help is ("mrrope-cli help ask"), for the error on an unknown flag.
  explicit OptionTable(std::string see = "") : see_(std::move(see)) {}

  // Options added after this are shown under `title` in the help.
  OptionTable& section(std::string title);
  // Throws std::logic_error when one of its names is taken (a programming error).
  OptionTable& add(Option option);
  OptionTable& value(std::vector<std::string> names, std::string metavar, std::string help,
                     std::function<void(const std::string& flag, const std::string& value)> handle);
  OptionTable& flag(std::vector<std::string> names, std::string help, std::function<void()> handle);
  // Options whose value goes straight into a variable (which must outlive the parse).
  OptionTable& store(std::vector<std::string> names, std::string metavar, std::string help, std::string* target);
  OptionTable& store(std::vector<std::string> names, std::string metavar, std::string help, int* target);
  OptionTable& store(std::vector<std::string> names, std::string metavar, std::string help, double* target);
  OptionTable& store_true(std::vector<std::string> names, std::string help, bool* target);
  // "-h, --help"; `*asked` is set when given (the program prints help() and exits).
  OptionTable& help_option(bool* asked);
  // Drops the option that has this name (a command that gives the name another meaning).
  OptionTable& remove(std::string_view name);
  // A check across options, run after the last argument (conflicts, K and V alike, ...).
  OptionTable& after(std::function<void()> check);
  // Adds another table's options (under their sections) and checks after these.
  OptionTable& append(OptionTable other);

  // Reads a whole command line: every argument must be an option of the
  // table, or a plain word (not starting with '-') when `positionals` is
  // given, which receives them in order ("--" ends the options). Then runs
  // the checks. Throws std::invalid_argument.
  void parse(const std::vector<std::string>& args, std::vector<std::string>* positionals = nullptr) const;
  // Takes this table's options out of `args`, keeping the other arguments in
  // order, then runs the checks: for a module's own flags within a longer line.
  void take(std::vector<std::string>& args) const;

  // One line per option (names, metavar, help), under the section titles.
  std::string help() const;
  bool has(std::string_view name) const;

 private:
  struct Entry {
    Option option;
    std::string section;
  };
  const Entry* find(std::string_view name) const;
  // Reads the option at args[*i] (advancing over its value); false when args[*i] is no option of the table.
  bool consume(const std::vector<std::string>& args, size_t* i) const;

  std::string see_;
  std::string section_;
  std::vector<Entry> entries_;
  std::vector<std::function<void()>> checks_;
};

// The one number parser: "FLAG expects a number, got 'x'", "FLAG expects an
// integer, got '1.5'", "FLAG is out of range: 9e9 (at most 2147483647)".
// Non-finite values (inf, nan) are not numbers.
double parse_number(const std::string& flag, const std::string& text);
long long parse_integer(const std::string& flag, const std::string& text, long long min, long long max);
int parse_int(const std::string& flag, const std::string& text);
// "a,b,c" of integers, each within [min, max]: "--batches 512,2048".
std::vector<int> parse_int_list(const std::string& flag, const std::string& text, int min, int max);

}  // namespace mrrope
