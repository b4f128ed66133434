// What --vary and --fix select: kinds, single knobs, pinned knobs, the floor
// a knob may go down to, and what a word that names no knob says.
#include <catch2/catch.hpp>

#include <memory>

#include "flow/diagnostic.hpp"
#include "flow/load.hpp"
#include "flow/tune.hpp"

using namespace flow;
using namespace flow::tune;

namespace {

// A service: its requests through a validating stage (2 workers) to a
// database pool of 8; the first edge drops, the second blocks, the last is unbounded.
const char* const kService =
    "source requests = generate(count=10)\n"
    "stage  validate = delay(1ms) [workers=2]\n"
    "stage  db       = delay(5ms) [workers=8]\n"
    "sink   out      = discard()\n"
    "requests -> validate [capacity=20, overflow=drop_newest]\n"
    "validate -> db [capacity=6]\n"
    "db -> out [capacity=unbounded]\n";

Pipeline service() {
  auto source = std::make_shared<SourceFile>(SourceFile{"service.flow", kService});
  auto loaded = load(source, builtin_operators());
  INFO(render_all(*source, loaded.diagnostics));
  REQUIRE(loaded.pipeline);
  return std::move(*loaded.pipeline);
}

std::vector<std::string> targets(const std::vector<Knob>& knobs) {
  std::vector<std::string> names;
  for (const auto& knob : knobs) names.push_back(knob.label);
  return names;
}

Vary only(std::vector<std::string> knobs, std::vector<std::string> fixed = {}) {
  return Vary{false, false, std::move(knobs), std::move(fixed), true};
}

}  // namespace

TEST_CASE("vary takes every knob of a kind or single knobs by name", "[tune]") {
  auto pipeline = service();
  CHECK(targets(read_knobs(pipeline, Vary{}).knobs) ==
        std::vector<std::string>{"requests -> validate", "validate -> db"});
  CHECK(targets(read_knobs(pipeline, Vary{true, true, {}, {}, true}).knobs) ==
        std::vector<std::string>{"validate workers", "db workers", "out workers", "requests -> validate",
                                 "validate -> db"});
  auto single = read_knobs(pipeline, only({"validate.workers"}));
  REQUIRE_FALSE(single.error);
  REQUIRE(single.knobs.size() == 1);
  CHECK(single.knobs[0].kind == Knob::Kind::Workers);
  CHECK(single.knobs[0].target == "validate");
  CHECK(single.knobs[0].now == 2);
  auto edge = read_knobs(pipeline, only({"validate->db.capacity", "db.workers"}));
  // In knobs_of's order whatever the order of the words: workers, then edges.
  CHECK(targets(edge.knobs) == std::vector<std::string>{"db workers", "validate -> db"});
  CHECK(edge.knobs[1].now == 6);
}

TEST_CASE("fix pins knobs that --vary would change, singly or by kind", "[tune]") {
  auto pipeline = service();
  auto pinned =
      read_knobs(pipeline, Vary{true, true, {}, {"db.workers", "requests->validate.capacity"}, true});
  REQUIRE_FALSE(pinned.error);
  CHECK(targets(pinned.knobs) ==
        std::vector<std::string>{"validate workers", "out workers", "validate -> db"});
  CHECK(targets(pinned.fixed) == std::vector<std::string>{"db workers", "requests -> validate"});
  auto kind = read_knobs(pipeline, Vary{true, true, {}, {"workers"}, true});
  CHECK(targets(kind.knobs) == std::vector<std::string>{"requests -> validate", "validate -> db"});
  CHECK(kind.fixed.size() == 3);
  // A knob both varied by name and fixed stays fixed.
  auto both = read_knobs(pipeline, only({"db.workers"}, {"db.workers"}));
  CHECK(both.knobs.empty());
  CHECK(targets(both.fixed) == std::vector<std::string>{"db workers"});
}

TEST_CASE("a knob goes below the file's value only where Vary allows it", "[tune]") {
  auto pipeline = service();
  for (bool below : {true, false}) {
    auto read = read_knobs(pipeline, Vary{true, true, {}, {}, below});
    for (const auto& knob : read.knobs) {
      INFO(knob.label);
      CHECK(knob.floor == (below ? 1 : knob.now));
      CHECK(knob.ceiling >= knob.now);
    }
  }
}

TEST_CASE("a word of --vary or --fix that names no knob says why", "[tune]") {
  auto pipeline = service();
  struct Case {
    const char* word;
    const char* error;
  };
  for (const auto& c : {
           Case{"validat.workers", "'validat.workers': no node 'validat'; did you mean 'validate'?"},
           Case{"requests.workers",
                "'requests.workers': a source's workers are not varied (its rate or count sets its pace)"},
           Case{"db->out.capacity",
                "'db->out.capacity': the edge is unbounded (capacity=unbounded is left alone)"},
           Case{"requests->db.capacity", "'requests->db.capacity': no edge requests -> db"},
           Case{"db.capacity", "'db.capacity': capacity is an edge's: FROM->TO.capacity"},
           Case{"validate->db.workers", "'validate->db.workers': workers are a node's: NODE.workers"},
           Case{"db.count",
                "'db.count': flow tune varies an edge's capacity and a node's workers, not 'count'"},
           Case{"threads",
                "'threads' is not a knob; expected capacity, workers, NODE.workers or FROM->TO.capacity"},
       }) {
    INFO(c.word);
    CHECK(read_knobs(pipeline, only({c.word})).error == c.error);
    CHECK(read_knobs(pipeline, only({}, {c.word})).error == c.error);
  }
}
