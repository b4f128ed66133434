// The connection to NATS and the streams it finds there: a stream made
// beforehand that would lose messages, credentials in the URL, a watch across
// a server restart, a server without JetStream, a file name NATS cannot take,
// and a list of servers.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <csignal>
#include <functional>

#include "support.hpp"

using namespace flow::test;
using namespace std::chrono_literals;

namespace {

// Two parts joined by one cut edge, ingest -> store, of capacity 5.
std::string two_parts(const std::string& path, const std::string& header = "pipeline two\n") {
  write_file(path, header +
                       "source ingest = generate(count=20, size=8B) [part=front]\n"
                       "sink   store  = discard() [part=back]\n"
                       "ingest -> store [capacity=5, overflow=drop_newest]\n");
  return path;
}

}  // namespace

TEST_CASE("a file with parts whose name NATS cannot take is a check error naming it", "[nats]") {
  auto directory = temp_directory();
  for (const std::string stem : {"my.pipe", "a b", "café", "star*"}) {
    auto file = two_parts(fmt::format("{}/{}.flow", directory, stem), "");
    auto check = run_command(fmt::format("{} check {}", FLOW_BINARY, shell_quote(file)));
    INFO(check.err);
    CHECK(check.exit_code == 2);
    CHECK(check.err.find(fmt::format("{}: error: the pipeline is named '{}' after its file", file, stem)) !=
          std::string::npos);
    CHECK(check.err.find("add a first line `pipeline NAME`") != std::string::npos);
    // flow run --part stops there too, before it looks for a server.
    auto part = run_command(
        fmt::format("{} run {} --part front --nats nats://127.0.0.1:1", FLOW_BINARY, shell_quote(file)));
    CHECK(part.exit_code == 2);
    CHECK(part.err.find(fmt::format("the pipeline is named '{}' after its file", stem)) != std::string::npos);
  }
  // The same name is fine for a file without parts (it never meets NATS), and
  // a `pipeline` line names the pipeline instead of the file.
  auto plain = directory + "/my.plain.flow";
  write_file(plain, "source s = generate(count=1)\nsink k = discard()\ns -> k\n");
  CHECK(run_command(fmt::format("{} check {}", FLOW_BINARY, plain)).exit_code == 0);
  auto named = two_parts(directory + "/my.named.flow", "pipeline named\n");
  CHECK(run_command(fmt::format("{} check {}", FLOW_BINARY, named)).exit_code == 0);
}

