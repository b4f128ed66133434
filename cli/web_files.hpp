#pragma once
// The static files of the `flow run --ui` page (cli/web/), built into the
// binary by cmake/embed_files.cmake.
#include <optional>
#include <string_view>

namespace flow::cli {

struct WebFile {
  std::string_view path;          ///< "/index.html"
  std::string_view content_type;  ///< "text/html; charset=utf-8"
  std::string_view body;
};

/// The file at `path` ("/app.js"), or nullopt when the page has none.
std::optional<WebFile> web_file(std::string_view path);

}  // namespace flow::cli
