// The connection to NATS and the streams it finds there: a stream made
// beforehand that would lose messages, credentials in the URL, a watch across
// a server restart, a server without JetStream, a file name NATS cannot take,
// and a list of servers.
#include <fmt/format.h>
#include <nats/nats.h>
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

// Creates the stream of two.flow's cut edge as flow would, changed by `change`,
// with the C client directly: a user who made it beforehand with the nats CLI.
void create_stream(const std::string& url, const std::function<void(jsStreamConfig&)>& change) {
  natsConnection* connection = nullptr;
  REQUIRE(natsConnection_ConnectTo(&connection, url.c_str()) == NATS_OK);
  jsCtx* js = nullptr;
  REQUIRE(natsConnection_JetStream(&js, connection, nullptr) == NATS_OK);
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  const char* subjects[] = {"flow.two.ingest.store"};
  config.Name = "flow-two-ingest-store";
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Retention = js_WorkQueuePolicy;
  config.MaxMsgs = 5;
  config.Discard = js_DiscardNew;
  config.Storage = js_FileStorage;
  change(config);
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  auto status = js_AddStream(&info, js, &config, nullptr, &code);
  jsStreamInfo_Destroy(info);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  REQUIRE(status == NATS_OK);
}

}  // namespace

TEST_CASE("a stream made beforehand with a limit that loses or refuses messages is refused at start",
          "[nats]") {
  struct Case {
    const char* name;
    std::function<void(jsStreamConfig&)> change;
    const char* found;  // what the error says the stream has
  };
  const std::vector<Case> cases{
      {"max_age", [](jsStreamConfig& c) { c.MaxAge = 1'000'000'000; }, "max_age 1s"},
      {"memory storage", [](jsStreamConfig& c) { c.Storage = js_MemoryStorage; }, "memory storage"},
      {"limits retention", [](jsStreamConfig& c) { c.Retention = js_LimitsPolicy; }, "limits retention"},
      // Below one frame (11 bytes and the payload): every publish would be refused.
      {"max_msg_size", [](jsStreamConfig& c) { c.MaxMsgSize = 8; }, "max_msg_size 8"},
      {"max_msgs_per_subject", [](jsStreamConfig& c) { c.MaxMsgsPerSubject = 2; }, "max_msgs_per_subject 2"},
  };
  auto directory = temp_directory();
  auto file = two_parts(directory + "/two.flow");
  for (const auto& c : cases) {
    SECTION(c.name) {
      NatsServer server;
      create_stream(server.url(), c.change);
      auto started = std::chrono::steady_clock::now();
      auto result = run_command(
          fmt::format("{} run {} --part front --quiet --nats {}", FLOW_BINARY, file, server.url()));
      INFO(result.err);
      CHECK(result.exit_code == 1);
      CHECK(result.err.find(
                "needs a stream with max_msgs 5, max_bytes unlimited, discard=new, work-queue retention, "
                "file storage, max_age unlimited, max_msg_size unlimited") != std::string::npos);
      CHECK(result.err.find(fmt::format("the JetStream stream flow-two-ingest-store has ")) !=
            std::string::npos);
      CHECK(result.err.find(c.found) != std::string::npos);
      CHECK(std::chrono::steady_clock::now() - started < 10s);
    }
  }
}

TEST_CASE("a stream made beforehand that differs only in what cannot lose a message is taken", "[nats]") {
  NatsServer server;
  auto directory = temp_directory();
  auto file = two_parts(directory + "/two.flow");
  create_stream(server.url(), [](jsStreamConfig& c) {
    c.Description = "made by hand";
    c.Duplicates = 60'000'000'000;
  });
  auto result =
      run_command(fmt::format("{} run {} --part front --quiet --nats {}", FLOW_BINARY, file, server.url()));
  INFO(result.err);
  CHECK(result.exit_code == 0);
}

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

