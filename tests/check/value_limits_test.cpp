// Values past what the runtime can represent are check errors with a caret
// under them, naming the limit (runtime/model/value_limits.hpp).
#include <catch2/catch.hpp>

#include "support.hpp"

using namespace flow;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using flow::test::diagnostics_of;
using flow::test::load_text;

namespace {

// A valid pipeline around one stage `work` declared on line 2 by `stage_line`.
std::string with_stage(const std::string& stage_line) {
  return "source ingest = generate(count=10)\n" + stage_line +
         "\n"
         "sink store = discard()\n"
         "ingest -> work -> store\n";
}

// A valid pipeline whose source is declared on line 1 by `source_line`.
std::string with_source(const std::string& source_line) {
  return source_line + "\nsink store = discard()\ningest -> store\n";
}

bool loads(const std::string& text) {
  return load_text(text).pipeline.has_value();
}

}  // namespace

TEST_CASE("a delay longer than a year is an error under the value, naming the limit", "[check]") {
  CHECK(
      diagnostics_of(with_stage("stage work = delay(9223372000s)")) ==
      "t.flow:2:20: error: 9223372000s is longer than the longest duration flow supports, 8760h (365 days)\n"
      "    stage work = delay(9223372000s)\n"
      "                       ^^^^^^^^^^^\n");
}

TEST_CASE("a delay of exactly the longest duration is accepted, one nanosecond more is not", "[check]") {
  CHECK(loads(with_stage("stage work = delay(8760h)")));
  CHECK_FALSE(loads(with_stage("stage work = delay(31536000000000001ns)")));
}

TEST_CASE("every duration is held to the limit: within, every, report, spin", "[check]") {
  CHECK_THAT(diagnostics_of(with_stage("stage work = batch(max=10, within=9000h)")),
             StartsWith("t.flow:2:35: error: 9000h is longer than the longest duration"));
  CHECK_THAT(diagnostics_of(with_source("source ingest = generate(burst=1, every=9000h)")),
             StartsWith("t.flow:1:41: error: 9000h is longer than the longest duration"));
  CHECK_THAT(diagnostics_of("pipeline p [report=9000h]\n" + with_source("source ingest = generate(count=1)")),
             StartsWith("t.flow:1:20: error: 9000h is longer than the longest duration"));
  CHECK_THAT(diagnostics_of(with_stage("stage work = spin(9000h)")),
             StartsWith("t.flow:2:19: error: 9000h is longer than the longest duration"));
}

TEST_CASE("a rate faster than one message a nanosecond is an error", "[check]") {
  CHECK(diagnostics_of(with_source("source ingest = generate(rate=1000000000000000/ns)")) ==
        "t.flow:1:31: error: 1e+24/s is faster than the fastest rate flow supports, 1/ns (one message a "
        "nanosecond)\n"
        "    source ingest = generate(rate=1000000000000000/ns)\n"
        "                                  ^^^^^^^^^^^^^^^^^^^\n");
  CHECK(loads(with_source("source ingest = generate(count=10, rate=1/ns)")));
  CHECK_THAT(diagnostics_of(with_stage("stage work = throttle(2/ns)")),
             StartsWith("t.flow:2:23: error: 2000000000/s is faster than the fastest rate"));
}

TEST_CASE("a rate slower than one message a year is an error, while zero is left to the operator",
          "[check]") {
  CHECK_THAT(
      diagnostics_of(with_stage("stage work = throttle(0.0001/h)")),
      StartsWith("t.flow:2:23: error: ") &&
          Contains("is slower than the slowest rate flow supports, one message every 8760h (365 days)"));
  CHECK(loads(with_stage("stage work = throttle(0.001/h)")));
  CHECK_THAT(diagnostics_of(with_stage("stage work = throttle(0/s)")),
             Contains("error: rate must be more than 0 per second"));
}

TEST_CASE("a size above 1024GiB is an error, and so is a payload above 256MiB", "[check]") {
  CHECK(diagnostics_of("source ingest = generate(count=1)\nsink store = discard()\n"
                       "ingest -> store [max_bytes=2048GiB]\n") ==
        "t.flow:3:28: error: 2048GiB is larger than the largest size flow supports, 1024GiB\n"
        "    ingest -> store [max_bytes=2048GiB]\n"
        "                               ^^^^^^^\n");
  CHECK(loads(
      "source ingest = generate(count=1)\nsink store = discard()\ningest -> store [max_bytes=1024GiB]\n"));
  CHECK(diagnostics_of(with_source("source ingest = generate(count=1, size=512MiB)")) ==
        "t.flow:1:40: error: size must be at most 256MiB, the largest message flow makes, got 512MiB\n"
        "    source ingest = generate(count=1, size=512MiB)\n"
        "                                           ^^^^^^\n");
  CHECK(loads(with_source("source ingest = generate(count=1, size=256MiB)")));
}

TEST_CASE("batch(max=N) above a million is an error", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = batch(max=1000000000)")) ==
        "t.flow:2:24: error: max must be at most 1000000, got 1000000000\n"
        "    stage work = batch(max=1000000000)\n"
        "                           ^^^^^^^^^^\n");
  CHECK(loads(with_stage("stage work = batch(max=1000000, within=1ms)")));
}

TEST_CASE("a capacity above a billion is an error, unbounded is the way to ask for more", "[check]") {
  CHECK(diagnostics_of("source ingest = generate(count=1)\nsink store = discard()\n"
                       "ingest -> store [capacity=1000000001]\n") ==
        "t.flow:3:27: error: capacity must be at most 1000000000 (or unbounded), got 1000000001\n"
        "    ingest -> store [capacity=1000000001]\n"
        "                              ^^^^^^^^^^\n");
  CHECK(loads(
      "source ingest = generate(count=1)\nsink store = discard()\ningest -> store [capacity=1000000000]\n"));
  CHECK_THAT(
      diagnostics_of("edge [capacity=4000000000]\n" + with_source("source ingest = generate(count=1)")),
      StartsWith("t.flow:1:16: error: capacity must be at most 1000000000"));
}

TEST_CASE("values given by --set are held to the same limits", "[check]") {
  CHECK(diagnostics_of(with_stage("stage work = delay(1ms)"), {Override{"work", "duration", "9000h"}}) ==
        "t.flow: error: --set work.duration=9000h: 9000h is longer than the longest duration flow supports, "
        "8760h "
        "(365 days)\n");
  CHECK(diagnostics_of(with_stage("stage work = batch(max=2)"), {Override{"work", "max", "2000000"}}) ==
        "t.flow: error: --set work.max=2000000: max must be at most 1000000, got 2000000\n");
  CHECK(
      diagnostics_of(with_stage("stage work = delay(1ms)"), {Override{"pipeline", "report", "9000h"}}) ==
      "t.flow: error: --set pipeline.report=9000h: 9000h is longer than the longest duration flow supports, "
      "8760h (365 days)\n");
}
