#pragma once
// A note on standard error from a part's threads. fmt::print throws on a full
// or closed standard error, which would end the part in std::terminate on a
// thread that must drain and acknowledge; a note that cannot be written is
// lost instead (docs/commands.md: standard error never stops the run).

#include <cstdio>
#include <string_view>

namespace flow::cut {

inline void say_on_stderr(std::string_view text) {
  static_cast<void>(std::fwrite(text.data(), 1, text.size(), stderr));
}

}  // namespace flow::cut
