// listen("tcp://..."): lines from real clients (plain sockets, logger --tcp)
// arrive exactly; a full `block` edge stops the reading so the sender's
// socket fills; max_connections, idle_timeout and max_line refuse and count.
#include <fcntl.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <vector>

#include "tcp_support.hpp"

using namespace flow::test;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

/// Line i of connection c, with a body that varies in length.
std::string line_of(int c, int i) {
  return fmt::format("conn {} line {} {}", c, i, std::string(i % 97, 'x'));
}

}  // namespace

TEST_CASE("every line sent over TCP arrives exactly, from many connections at once", "[ingest][tcp]") {
  TcpRun run("");
  const int connections = 12, per_connection = 3000;
  std::uint64_t expected_bytes = 0;
  std::map<int, std::vector<std::string>> sent;
  for (int c = 0; c < connections; ++c) {
    for (int i = 0; i < per_connection; ++i) {
      sent[c].push_back(line_of(c, i));
      expected_bytes += sent[c].back().size() + 1;
    }
  }
  std::vector<std::thread> senders;
  for (int c = 0; c < connections; ++c) {
    senders.emplace_back([&, c] {
      int fd = connect_to(run.port);
      std::string bytes;
      for (int i = 0; i < per_connection; ++i) {
        const auto& line = sent[c][static_cast<std::size_t>(i)];
        // Three framings: LF, CRLF, and RFC 6587 octet counting (a syslog message starts with '<').
        if (c % 3 == 0) bytes += line + "\n";
        if (c % 3 == 1) bytes += line + "\r\n";
        if (c % 3 == 2) bytes += fmt::format("{} {}", line.size() + 4, "<13>" + line);
      }
      // The last line of a connection may lack its newline: the connection's end finishes it.
      if (c % 3 == 0) bytes.pop_back();
      send_all(fd, bytes);
      close(fd);
    });
  }
  for (auto& sender : senders) sender.join();
  // Octet-counted lines carry their "<13>".
  expected_bytes += static_cast<std::uint64_t>(4 * per_connection * (connections / 3));
  REQUIRE(wait_for_size(run.out, expected_bytes));
  auto metrics = run.stop();
  CHECK(metrics["status"] == "interrupted");
  // Each connection's lines arrive whole and in the order sent; none is lost or added.
  std::map<int, std::vector<std::string>> got;
  for (auto line : lines_of(read_file(run.out))) {
    if (line.rfind("<13>", 0) == 0) line = line.substr(4);
    int c = std::stoi(line.substr(5));
    got[c].push_back(line);
  }
  CHECK(got == sent);
  auto counts = node_counts(metrics, "net");
  CHECK(counts["connections"] == connections);
  CHECK(counts["lines_too_long"] == 0);
}

TEST_CASE("logger --tcp lines arrive, in both of RFC 6587's framings", "[ingest][tcp]") {
  TcpRun run("");
  std::string input = run.dir + "/input.txt";
  std::string text;
  for (int i = 0; i < 200; ++i) text += fmt::format("message number {} from logger\n", i);
  write_file(input, text);
  for (std::string framing : {"", "--octet-count"}) {
    auto result = run_command(fmt::format("logger --tcp --server 127.0.0.1 --port {} {} -t flowtest -f {}",
                                          run.port, framing, shell_quote(input)));
    REQUIRE(result.exit_code == 0);
  }
  // Each syslog line is "<13>1 TIMESTAMP HOST flowtest - - [...] message number N from logger".
  const std::regex line(R"(<\d+>1 \S+ \S+ flowtest .* (message number \d+ from logger))");
  auto expected = lines_of(text);
  std::vector<std::string> messages;
  auto deadline = SteadyClock::now() + 20s;
  while (messages.size() < 2 * expected.size() && SteadyClock::now() < deadline) {
    messages.clear();
    for (const auto& got : lines_of(read_file(run.out))) {
      std::smatch match;
      if (std::regex_match(got, match, line)) messages.push_back(match[1]);
    }
    std::this_thread::sleep_for(5ms);  // polling the file, not timing it
  }
  auto metrics = run.stop();
  REQUIRE(messages.size() == 2 * expected.size());
  CHECK(std::vector(messages.begin(), messages.begin() + 200) == expected);
  CHECK(std::vector(messages.begin() + 200, messages.end()) == expected);
  CHECK(lines_of(read_file(run.out)).size() == 2 * expected.size());  // no line torn in two or joined
}

TEST_CASE("a line longer than max_line is skipped and counted, and the connection goes on", "[ingest][tcp]") {
  TcpRun run(", max_line=100B");
  int fd = connect_to(run.port);
  std::string hundred(100, 'a');
  send_all(fd, "first\n" + std::string(5000, 'x') + "\n" + hundred + "\r\n" + std::string(101, 'y') +
                   "\nsecond\n" + fmt::format("{} <13>{}", 204, std::string(200, 'z')) + "13 <13>third one");
  close(fd);
  std::string expected = "first\n" + hundred + "\nsecond\n<13>third one\n";
  REQUIRE(wait_for_size(run.out, expected.size()));
  auto metrics = run.stop();
  CHECK(read_file(run.out) == expected);
  // The 5000-byte line, the 101-byte one and the 204-byte counted frame; 100 bytes and a CRLF is not too
  // long.
  CHECK(node_counts(metrics, "net")["lines_too_long"] == 3);
}

TEST_CASE("a connection beyond max_connections is closed at once and counted", "[ingest][tcp]") {
  TcpRun run(", max_connections=2");
  int first = connect_to(run.port), second = connect_to(run.port);
  send_all(first, "one\n");
  send_all(second, "two\n");
  // Both are accepted once their lines arrived; only then is the third one over the limit.
  REQUIRE(wait_for_size(run.out, 8));
  int third = connect_to(run.port);
  CHECK(wait_for_close(third, 10s));
  // The two within the limit stay open and go on.
  send_all(first, "three\n");
  REQUIRE(wait_for_size(run.out, 14));
  close(third);
  close(first);
  close(second);
  auto counts = node_counts(run.stop(), "net");
  CHECK(counts["connections"] == 2);
  CHECK(counts["connections_refused"] == 1);
}

TEST_CASE("idle_timeout closes a quiet connection and counts it", "[ingest][tcp]") {
  TcpRun run(", idle_timeout=300ms");
  int fd = connect_to(run.port);
  auto opened = SteadyClock::now();
  send_all(fd, "hello\n");
  REQUIRE(wait_for_size(run.out, 6));
  CHECK(wait_for_close(fd, 10s));
  CHECK(SteadyClock::now() - opened >= 300ms);
  close(fd);
  auto counts = node_counts(run.stop(), "net");
  CHECK(counts["idle_closed"] == 1);
  CHECK(counts["connections"] == 1);
}

TEST_CASE("a listener binds loopback when the address names no host, and says where", "[ingest][tcp]") {
  auto dir = temp_directory();
  write_file(dir + "/any.flow", "source net = listen(\"tcp://:0\")\nsink store = discard()\nnet -> store\n");
  Child child(FLOW_BINARY, {"run", dir + "/any.flow", "--duration", "100ms"}, true);
  auto line = child.read_line(10s);
  REQUIRE(line);
  CHECK(std::regex_match(*line, std::regex(R"(flow: listening on tcp://127\.0\.0\.1:\d+)")));
  CHECK(child.finish(30s) == 0);
}

TEST_CASE("a port already taken fails the run naming the source and the address", "[ingest][tcp]") {
  TcpRun run("");
  auto dir = temp_directory();
  write_file(
      dir + "/taken.flow",
      fmt::format("source net = listen(\"tcp://127.0.0.1:{}\")\nsink store = discard()\nnet -> store\n",
                  run.port));
  auto result = run_command(fmt::format("{} run {}", FLOW_BINARY, shell_quote(dir + "/taken.flow")));
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains(fmt::format(
                             "cannot listen on tcp://127.0.0.1:{}: Address already in use", run.port)));
  run.stop();
}

TEST_CASE("flow check refuses a listener under the virtual clock and a malformed address", "[ingest][tcp]") {
  auto dir = temp_directory();
  write_file(
      dir + "/virtual.flow",
      "pipeline p [clock=virtual]\nsource net = listen(\"tcp://127.0.0.1:5140\")\nsink store = discard()\n"
      "net -> store\n");
  auto result = run_command(fmt::format("{} check {}", FLOW_BINARY, shell_quote(dir + "/virtual.flow")));
  CHECK(result.exit_code != 0);
  CHECK_THAT(result.out + result.err, Catch::Contains("the virtual clock cannot wait for"));
  write_file(dir + "/bad.flow",
             "source net = listen(\"tcp://127.0.0.1:99999\")\nsink store = discard()\nnet -> store\n");
  result = run_command(fmt::format("{} check {}", FLOW_BINARY, shell_quote(dir + "/bad.flow")));
  CHECK(result.exit_code != 0);
  CHECK_THAT(result.out + result.err, Catch::Contains("bad.flow:1:21"));
  CHECK_THAT(result.out + result.err, Catch::Contains("expected a port from 0 to 65535"));
  write_file(
      dir + "/http_only.flow",
      "source net = listen(\"tcp://127.0.0.1:0\", max_body=1MiB)\nsink store = discard()\nnet -> store\n");
  result = run_command(fmt::format("{} check {}", FLOW_BINARY, shell_quote(dir + "/http_only.flow")));
  CHECK(result.exit_code != 0);
  CHECK_THAT(result.out + result.err, Catch::Contains("max_body applies to http:// listeners only"));
}

TEST_CASE("a full block edge stops the reading: the sender's socket fills and flow's memory stays bounded",
          "[ingest][tcp]") {
  // 50 lines a second leave: the sender offers far more.
  TcpRun run("", "delay(20ms) | write(\"{out}\")", " [capacity=8, overflow=block]");
  const std::uint64_t bound = plan_messages(run);
  int fd = connect_to(run.port);
  int small = 64 * 1024;
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  const std::size_t line_size = 1000, offered = std::size_t{64} << 20;
  std::string lines;
  for (std::size_t i = 0; lines.size() < 1 << 20; ++i) {
    auto line = fmt::format("{:08} ", i);
    lines += line + std::string(line_size - line.size() - 1, 'p') + "\n";
  }
  // Sends until the socket stays unwritable for half a second: the kernel's
  // window is closed because nothing reads. A reader that buffered on its own
  // would take the whole 64 MiB.
  std::size_t sent = 0;
  bool blocked = false;
  auto deadline = SteadyClock::now() + 30s;
  while (sent < offered && SteadyClock::now() < deadline) {
    auto at = sent % lines.size();
    auto n = send(fd, lines.data() + at, lines.size() - at, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    REQUIRE(errno == EAGAIN);
    pollfd writable{fd, POLLOUT, 0};
    if (poll(&writable, 1, 500) == 0) {
      blocked = true;
      break;
    }
  }
  CHECK(blocked);
  CHECK(sent < offered / 4);
  auto rss = peak_rss(run.child->pid());
  close(fd);
  auto metrics = run.stop();
  INFO("sent " << sent << " bytes, flow's peak RSS " << rss);
  // What flow holds: no more messages than the plan's bound, and beyond them
  // one connection's buffer (max_line 64 KiB and one 64 KiB read).
  CHECK(metrics["peak_messages"].get<std::uint64_t>() <= bound);
  CHECK(metrics["peak_payload_bytes"].get<std::uint64_t>() <= bound * line_size + 128 * 1024);
  CHECK(rss < std::uint64_t{64} << 20);
  // What arrived is the first lines sent, whole and in order.
  auto got = read_file(run.out);
  CHECK(got.size() % line_size == 0);
  CHECK(got == std::string(lines.substr(0, got.size())));
}

TEST_CASE("a slow sender halfway through a line does not hold up the other connections", "[ingest][tcp]") {
  TcpRun run("");
  int slow = connect_to(run.port);
  send_all(slow, "the start of a line that is never finish");
  int other = connect_to(run.port);
  std::string lines;
  for (int i = 0; i < 1000; ++i) lines += line_of(1, i) + "\n";
  send_all(other, lines);
  CHECK(wait_for_size(run.out, lines.size(), 10s));
  close(other);
  auto metrics = run.stop();
  close(slow);
  // The unfinished line was not taken: stopping hands on whole lines only.
  CHECK(read_file(run.out) == lines);
  CHECK(node_counts(metrics, "net")["connections"] == 2);
}

TEST_CASE("flow check refuses what an http:// listener cannot take: max_line, an unknown ack, no connections",
          "[ingest][http]") {
  auto dir = temp_directory();
  auto refused = [&](const std::string& arguments, int column, const std::string& expected) {
    write_file(dir + "/http.flow", fmt::format("source net = listen(\"http://127.0.0.1:0/in\", {})\n"
                                               "sink store = discard()\nnet -> store\n",
                                               arguments));
    auto result = run_command(fmt::format("{} check {}", FLOW_BINARY, shell_quote(dir + "/http.flow")));
    INFO(arguments);
    CHECK(result.exit_code != 0);
    CHECK_THAT(result.out + result.err, Catch::Contains(fmt::format("http.flow:1:{}", column)));
    CHECK_THAT(result.out + result.err, Catch::Contains(expected));
  };
  // The caret goes under the value: the arguments begin at column 46.
  refused("max_line=1KiB", 55, "max_line applies to tcp:// listeners only");
  refused("ack=sometimes", 50, "expected ack=accepted or ack=delivered, got sometimes");
  refused("max_connections=0", 62, "max_connections must be at least 1, got 0");
}
