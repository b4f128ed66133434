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

// A nats-server with options NatsServer does not give: a user and password,
// or no JetStream. On a free loopback port; stopped when the object goes.
class PlainServer {
 public:
  explicit PlainServer(const std::vector<std::string>& options) : port_(free_port()) {
    std::vector<std::string> args{"-a", "127.0.0.1", "-p", std::to_string(port_)};
    args.insert(args.end(), options.begin(), options.end());
    process_ = std::make_unique<Child>(FLOW_NATS_SERVER, args, true);
    while (auto line = process_->read_line(20s)) {
      if (line->find("Server is ready") != std::string::npos) return;
    }
    FAIL("nats-server did not start: " << process_->out());
  }
  ~PlainServer() {
    process_->send(SIGTERM);
    process_->finish(20s);
  }
  PlainServer(const PlainServer&) = delete;
  PlainServer& operator=(const PlainServer&) = delete;

  std::string address() const { return fmt::format("127.0.0.1:{}", port_); }

 private:
  int port_;
  std::unique_ptr<Child> process_;
};

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

// Everything a command left for a person or a program to read.
std::string everything(const ProcessResult& result, const std::string& json_path = "") {
  return result.out + result.err + (json_path.empty() ? "" : read_file(json_path));
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

TEST_CASE("a password or token in the NATS URL is printed nowhere", "[nats]") {
  const std::string password = "s3cret-pw";
  PlainServer server({"-js", "-sd", temp_directory(), "--user", "flow", "--pass", password});
  auto directory = temp_directory();
  auto file = two_parts(directory + "/two.flow");
  auto json = directory + "/run.json";
  auto url = fmt::format("nats://flow:{}@{}", password, server.address());
  auto shown = fmt::format("nats://flow:***@{}", server.address());
  // With the right password: a run with its summary and JSON, then status.
  auto run = run_command(
      fmt::format("{} run {} --part front --nats {} --metrics-json {}", FLOW_BINARY, file, url, json));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK(everything(run, json).find(password) == std::string::npos);
  auto status = run_command(fmt::format("{} status {} --nats {}", FLOW_BINARY, file, url));
  CHECK(status.exit_code == 0);
  CHECK(status.out.find(fmt::format("pipeline two on {}: 1 cut edge", shown)) != std::string::npos);
  CHECK(everything(status).find(password) == std::string::npos);
  // A wrong password, a server that is not there (the URL given by
  // FLOW_NATS_URL), a token: each error shows the URL, its secret hidden.
  auto dead = fmt::format("127.0.0.1:{}", free_port());
  struct Failing {
    std::string url, secret, shown;
  };
  const std::vector<Failing> failing{
      {fmt::format("nats://flow:wrong-pw@{}", server.address()), "wrong-pw", shown},
      {fmt::format("nats://flow:{}@{}", password, dead), password, fmt::format("nats://flow:***@{}", dead)},
      {fmt::format("nats://t0ken-abc@{}", dead), "t0ken-abc", fmt::format("nats://***@{}", dead)},
  };
  for (const auto& f : failing) {
    auto part = run_command(fmt::format("env FLOW_NATS_URL={} {} run {} --part front --metrics-json {}",
                                        f.url, FLOW_BINARY, file, json));
    INFO(part.out << part.err);
    CHECK(part.exit_code == 1);
    CHECK(part.err.find(fmt::format("cannot reach NATS at {}: ", f.shown)) != std::string::npos);
    CHECK(everything(part, json).find(f.secret) == std::string::npos);
    auto watch = run_command(fmt::format("{} status {} --nats {}", FLOW_BINARY, file, f.url));
    INFO(watch.out << watch.err);
    CHECK(watch.exit_code == 1);
    CHECK(watch.err.find(fmt::format("cannot reach NATS at {}: ", f.shown)) != std::string::npos);
    CHECK(everything(watch).find(f.secret) == std::string::npos);
  }
}

TEST_CASE("flow status --report keeps watching through a restart of the server", "[nats]") {
  NatsServer server;
  auto directory = temp_directory();
  auto file = two_parts(directory + "/two.flow");
  REQUIRE(
      run_command(fmt::format("{} run {} --part front --quiet --nats {}", FLOW_BINARY, file, server.url()))
          .exit_code == 0);
  Child watch(FLOW_BINARY, {"status", file, "--nats", server.url(), "--report", "100ms"}, true);
  auto wait_for = [&](const std::string& text) {
    while (auto line = watch.read_line(20s)) {
      if (line->find(text) != std::string::npos) return true;
    }
    return false;
  };
  REQUIRE(wait_for("backpressure builds at ingest -> store (5/5, full)"));
  server.stop();
  REQUIRE(wait_for(fmt::format("pipeline two: cannot reach NATS at {}", server.url())));
  server.start_again();
  // Back: the stream kept its messages (file storage), and the watch shows them.
  REQUIRE(wait_for("backpressure builds at ingest -> store (5/5, full)"));
  watch.send(SIGINT);
  CHECK(watch.finish(10s) == 130);
}

TEST_CASE("flow status --report stopped by SIGTERM says it stops the watch, not sources", "[nats]") {
  NatsServer server;
  auto directory = temp_directory();
  Child watch(FLOW_BINARY,
              {"status", two_parts(directory + "/two.flow"), "--nats", server.url(), "--report", "100ms"},
              true);
  while (auto line = watch.read_line(20s)) {
    if (line->find("no cut edge holds messages") != std::string::npos) break;
  }
  watch.send(SIGTERM);
  CHECK(watch.finish(10s) == 143);
  INFO(watch.out());
  CHECK(watch.out().find("flow: SIGTERM: stopping the watch; a second signal stops at once") !=
        std::string::npos);
  CHECK(watch.out().find("sources") == std::string::npos);
}

TEST_CASE("a server without JetStream is named as such by flow run --part and flow status", "[nats]") {
  PlainServer server({});
  auto directory = temp_directory();
  auto file = two_parts(directory + "/two.flow");
  auto url = "nats://" + server.address();
  auto expected = fmt::format("flow: error: NATS at {} has no JetStream (start nats-server with -js)", url);
  auto part = run_command(fmt::format("{} run {} --part front --quiet --nats {}", FLOW_BINARY, file, url));
  INFO(part.err);
  CHECK(part.exit_code == 1);
  CHECK(part.err.find(expected) != std::string::npos);
  auto status = run_command(fmt::format("{} status {} --nats {}", FLOW_BINARY, file, url));
  INFO(status.out << status.err);
  CHECK(status.exit_code == 1);
  CHECK(status.err.find(expected) != std::string::npos);
  CHECK(status.out.empty());
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

TEST_CASE("a list of servers in --nats connects to one that answers", "[nats]") {
  NatsServer first;
  NatsServer second;
  auto directory = temp_directory();
  auto file = two_parts(directory + "/two.flow");
  auto dead = fmt::format("nats://127.0.0.1:{}", free_port());
  for (const auto& list :
       {fmt::format("{},{}", dead, first.url()), fmt::format("{}, {}", first.url(), second.url())}) {
    auto part =
        run_command(fmt::format("{} run {} --part front --quiet --nats '{}'", FLOW_BINARY, file, list));
    INFO(list << ": " << part.err);
    CHECK(part.exit_code == 0);
    auto status = run_command(fmt::format("{} status {} --nats '{}'", FLOW_BINARY, file, list));
    INFO(status.err);
    CHECK(status.exit_code == 0);
    CHECK(status.out.find(fmt::format("pipeline two on {}: 1 cut edge", list)) != std::string::npos);
  }
  auto none = run_command(fmt::format("{} status {} --nats {},{}", FLOW_BINARY, file, dead, dead));
  CHECK(none.exit_code == 1);
  CHECK(none.err.find(fmt::format("cannot reach NATS at {},{}: ", dead, dead)) != std::string::npos);
}
