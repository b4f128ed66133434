#include <stdexcept>

#include "runtime/ops/builtins.hpp"

namespace flow::ops {

std::unique_ptr<Operator> make_batch(const OperatorCall&) { throw std::logic_error("batch: not implemented yet"); }
std::unique_ptr<Operator> make_unbatch(const OperatorCall&) { throw std::logic_error("unbatch: not implemented yet"); }

}  // namespace flow::ops
