#include <stdexcept>

#include "runtime/ops/builtins.hpp"

namespace flow::ops {

std::unique_ptr<Operator> make_delay(const OperatorCall&) { throw std::logic_error("delay: not implemented yet"); }
std::unique_ptr<Operator> make_spin(const OperatorCall&) { throw std::logic_error("spin: not implemented yet"); }
std::unique_ptr<Operator> make_throttle(const OperatorCall&) { throw std::logic_error("throttle: not implemented yet"); }

}  // namespace flow::ops
