#pragma once
// Payloads that are views into read()'s shared blocks, for the tests of the
// text path: what read() cuts from a file.
#include <chrono>
#include <string>

#include "ops_test_support.hpp"
#include "temp_files.hpp"

namespace flow::test {

/// Every line read() makes of `text` (written to `file`), pulled `max` at a time.
inline Chunk read_lines(const TempPath& file, const std::string& text, std::size_t max = 256) {
  write_text(file.str(), text);
  auto source = make_source("read", {{"path", file.str()}});
  Chunk out;
  auto now = Clock::time_point{} + std::chrono::hours(1);
  while (!source->pull(out, max, now).exhausted) {
  }
  return out;
}

}  // namespace flow::test
