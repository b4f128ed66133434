#include "ops_test_support.hpp"
#include "temp_files.hpp"
#include "view_support.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

using flow::Chunk;
using flow::test::batch_of;
using flow::test::chunk_of;
using flow::test::make_operator;

TEST_CASE("discard delivers everything it is given", "[ops]") {
  auto discard = make_operator("discard");
  Chunk messages = chunk_of({"a", "b"});
  messages.push_back(batch_of({"c", "d"}));
  flow::test::RecordingContext context;
  discard->apply(messages, context);
  CHECK(messages.size() == 3);
  CHECK(context.removed.empty());
}

TEST_CASE("write puts each payload, each batch member, on its own line", "[ops]") {
  flow::test::TempPath file;
  {
    auto write = make_operator("write", {{"path", file.str()}});
    Chunk messages = chunk_of({"first"});
    messages.push_back(batch_of({"second", "third"}));
    messages.emplace_back().payload = "";
    flow::test::RecordingContext context;
    write->apply(messages, context);
    CHECK(messages.size() == 3);
  }
  CHECK(flow::test::read_text(file.str()) == "first\nsecond\nthird\n\n");
}

TEST_CASE("write fails at construction naming a path it cannot open", "[ops]") {
  flow::test::TempPath directory;
  std::string path = directory.str() + "/no/such/dir.out";
  CHECK_THROWS_WITH(make_operator("write", {{"path", path}}),
                    Catch::Contains("cannot open '" + path + "' for writing"));
}

TEST_CASE("write keeps lines whole when workers share it", "[ops]") {
  flow::test::TempPath file;
  constexpr int threads = 4;
  constexpr int chunks = 200;
  {
    auto write = make_operator("write", {{"path", file.str()}});
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        flow::test::RecordingContext context;
        for (int c = 0; c < chunks; ++c) {
          Chunk messages = chunk_of({fmt::format("{}-{}-a", t, c), fmt::format("{}-{}-b", t, c)});
          write->apply(messages, context);
        }
      });
    }
    for (auto& worker : workers) worker.join();
  }
  std::istringstream text(flow::test::read_text(file.str()));
  std::set<std::string> lines;
  for (std::string line; std::getline(text, line);) lines.insert(line);
  CHECK(lines.size() == threads * chunks * 2);
  CHECK(lines.count("3-199-b") == 1);
}

TEST_CASE("stdout prints each payload and batch member on its own line", "[ops]") {
  flow::test::TempPath capture;
  std::fflush(stdout);
  int saved = ::dup(STDOUT_FILENO);
  REQUIRE(std::freopen(capture.str().c_str(), "w", stdout) != nullptr);
  {
    auto print = make_operator("stdout");
    Chunk messages = chunk_of({"one"});
    messages.push_back(batch_of({"two", "three"}));
    flow::test::RecordingContext context;
    print->apply(messages, context);
  }
  std::fflush(stdout);
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  CHECK(flow::test::read_text(capture.str()) == "one\ntwo\nthree\n");
}

TEST_CASE("write gives exact bytes for read()'s views, \\r\\n lines, a last line without one, strings and batches",
          "[ops][views]") {
  flow::test::TempPath input, file;
  Chunk lines = flow::test::read_lines(input, "alpha\nbeta\r\n\ngamma\r\ndelta\nlast");
  REQUIRE(flow::test::payloads(lines) == std::vector<std::string>{"alpha", "beta", "", "gamma", "delta", "last"});
  Chunk messages = lines;
  messages.emplace_back().payload = "owned";
  messages.push_back(batch_of({"member 1", ""}));
  messages.back().members.push_back(lines[4]);  // a view inside a batch
  messages.back().members.push_back(lines[0]);  // out of order: not next to the previous piece
  messages.push_back(lines[5]);                 // the last line again, after strings
  messages.push_back(lines[1]);
  {
    auto write = make_operator("write", {{"path", file.str()}});
    flow::test::RecordingContext context;
    write->apply(messages, context);
    CHECK(messages.size() == 10);
    write->finish();
  }
  CHECK(flow::test::read_text(file.str()) ==
        "alpha\nbeta\n\ngamma\ndelta\nlast\nowned\nmember 1\n\ndelta\nalpha\nlast\nbeta\n");
}

TEST_CASE("a write cut short by the file size limit counts the lines written in full", "[ops][views]") {
  // 100 lines of 100 bytes as views of one block (one piece for writev); the
  // limit falls inside line 26: the kernel takes 2550 bytes, then refuses the
  // rest with EFBIG (SIGXFSZ ignored, as tests/faults does with ulimit -f).
  flow::test::TempPath input, file;
  std::string text;
  for (int i = 0; i < 100; ++i) text += fmt::format("{:099}\n", i);
  Chunk messages = flow::test::read_lines(input, text);
  REQUIRE(messages.size() == 100);
  REQUIRE(messages[0].payload.is_view());
  auto write = make_operator("write", {{"path", file.str()}});
  flow::test::RecordingContext context;

  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit limited = saved;
  limited.rlim_cur = 2550;
  REQUIRE(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
  std::optional<std::size_t> written;
  std::string what;
  try {
    write->apply(messages, context);
  } catch (const flow::StreamError& error) {
    written = error.written();
    what = error.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &saved);
  std::signal(SIGXFSZ, old_handler);

  REQUIRE(written.has_value());
  CHECK(*written == 25);
  CHECK(what.find(std::strerror(EFBIG)) != std::string::npos);
  auto on_disk = flow::test::read_text(file.str());
  CHECK(on_disk.size() == 2550);
  CHECK(on_disk.substr(0, 2500) == text.substr(0, 2500));
  CHECK(on_disk.substr(2500) == text.substr(2500, 50));  // part of line 26, cut by the limit
}
