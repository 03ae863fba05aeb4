#include "options/option_table.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

namespace mrrope {
namespace {

// "-5" and "-.5" are values or words, not flags; "-" alone is a word (stdin, by convention).
bool looks_like_flag(const std::string& arg) {
  return arg.size() > 1 && arg[0] == '-' && !std::isdigit(static_cast<unsigned char>(arg[1])) && arg[1] != '.';
}

std::string label_of(const Option& o) {
  std::string label;
  for (const std::string& name : o.names) label += (label.empty() ? "" : ", ") + name;
  return o.metavar.empty() ? label : label + " " + o.metavar;
}

// Help columns: labels up to this wide line up; longer ones push their text along.
constexpr size_t kMaxLabelColumn = 26;

}  // namespace

OptionTable& OptionTable::section(std::string title) {
  section_ = std::move(title);
  return *this;
}

OptionTable& OptionTable::add(Option option) {
  if (option.names.empty()) throw std::logic_error("an option needs a name");
  for (const std::string& name : option.names)
    if (find(name)) throw std::logic_error("option " + name + " is in the table twice");
  entries_.push_back({std::move(option), section_});
  return *this;
}

OptionTable& OptionTable::value(std::vector<std::string> names, std::string metavar, std::string help,
                                std::function<void(const std::string&, const std::string&)> handle) {
  return add({std::move(names), std::move(metavar), std::move(help), std::move(handle)});
}

OptionTable& OptionTable::flag(std::vector<std::string> names, std::string help, std::function<void()> handle) {
  return add({std::move(names), "", std::move(help), [handle](const std::string&, const std::string&) { handle(); }});
}

OptionTable& OptionTable::store(std::vector<std::string> names, std::string metavar, std::string help,
                                std::string* target) {
  return value(std::move(names), std::move(metavar), std::move(help),
               [target](const std::string&, const std::string& v) { *target = v; });
}

OptionTable& OptionTable::store(std::vector<std::string> names, std::string metavar, std::string help, int* target) {
  return value(std::move(names), std::move(metavar), std::move(help),
               [target](const std::string& flag, const std::string& v) { *target = parse_int(flag, v); });
}

OptionTable& OptionTable::store(std::vector<std::string> names, std::string metavar, std::string help,
                                double* target) {
  return value(std::move(names), std::move(metavar), std::move(help),
               [target](const std::string& flag, const std::string& v) { *target = parse_number(flag, v); });
}

OptionTable& OptionTable::store_true(std::vector<std::string> names, std::string help, bool* target) {
  return flag(std::move(names), std::move(help), [target] { *target = true; });
}

OptionTable& OptionTable::help_option(bool* asked) {
  return store_true({"-h", "--help"}, "show this help", asked);
}

OptionTable& OptionTable::remove(std::string_view name) {
  std::erase_if(entries_, [&](const Entry& e) {
    return std::find(e.option.names.begin(), e.option.names.end(), name) != e.option.names.end();
  });
  return *this;
}

OptionTable& OptionTable::after(std::function<void()> check) {
  checks_.push_back(std::move(check));
  return *this;
}

OptionTable& OptionTable::append(OptionTable other) {
  for (Entry& e : other.entries_) {
    section_ = e.section;
    add(std::move(e.option));
  }
  for (auto& check : other.checks_) checks_.push_back(std::move(check));
  return *this;
}

const OptionTable::Entry* OptionTable::find(std::string_view name) const {
  for (const Entry& e : entries_)
    if (std::find(e.option.names.begin(), e.option.names.end(), name) != e.option.names.end()) return &e;
  return nullptr;
}

bool OptionTable::has(std::string_view name) const { return find(name) != nullptr; }

bool OptionTable::consume(const std::vector<std::string>& args, size_t* i) const {
  const std::string& arg = args[*i];
  if (!looks_like_flag(arg)) return false;
  std::string name = arg;
  std::optional<std::string> value;
  if (const size_t eq = arg.find('='); eq != std::string::npos) {
    name = arg.substr(0, eq);
    value = arg.substr(eq + 1);
  }
  const Entry* entry = find(name);
  if (!entry) return false;
  const Option& o = entry->option;
  if (o.metavar.empty()) {
    if (value) throw std::invalid_argument(name + " takes no value, got '" + *value + "'");
    value = "";
  } else if (!value) {
    if (*i + 1 >= args.size()) throw std::invalid_argument(name + " needs a value");
    value = args[++*i];
  }
  o.handle(name, *value);
  return true;
}

void OptionTable::parse(const std::vector<std::string>& args, std::vector<std::string>* positionals) const {
  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!options_ended && positionals && args[i] == "--") {
      options_ended = true;
      continue;
    }
    if (!options_ended && consume(args, &i)) continue;
    if (positionals && (options_ended || !looks_like_flag(args[i]))) {
      positionals->push_back(args[i]);
      continue;
    }
    throw std::invalid_argument("unknown argument '" + args[i] + "'" + (see_.empty() ? "" : " (see " + see_ + ")"));
  }
  for (const auto& check : checks_) check();
}

void OptionTable::take(std::vector<std::string>& args) const {
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i)
    if (!consume(args, &i)) rest.push_back(args[i]);
  args = std::move(rest);
  for (const auto& check : checks_) check();
}

std::string OptionTable::help() const {
  size_t column = 0;
  for (const Entry& e : entries_) column = std::max(column, std::min(label_of(e.option).size(), kMaxLabelColumn));
  std::string out;
  const std::string* section = nullptr;
  for (const Entry& e : entries_) {
    if (!section || *section != e.section) {
      section = &e.section;
      if (!section->empty()) out += *section + ":\n";
    }
    const std::string label = label_of(e.option);
    out += "  " + label + std::string(label.size() < column ? column - label.size() : 0, ' ') + "  ";
    for (const char c : e.option.help) out += c == '\n' ? "\n" + std::string(column + 4, ' ') : std::string(1, c);
    out += "\n";
  }
  return out;
}

double parse_number(const std::string& flag, const std::string& text) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || !std::isfinite(v))
    throw std::invalid_argument(flag + " expects a number, got '" + text + "'");
  return v;
}

long long parse_integer(const std::string& flag, const std::string& text, long long min, long long max) {
  auto out_of_range = [&](bool below) {
    return std::invalid_argument(flag + " is out of range: " + text +
                                 (below ? " (at least " + std::to_string(min) + ")" : " (at most " + std::to_string(max) + ")"));
  };
  // Digits exactly (seeds beyond 2^53); otherwise any number without a fraction ("1e3").
  long long v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ptr != end || ec != std::errc()) {
    const double d = parse_number(flag, text);
    if (d != std::floor(d)) throw std::invalid_argument(flag + " expects an integer, got '" + text + "'");
    if (d < static_cast<double>(min)) throw out_of_range(true);
    if (d > static_cast<double>(max) || d >= 0x1p63) throw out_of_range(false);  // 2^63: past long long
    v = static_cast<long long>(d);
  }
  if (v < min) throw out_of_range(true);
  if (v > max) throw out_of_range(false);
  return v;
}

int parse_int(const std::string& flag, const std::string& text) {
  return static_cast<int>(
      parse_integer(flag, text, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
}

std::vector<int> parse_int_list(const std::string& flag, const std::string& text, int min, int max) {
  std::vector<int> out;
  size_t begin = 0;
  while (true) {
    const size_t end = std::min(text.find(',', begin), text.size());
    out.push_back(static_cast<int>(parse_integer(flag, text.substr(begin, end - begin), min, max)));
    if (end == text.size()) return out;
    begin = end + 1;
  }
}

}  // namespace mrrope
