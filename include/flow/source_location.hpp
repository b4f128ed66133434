#pragma once
// A place in a .flow file. Every syntax-tree and graph-model element carries one.
#include <cstddef>
#include <memory>
#include <string>

namespace flow {

/// The text of one .flow file, shared by every location that points into it.
struct SourceFile {
  std::string name;  ///< as given on the command line, e.g. "examples/end_to_end.flow"
  std::string text;
};

/// 1-based line and column (column counts bytes), plus the byte offset.
struct SourceLocation {
  std::size_t line = 0;
  std::size_t column = 0;
  std::size_t offset = 0;
  bool known() const { return line != 0; }
};

}  // namespace flow
