#include "cli/run_output.hpp"
