// The `flow` executable: everything lives in the flow_cli library, so tests can
// reach the pieces; this file only hands over the command line.
#include "cli/commands.hpp"

int main(int argc, char** argv) { return flow::cli::main(argc, argv); }
