// A file with part=: plan lists the parts and the cut edges between them.
#include <catch2/catch.hpp>

#include "flow/plan.hpp"
#include "pipelines.hpp"

using namespace flow;
using namespace flow::test;

namespace {

// The end-to-end example split in three: ingest and validate in front,
// process in the middle, store at the back. Cut: validate -> process and
// process -> store; ingest -> validate stays inside front.
Pipeline split() {
  auto pipeline = end_to_end();
  pipeline.name = "split";
  for (const char* name : {"ingest", "validate"}) pipeline.nodes[*pipeline.find_node(name)].part = "front";
  pipeline.nodes[*pipeline.find_node("process")].part = "middle";
  pipeline.nodes[*pipeline.find_node("store")].part = "back";
  return pipeline;
}

bool contains(const std::string& text, const std::string& piece) {
  return text.find(piece) != std::string::npos;
}

}  // namespace

TEST_CASE("Plan lists each part with its nodes and each cut edge with its parts and settings",
          "[output][parts]") {
  auto pipeline = split();
  pipeline.edges[1].overflow = Overflow::DropNewest;
  pipeline.edges[1].max_bytes = 1000;
  auto plan = to_plan(pipeline, builtin_operators());
  INFO(plan);
  CHECK(contains(plan,
                 "\nparts (flow run --part NAME runs one; without --part one process runs them all):\n"
                 "  front   ingest, validate\n"
                 "  middle  process\n"
                 "  back    store\n\n"));
  CHECK(contains(plan,
                 "\ncut edges (each one a NATS JetStream stream with the edge's capacity and policy):\n"
                 "  validate -> process  front -> middle  [capacity=5, overflow=drop_newest, max_bytes=1KB]\n"
                 "  process -> store     middle -> back   [capacity=5, overflow=block, max_bytes=none]\n\n"));
  CHECK(contains(plan, "[workers=1, ordered=false, fanout=broadcast, on_error=fail, part=middle]\n"));
  // The section sits between the edges and the bounds.
  CHECK(plan.find("\nedges:\n") < plan.find("\nparts ("));
  CHECK(plan.find("\ncut edges (") < plan.find("\nbounds ("));
}

TEST_CASE("Plan lists nodes without a part as (no part) and a file cut nowhere as none", "[output][parts]") {
  auto pipeline = split();
  pipeline.nodes[*pipeline.find_node("store")].part.clear();
  auto plan = to_plan(pipeline, builtin_operators());
  INFO(plan);
  CHECK(contains(plan, "\n  (no part)  store\n"));
  CHECK(contains(plan, "\n  process -> store     middle -> (no part)  [capacity=5"));
  for (auto& node : pipeline.nodes) node.part = "all";
  plan = to_plan(pipeline, builtin_operators());
  CHECK(contains(plan, "\n  all  ingest, validate, process, store\n"));
  CHECK(contains(plan, "stream with the edge's capacity and policy):\n  none\n"));
}
