#include "ops_test_support.hpp"
#include "temp_files.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
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
