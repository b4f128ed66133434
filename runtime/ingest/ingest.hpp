#pragma once
// Internal to runtime/: the factories of the sources fed from outside the
// pipeline, registered with the built-ins (runtime/ops/registry.cpp).
#include <memory>
#include <string>

#include "flow/model.hpp"
#include "flow/operator.hpp"
#include "flow/planning.hpp"

namespace flow::ingest {

// follow.cpp: read(path, follow=true)
std::unique_ptr<SourceOperator> make_follow(const OperatorCall& call);
/// "" when read(path, follow=true) can follow `path`, else why not (standard input, a device, a FIFO, a directory).
std::string validate_follow(const OperatorCall& call, std::string& argument);

// listen.cpp: listen(address), by the address's scheme
std::unique_ptr<SourceOperator> make_listen(const OperatorCall& call);
OperatorPlan plan_listen(const OperatorCall& call);
/// "" when the call is fine, else why not; `argument` names the offending argument.
std::string validate_listen(const OperatorCall& call, std::string& argument);

// tcp_listen.cpp: listen("tcp://host:port")
std::unique_ptr<SourceOperator> make_tcp_listen(const OperatorCall& call);
std::string validate_tcp_listen(const OperatorCall& call, std::string& argument);
// http_listen.cpp: listen("http://host:port/path")
std::unique_ptr<SourceOperator> make_http_listen(const OperatorCall& call);

}  // namespace flow::ingest
