#include <stdexcept>

#include "runtime/ops/builtins.hpp"

namespace flow::ops {

std::unique_ptr<Operator> make_grep(const OperatorCall&) { throw std::logic_error("grep: not implemented yet"); }
std::unique_ptr<Operator> make_replace(const OperatorCall&) { throw std::logic_error("replace: not implemented yet"); }
std::unique_ptr<Operator> make_upper(const OperatorCall&) { throw std::logic_error("upper: not implemented yet"); }
std::unique_ptr<Operator> make_lower(const OperatorCall&) { throw std::logic_error("lower: not implemented yet"); }
std::unique_ptr<Operator> make_prefix(const OperatorCall&) { throw std::logic_error("prefix: not implemented yet"); }
std::unique_ptr<Operator> make_sample(const OperatorCall&) { throw std::logic_error("sample: not implemented yet"); }

}  // namespace flow::ops
