// `--part NAME` on `flow check`, and what check, plan and dot show of a file
// with parts (tests/cli/data/split.flow: ingest and validate in front,
// process in the middle, store at the back).
#include <catch2/catch.hpp>

#include "cli/part_option.hpp"
#include "flow/load.hpp"
#include "flow/registry.hpp"
#include "helpers.hpp"

using flow::test::data;
using flow::test::run_flow;
using flow::test::shell_quote;

namespace {

flow::Pipeline loaded(const std::string& name) {
  auto result = flow::load_file(data(name), flow::builtin_operators());
  REQUIRE(result.pipeline);
  return *result.pipeline;
}

}  // namespace

TEST_CASE("part_error accepts a part the file names and refuses any other", "[cli][parts]") {
  auto split = loaded("split");
  for (const char* part : {"front", "middle", "back"}) CHECK_FALSE(flow::cli::part_error(split, part));
  CHECK(flow::cli::part_error(split, "midle") ==
        fmt::format(
            "--part midle: unknown part 'midle' in {}; expected one of front, middle, back; did you mean "
            "'middle'?",
            data("split")));
  // Nothing close: no guess.
  CHECK(flow::cli::part_error(split, "warehouse") ==
        fmt::format("--part warehouse: unknown part 'warehouse' in {}; expected one of front, middle, back",
                    data("split")));
  // A node's name is not a part's.
  CHECK(flow::cli::part_error(split, "ingest"));
}

TEST_CASE("part_error refuses any part of a file that names none", "[cli][parts]") {
  CHECK(flow::cli::part_error(loaded("end_to_end"), "front") ==
        fmt::format("--part front: {} names no parts (part=NAME on its nodes, docs/language.md)",
                    data("end_to_end")));
}

TEST_CASE("check names the parts and the cut edges of a file that has them", "[cli][parts]") {
  auto result = run_flow("check " + shell_quote(data("split")));
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  CHECK(result.out == data("split") +
                          ": parts front (ingest, validate), middle (process), back (store); cut edges "
                          "validate -> process (front -> middle), process -> store (middle -> back)\n");
}

TEST_CASE("the parts line lists nodes without a part as no part", "[cli][parts]") {
  auto split = loaded("split");
  split.nodes[*split.find_node("store")].part.clear();
  CHECK(flow::cli::parts_line(split) ==
        data("split") +
            ": parts front (ingest, validate), middle (process), no part (store); cut edges "
            "validate -> process (front -> middle), process -> store (middle -> no part)");
  CHECK(flow::cli::parts_line(loaded("end_to_end")).empty());
}

TEST_CASE("check --part accepts a part of the file", "[cli][parts]") {
  auto result = run_flow("check --part middle " + shell_quote(data("split")));
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
}

TEST_CASE("check --part refuses an unknown part with exit 2, the file's parts and a guess", "[cli][parts]") {
  auto result = run_flow("check --part midle " + shell_quote(data("split")));
  CHECK(result.exit_code == 2);
  CHECK(result.err ==
        fmt::format("flow: error: --part midle: unknown part 'midle' in {}; expected one of front, "
                    "middle, back; did you mean 'middle'?\n",
                    data("split")));
  CHECK(result.out.empty());
}

TEST_CASE("check --part refuses a file that names no parts with exit 2", "[cli][parts]") {
  auto result = run_flow("check --part front " + shell_quote(data("end_to_end")));
  CHECK(result.exit_code == 2);
  CHECK(
      result.err ==
      fmt::format("flow: error: --part front: {} names no parts (part=NAME on its nodes, docs/language.md)\n",
                  data("end_to_end")));
}

TEST_CASE("check --part checks every file and names each one without the part", "[cli][parts]") {
  auto result = run_flow(
      fmt::format("check --part back {} {}", shell_quote(data("end_to_end")), shell_quote(data("split"))));
  CHECK(result.exit_code == 2);
  CHECK(result.err.find(data("end_to_end") + " names no parts") != std::string::npos);
  CHECK(result.err.find("split.flow") == std::string::npos);
  CHECK(result.out.find(data("split") + ": parts front") == 0);
}

TEST_CASE("plan of a file with parts lists them and its cut edges on JetStream", "[cli][parts]") {
  auto result = run_flow("plan " + shell_quote(data("split")));
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("\n  front   ingest, validate\n  middle  process\n  back    store\n") !=
        std::string::npos);
  CHECK(result.out.find("\ncut edges (each one a NATS JetStream stream") != std::string::npos);
  CHECK(result.out.find("\n  validate -> process  front -> middle  [capacity=5, overflow=drop_newest, "
                        "max_bytes=none]\n") != std::string::npos);
}

TEST_CASE("plan of a file without parts has no parts section", "[cli][parts]") {
  auto result = run_flow("plan " + shell_quote(data("end_to_end")));
  CHECK(result.exit_code == 0);
  CHECK(result.out.find("parts (") == std::string::npos);
  CHECK(result.out.find("cut edges") == std::string::npos);
}

TEST_CASE("dot of a file with parts renders with Graphviz, a cluster per part", "[cli][parts]") {
  auto result = flow::test::run_command(
      fmt::format("({} dot {} | dot -Tsvg)", FLOW_BINARY, shell_quote(data("split"))));
  INFO(result.err);
  CHECK(result.exit_code == 0);
  for (const char* part : {"front", "middle", "back"})
    CHECK(result.out.find(fmt::format("<title>cluster_{}</title>", part)) != std::string::npos);
}
