// value_from_text (flow/value_text.hpp): one value from text outside a file,
// such as a command-line option, parsed and held to the runtime's limits.
#include <catch2/catch.hpp>

#include <chrono>

#include "flow/diagnostic.hpp"
#include "flow/value_text.hpp"

using namespace flow;
using namespace std::chrono_literals;

namespace {

/// The one diagnostic of text that gives no value.
Diagnostic error_of(const std::string& text, std::string_view expected = "a value") {
  auto read = value_from_text(text, expected);
  REQUIRE_FALSE(read.value);
  REQUIRE(read.diagnostics.size() == 1);
  CHECK(read.diagnostics.front().severity == Severity::Error);
  return read.diagnostics.front();
}

}  // namespace

TEST_CASE("a value from text is the value the language gives it, blanks around it allowed", "[grammar]") {
  auto duration = value_from_text("500ms");
  REQUIRE(duration.value);
  CHECK(*duration.value == Value{Duration{500ms}});
  CHECK(duration.diagnostics.empty());
  CHECK(value_from_text("  64MiB\t").value == Value{Size{std::uint64_t{64} << 20}});
  CHECK(value_from_text("10/s").value == Value{Rate{10}});
  // The kind is the caller's to check: any value is one.
  CHECK(value_from_text("true").value == Value{true});
}

TEST_CASE("text that is no value says what the caller expected and why not, under the whole text",
          "[grammar]") {
  std::string text = " 10xs ";
  auto error = error_of(text, "a duration such as 500ms");
  CHECK(error.message ==
        "' 10xs ' is not a duration such as 500ms (unknown unit 'xs'; expected one of ns, us, ms, s, m, h)");
  CHECK(error.location.column == 2);
  CHECK(error.width == 4);
  CHECK(render(SourceFile{"--duration", text}, error) ==
        "--duration:1:2: error: " + error.message + "\n     10xs \n     ^^^^\n");
  CHECK(error_of("").message.starts_with("'' is not a value (expected a value such as '5'"));
  CHECK(error_of("10ms 5").message == "'10ms 5' is not a value (unexpected text after the value)");
}

TEST_CASE("a value past the runtime's limits is refused with the limit's message, as in a file",
          "[grammar]") {
  auto duration = error_of(" 9000h", "a duration such as 500ms");
  CHECK(duration.message == "9000h is longer than the longest duration flow supports, 8760h (365 days)");
  CHECK(duration.location.column == 2);
  CHECK(duration.width == 5);
  CHECK(error_of("2048GiB").message == "2048GiB is larger than the largest size flow supports, 1024GiB");
  CHECK(error_of("2/ns").message ==
        "2000000000/s is faster than the fastest rate flow supports, 1/ns (one message a nanosecond)");
  // The limits themselves are values.
  CHECK(value_from_text("8760h").value == Value{Duration{std::chrono::hours(8760)}});
  CHECK(value_from_text("1024GiB").value == Value{Size{std::uint64_t{1} << 40}});
}
