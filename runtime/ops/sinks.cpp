#include <stdexcept>

#include "runtime/ops/builtins.hpp"

namespace flow::ops {

std::unique_ptr<Operator> make_discard(const OperatorCall&) { throw std::logic_error("discard: not implemented yet"); }
std::unique_ptr<Operator> make_stdout(const OperatorCall&) { throw std::logic_error("stdout: not implemented yet"); }
std::unique_ptr<Operator> make_write(const OperatorCall&) { throw std::logic_error("write: not implemented yet"); }

}  // namespace flow::ops
