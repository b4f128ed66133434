// read(path, follow=true) against real files changed by the test while a
// `flow run` follows them: appends, a rotation (rename, then a new file at the
// path), a truncation (copytruncate), a glob with a gzip-compressed rotated
// file, and the checks that refuse what cannot be followed.
#include <catch2/catch.hpp>

#include <zlib.h>

#include <sys/stat.h>

#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "follow_support.hpp"

using namespace flow::test;

namespace {

/// The metrics JSON's counts of the node `name`, by event.
std::map<std::string, std::uint64_t> counts_of(const std::string& dir, const std::string& name) {
  auto metrics = nlohmann::json::parse(read_file(dir + "/metrics.json"));
  std::map<std::string, std::uint64_t> counts;
  for (const auto& node : metrics.at("nodes")) {
    if (node.at("name") != name) continue;
    for (const auto& [event, value] : node.at("counts").items()) counts[event] = value.get<std::uint64_t>();
  }
  return counts;
}

/// Ends the run as Ctrl-C would and checks it ended well.
void interrupt(Child& flow) {
  flow.send(SIGINT);
  int status = flow.finish(std::chrono::seconds(20));
  INFO(flow.err());
  REQUIRE(status == 130);  // 128 + SIGINT, drained (docs/commands.md)
}

void gzip_file(const std::string& path, const std::string& text) {
  gzFile file = gzopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  REQUIRE(gzwrite(file, text.data(), static_cast<unsigned>(text.size())) == static_cast<int>(text.size()));
  REQUIRE(gzclose(file) == Z_OK);
}

}  // namespace

TEST_CASE(
    "a followed file's appended lines arrive as they are written and a partial line waits for its newline",
    "[ingest][follow]") {
  auto dir = temp_directory();
  auto log = dir + "/app.log";
  append(log, numbered("early ", 0, 3));
  auto flow = start_flow(dir, follow_pipeline(dir, log));
  REQUIRE(wait_for_lines(dir + "/out.txt", 3));
  append(log, numbered("late ", 0, 2) + "half a li");
  REQUIRE(wait_for_lines(dir + "/out.txt", 5));
  append(log, "ne\n" + numbered("last ", 0, 1) + "never finished");
  REQUIRE(wait_for_lines(dir + "/out.txt", 7));
  interrupt(*flow);
  auto out = line_counts(dir + "/out.txt");
  // The line cut in two by the writer arrives whole, once; the one never finished does not.
  CHECK(out == std::map<std::string, int>{{"early 0", 1},
                                          {"early 1", 1},
                                          {"early 2", 1},
                                          {"late 0", 1},
                                          {"late 1", 1},
                                          {"half a line", 1},
                                          {"last 0", 1}});
  CHECK(counts_of(dir, "logs")["files_opened"] == 1);
}

TEST_CASE("a rotated file is read to its end and the new file at its path is followed", "[ingest][follow]") {
  auto dir = temp_directory();
  auto log = dir + "/app.log";
  append(log, numbered("old ", 0, 3));
  auto flow = start_flow(dir, follow_pipeline(dir, log));
  REQUIRE(wait_for_lines(dir + "/out.txt", 3));
  // logrotate's `create`: rename, new file; the writer finishes a line in the old one first.
  REQUIRE(std::rename(log.c_str(), (log + ".1").c_str()) == 0);
  append(log + ".1", numbered("old ", 3, 2));
  append(log, numbered("new ", 0, 4));
  REQUIRE(wait_for_lines(dir + "/out.txt", 9));
  append(log, numbered("new ", 4, 1));
  REQUIRE(wait_for_lines(dir + "/out.txt", 10));
  interrupt(*flow);
  auto out = line_counts(dir + "/out.txt");
  for (int i = 0; i < 5; ++i) CHECK(out[fmt::format("old {}", i)] == 1);
  for (int i = 0; i < 5; ++i) CHECK(out[fmt::format("new {}", i)] == 1);
  CHECK(total(out) == 10);
  auto counts = counts_of(dir, "logs");
  CHECK(counts["files_opened"] == 2);
  CHECK(counts["rotations"] == 1);
}

TEST_CASE("a truncated file (copytruncate) is read again from its start", "[ingest][follow]") {
  auto dir = temp_directory();
  auto log = dir + "/app.log";
  append(log, numbered("before ", 0, 4));
  auto flow = start_flow(dir, follow_pipeline(dir, log));
  REQUIRE(wait_for_lines(dir + "/out.txt", 4));
  REQUIRE(::truncate(log.c_str(), 0) == 0);
  append(log, numbered("after ", 0, 2));
  REQUIRE(wait_for_lines(dir + "/out.txt", 6));
  interrupt(*flow);
  auto out = line_counts(dir + "/out.txt");
  CHECK(out["after 0"] == 1);
  CHECK(out["after 1"] == 1);
  CHECK(total(out) == 6);
  CHECK(counts_of(dir, "logs")["truncations"] == 1);
}

TEST_CASE("a glob follows every match, picks up new ones and reads gzip-compressed rotations",
          "[ingest][follow]") {
  auto dir = temp_directory();
  gzip_file(dir + "/app.log.2.gz", numbered("oldest ", 0, 300));
  append(dir + "/app.log.1", numbered("older ", 0, 5));
  append(dir + "/app.log", numbered("current ", 0, 5));
  append(dir + "/other.txt", "not matched\n");
  auto flow = start_flow(dir, follow_pipeline(dir, dir + "/app.log*"));
  REQUIRE(wait_for_lines(dir + "/out.txt", 310));
  // A new match appears by a rename into the directory (compressed elsewhere first).
  gzip_file(dir + "/staging.gz.tmp", numbered("newest gz ", 0, 7));
  REQUIRE(std::rename((dir + "/staging.gz.tmp").c_str(), (dir + "/app.log.3.gz").c_str()) == 0);
  append(dir + "/app.log", numbered("current ", 5, 1));
  REQUIRE(wait_for_lines(dir + "/out.txt", 318));
  interrupt(*flow);
  auto out = line_counts(dir + "/out.txt");
  for (int i = 0; i < 300; ++i) REQUIRE(out[fmt::format("oldest {}", i)] == 1);
  for (int i = 0; i < 7; ++i) CHECK(out[fmt::format("newest gz {}", i)] == 1);
  CHECK(out["current 5"] == 1);
  CHECK(out.count("not matched") == 0);
  CHECK(total(out) == 318);
  CHECK(counts_of(dir, "logs")["files_opened"] == 4);
}

TEST_CASE("a rotated file compressed by logrotate is not read twice", "[ingest][follow]") {
  auto dir = temp_directory();
  auto first = numbered("first file, a line long enough to make a head of its own: ", 0, 10);
  append(dir + "/app.log.1", first);
  append(dir + "/app.log", numbered("current ", 0, 2));
  auto flow = start_flow(dir, follow_pipeline(dir, dir + "/app.log*"));
  REQUIRE(wait_for_lines(dir + "/out.txt", 12));
  // logrotate's compress: app.log.1 becomes app.log.2.gz, with two lines the
  // writer added before the rotation that the follower may not have read yet.
  append(dir + "/app.log.1", numbered("first file, late ", 0, 2));
  gzip_file(dir + "/app.log.2.gz.tmp", read_file(dir + "/app.log.1"));
  REQUIRE(std::rename((dir + "/app.log.2.gz.tmp").c_str(), (dir + "/app.log.2.gz").c_str()) == 0);
  REQUIRE(std::remove((dir + "/app.log.1").c_str()) == 0);
  append(dir + "/app.log", numbered("current ", 2, 1));
  REQUIRE(wait_until([&] { return line_counts(dir + "/out.txt").count("current 2") == 1; }));
  REQUIRE(wait_until([&] { return line_counts(dir + "/out.txt").count("first file, late 1") == 1; }));
  interrupt(*flow);
  auto out = line_counts(dir + "/out.txt");
  for (const auto& [line, count] : out) {
    INFO(line);
    CHECK(count == 1);
  }
  CHECK(total(out) == 15);
}

TEST_CASE("a followed line longer than max_line fails the run naming the file", "[ingest][follow]") {
  auto dir = temp_directory();
  auto log = dir + "/app.log";
  append(log, "short\n");
  write_file(dir + "/long.flow",
             fmt::format("pipeline long\n\nsource logs = read(\"{}\", follow=true, max_line=16B)\n"
                         "sink   out  = write(\"{}/out.txt\")\n\nlogs -> out\n",
                         log, dir));
  auto flow = start_flow(dir, dir + "/long.flow");
  REQUIRE(wait_for_lines(dir + "/out.txt", 1));
  append(log, std::string(40, 'x') + "\n");
  CHECK(flow->finish(std::chrono::seconds(20)) == 1);
  CHECK_THAT(flow->err(), Catch::Contains("source logs") && Catch::Contains("longer than max_line 16B") &&
                              Catch::Contains(log));
}

TEST_CASE("following a file in a directory that does not exist fails the run naming the node",
          "[ingest][follow]") {
  auto dir = temp_directory();
  write_file(dir + "/gone.flow", fmt::format("pipeline gone\n\nsource logs = read(\"{}/nowhere/app.log\", "
                                             "follow=true)\nsink   out  = discard()\n\nlogs -> out\n",
                                             dir));
  auto result = run_command(fmt::format("{} run -q gone.flow", FLOW_BINARY), dir);
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("source logs") && Catch::Contains("cannot watch the directory"));
}

TEST_CASE("follow=true is refused for standard input, a directory and the virtual clock",
          "[ingest][follow]") {
  auto dir = temp_directory();
  auto check = [&](const std::string& source, const std::string& header) {
    write_file(dir + "/bad.flow",
               fmt::format("pipeline bad{}\n\nsource logs = {}\nsink   out  = discard()\n\nlogs -> out\n",
                           header, source));
    return run_command(fmt::format("{} check bad.flow", FLOW_BINARY), dir);
  };
  auto stdin_result = check("read(\"-\", follow=true)", "");
  CHECK(stdin_result.exit_code != 0);
  CHECK_THAT(stdin_result.err,
             Catch::Contains("bad.flow:3:") && Catch::Contains("standard input") && Catch::Contains("^"));
  auto directory_result = check(fmt::format("read(\"{}\", follow=true)", dir), "");
  CHECK(directory_result.exit_code != 0);
  CHECK_THAT(directory_result.err, Catch::Contains("is a directory"));
  auto virtual_result = check(fmt::format("read(\"{}/app.log\", follow=true)", dir), " [clock=virtual]");
  CHECK(virtual_result.exit_code != 0);
  CHECK_THAT(virtual_result.err, Catch::Contains("virtual clock") && Catch::Contains("bad.flow:3:"));
  // The same file followed on the real clock is fine, even before it exists (tail -F waits for it).
  CHECK(check(fmt::format("read(\"{}/app.log\", follow=true)", dir), "").exit_code == 0);
}

TEST_CASE("the example follow_rotating keeps the ERROR lines of a rotating log and its checkpoints",
          "[ingest][follow][examples]") {
  auto dir = temp_directory();
  REQUIRE(::mkdir((dir + "/logs").c_str(), 0755) == 0);
  gzip_file(dir + "/logs/app.log.2.gz", "INFO start\nERROR disk full\n");
  append(dir + "/logs/app.log.1", "ERROR retry\nINFO ok\n");
  append(dir + "/logs/app.log", "INFO up\n");
  auto example = std::string(FLOW_SOURCE_DIR) + "/examples/ingest/follow_rotating.flow";
  Child flow("/bin/sh", {"-c", fmt::format("cd {} && exec {} run -q {}", shell_quote(dir), FLOW_BINARY,
                                           shell_quote(example))});
  REQUIRE(wait_for_lines(dir + "/errors.log", 2));
  append(dir + "/logs/app.log", "ERROR late\nINFO fine\n");
  REQUIRE(wait_for_lines(dir + "/errors.log", 3));
  interrupt(flow);
  auto out = line_counts(dir + "/errors.log");
  CHECK(out == std::map<std::string, int>{{"ERROR disk full", 1}, {"ERROR retry", 1}, {"ERROR late", 1}});
  auto checkpoints = nlohmann::json::parse(read_file(dir + "/state/logs.follow.json"));
  CHECK(checkpoints.at("files").size() == 3);
}
