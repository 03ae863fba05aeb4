// llama.cpp's KV cache flags (--cache-type-k/-ctk, --cache-type-v/-ctv):
// consumed from an argument list that keeps everything else, and clear errors
// for unknown values, missing values and mixed K/V types.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "engine/engine_flags.h"
#include "ops/kv_cache_type.h"
#include "support/error_of.h"

namespace mrrope {
namespace {

using Args = std::vector<std::string>;

std::string flag_error(Args args) { return test::error_of([&] { parse_kv_cache_flags(args); }); }

TEST(KvCacheFlags, LongShortAndEqualsFormsKeepTheRestInOrder) {
  Args args = {"-m", "x.gguf", "--cache-type-k", "q8_0", "-n", "4", "-ctv=q8_0", "prompt"};
  EXPECT_EQ(parse_kv_cache_flags(args), KvCacheType::Q8_0);
  EXPECT_EQ(args, (Args{"-m", "x.gguf", "-n", "4", "prompt"}));
  Args both = {"-ctk", "f16", "--cache-type-v=f16"};
  EXPECT_EQ(parse_kv_cache_flags(both), KvCacheType::F16);
  EXPECT_TRUE(both.empty());
  Args none = {"-c", "512"};
  EXPECT_EQ(parse_kv_cache_flags(none), KvCacheType::F16);
  EXPECT_EQ(none, (Args{"-c", "512"}));
  EXPECT_EQ(kv_cache_type_from_name("q8_0"), KvCacheType::Q8_0);
  EXPECT_EQ(kv_cache_type_from_name("Q8_0"), std::nullopt);
  EXPECT_STREQ(kv_cache_type_name(KvCacheType::F16), "f16");
}

TEST(KvCacheFlags, BadValuesAreClearErrors) {
  EXPECT_EQ(flag_error({"--cache-type-k", "q4_0", "--cache-type-v", "q4_0"}),
            "--cache-type-k: unknown KV cache type 'q4_0' (expected f16 or q8_0)");
  EXPECT_EQ(flag_error({"-ctv=bf16"}), "-ctv: unknown KV cache type 'bf16' (expected f16 or q8_0)");
  EXPECT_EQ(flag_error({"-ctk"}), "-ctk needs a value");
  EXPECT_EQ(flag_error({"-ctk", "q8_0"}),
            "--cache-type-k is q8_0 but --cache-type-v is f16: K and V must have the same type (give both flags "
            "the same value)");
  EXPECT_EQ(flag_error({"-ctk", "f16", "-ctv", "q8_0"}),
            "--cache-type-k is f16 but --cache-type-v is q8_0: K and V must have the same type (give both flags "
            "the same value)");
}

}  // namespace
}  // namespace mrrope
