#include <stdexcept>

#include "runtime/ops/builtins.hpp"

namespace flow::ops {

std::unique_ptr<SourceOperator> make_generate(const OperatorCall&) { throw std::logic_error("generate: not implemented yet"); }
std::unique_ptr<SourceOperator> make_read(const OperatorCall&) { throw std::logic_error("read: not implemented yet"); }

}  // namespace flow::ops
