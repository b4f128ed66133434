// The `flow` executable: everything lives in the flow_cli library, so tests can
// reach the pieces; this file only hands over the command line.
#include <malloc.h>

#include "cli/commands.hpp"
#include "cli/output_file.hpp"
#include "cli/signals.hpp"

int main(int argc, char** argv) {
  // Before anything opens a file: a closed standard descriptor must not be
  // handed to the trace or the JSON as if it were theirs.
  flow::cli::guard_standard_descriptors();
  // glibc raises its mmap threshold each time a large block is freed, after
  // which large payloads come from the heap and their memory stays with the
  // process once freed: the resident size then tracks the most ever
  // allocated, not the payload alive that --memory-limit bounds. A fixed
  // threshold keeps payloads of 1 MiB and more in their own mappings, given
  // back when the message goes.
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
  flow::cli::prepare_output_errors();
  return flow::cli::main(argc, argv);
}
