#pragma once
// Command-line flags for the RoPE schedule: llama.cpp's (--rope-scaling,
// --rope-scale, --rope-freq-base, --rope-freq-scale, --yarn-*) plus ours
// (--rope-method, --rope-schedule, --rope-factors, --rope-alpha, --rope-beta, --rope-attn-factor).
// Both "--flag value" and "--flag=value" are accepted (options/option_table.h).
#include <string>
#include <vector>

#include "rope/rope_schedule.h"

namespace mrrope {

class OptionTable;

// Adds the rope flags to a command's table; they fill `params` (which must
// outlive the parse), and the table's checks then settle the method and
// refuse conflicts (alpha <= beta, two methods, custom without a schedule).
void add_rope_options(OptionTable& table, RopeParams& params);

// Removes the rope flags from `args` (other arguments keep their order) and
// returns `defaults` updated by them. Throws RopeError naming the flag on a
// missing or bad value (non-numeric, S < 1, alpha <= beta, conflicting methods,
// unreadable schedule file, ...).
RopeParams parse_rope_cli_options(std::vector<std::string>& args, RopeParams defaults = {});

// The flags' help, generated from their table.
std::string rope_cli_usage();

}  // namespace mrrope
