#pragma once
// The divisor math behind the registry's entries (rope_methods.cpp), one
// function per row of the doc's table, plus the checks of user-given lambdas
// and factors. Internal to runtime/rope: everyone else goes through
// build_rope_table.
#include <string>
#include <vector>

#include "rope/rope_schedule.h"

namespace mrrope::rope_math {

// "%.6g": how numbers appear in the schedule's messages.
std::string num(double v);
bool is_finite_at_least(double v, double lo);

std::vector<double> constant_divisors(int n_pairs, double s);
std::vector<double> ntk_divisors(int n_pairs, double S);
std::vector<double> yarn_divisors(int n_pairs, double S, CorrectionBounds dims, double ext_factor);
std::vector<double> mrrope_divisors(bool progressive, int n_pairs, double S, CorrectionBounds dims);
std::vector<double> custom_divisors(int n_pairs, const std::vector<double>& lambda);
std::vector<double> longrope_divisors(const RopeModelParams& model, const RopeParams& params, int n_pairs, double S);

// Throw RopeError naming the bad count or value.
void check_longrope_factors(const RopeModelParams& model, const RopeParams& params, int n_pairs);
void check_custom_lambdas(const std::vector<double>& lambda, int n_pairs);

double longrope_attn_factor(double S, int orig_ctx);

}  // namespace mrrope::rope_math
