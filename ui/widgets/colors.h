#pragma once
// Colours shared by the panels (ImU32, ABGR).

namespace mrrope::ui::colors {

constexpr unsigned kError = 0xFF5A5AFF;    // red
constexpr unsigned kWarning = 0xFF40C0FF;  // amber
constexpr unsigned kOk = 0xFF70D070;

}  // namespace mrrope::ui::colors
