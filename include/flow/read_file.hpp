#pragma once
// Reading an input file whole, with a cap: a .flow file or a trace larger than
// any real one (or a device with no end, such as /dev/zero) is refused before
// more than the cap is held in memory.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/diagnostic.hpp"

namespace flow {

/// The largest .flow file flow reads (load_file): hand-written pipelines are kilobytes.
inline constexpr std::uint64_t max_flow_file_bytes = std::uint64_t{16} << 20;
/// The largest trace `flow plot` reads (hours of samples of a large
/// pipeline), and the largest metrics JSON `flow dot --metrics` reads.
inline constexpr std::uint64_t max_trace_bytes = std::uint64_t{256} << 20;

struct FileRead {
  std::optional<std::string> text;      ///< the whole file, when it was read
  std::vector<Diagnostic> diagnostics;  ///< else why not: one, without a location
};

/// The whole of `path`, at most `limit` bytes. Else a diagnostic: "cannot
/// open 'PATH': REASON", "cannot read 'PATH': REASON" (REASON: the OS's
/// strerror text, e.g. "No such file or directory"), or "'PATH' is larger than the
/// 16 MiB a .flow file may be" (`what` names the kind of file). A regular
/// file's size is checked before reading; anything else is read in blocks
/// and refused as soon as it passes `limit`. Never throws for a bad file.
FileRead read_file(const std::string& path, std::uint64_t limit, std::string_view what);

/// read_file of a descriptor already open (0: standard input), named `name`
/// in its messages (`flow run -` names standard input "<stdin>"). Reads to
/// its end; the descriptor stays open.
FileRead read_descriptor(int fd, const std::string& name, std::uint64_t limit, std::string_view what);

}  // namespace flow
