// exec's children failing on purpose: a crash with restart=false and with
// restart=true, a child that buffers its answers (the timeout), and children
// that will not go (closed input ignored, SIGTERM ignored): none is left
// running after flow exits.
#include <chrono>
#include <csignal>
#include <set>
#include <thread>

#include "child.hpp"
#include "exec_support.hpp"

using namespace flow::test;

namespace {

// Answers each number with "ok n"; on the numbers `crash` names it says so on
// stderr and kills itself with SIGSEGV, holding what was written after.
std::string crasher(const std::string& crash) {
  return fmt::format(R"(import os, signal, sys
for line in sys.stdin:
    n = int(line)
    if {}:
        print(f"about to crash on {{n}}", file=sys.stderr, flush=True)
        os.kill(os.getpid(), signal.SIGSEGV)
    print(f"ok {{n}}")
)",
                     crash);
}

}  // namespace

TEST_CASE(
    "a child killed by SIGSEGV with restart=false fails the run naming the node, the signal and its stderr",
    "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(1000));
  write_file(dir + "/crash.py", crasher("n == 100"));
  auto run = run_flow(dir, stage_pipeline(dir, fmt::format(R"(exec("python3", "{}/crash.py"))", dir)));
  REQUIRE(run.process.exit_code != 0);
  CHECK_THAT(run.process.err, Catch::Contains("stage work failed"));
  CHECK_THAT(
      run.process.err,
      Catch::Matches(
          R"([\s\S]*\(operator exec\): python3 \(pid \d+\) was killed by SIGSEGV holding \d+ lines? \(restart=false\); its last standard error: about to crash on 100[\s\S]*)"));
  // Its stderr also came through as it was written, prefixed with the node.
  CHECK_THAT(run.process.err, Catch::Contains("work: about to crash on 100"));
  // Lines 0-99 were answered; whatever of them reached the sink is a prefix in order.
  auto lines = lines_of(dir + "/out.txt");
  REQUIRE(lines.size() <= 100);
  for (std::size_t n = 0; n < lines.size(); ++n) CHECK(lines[n] == fmt::format("ok {}", n));
  // Nothing is lost silently: the node answered 0-99 and counts what the child held as errors.
  REQUIRE(run.metrics.is_object());
  auto work = entry(run.metrics, "nodes", "work");
  CHECK(number(work, "out") == 100);
  CHECK(number(work, "errors") >= 1);
  CHECK(number(work, "in") == number(work, "out") + number(work, "errors"));
  CHECK(processes_with(dir) == "");
}

TEST_CASE(
    "restart=true with on_error=skip starts a new child after each crash and accounts for every message",
    "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(1000));
  write_file(dir + "/crash.py", crasher("n % 50 == 25"));
  auto run =
      run_flow(dir, stage_pipeline(dir, fmt::format(R"(exec("python3", "{}/crash.py", restart=true))", dir),
                                   "on_error=skip"));
  INFO(run.process.err);
  REQUIRE(run.process.exit_code == 0);
  // 25, 75, ..., 975 crash their child: 20 errors, 20 children started anew.
  std::vector<std::string> expected;
  for (int n = 0; n < 1000; ++n)
    if (n % 50 != 25) expected.push_back(fmt::format("ok {}", n));
  CHECK(lines_of(dir + "/out.txt") == expected);
  auto work = entry(run.metrics, "nodes", "work");
  CHECK(number(work, "errors") == 20);
  CHECK(work.at("counts").at("restarts").get<std::uint64_t>() == 20);
  auto lines = entry(run.metrics, "sources", "lines");
  CHECK(number(lines, "produced") == 1000);
  CHECK(number(lines, "delivered") == 980);
  CHECK(number(lines, "errors") == 20);
}

TEST_CASE("restart=true gives up on a child that dies at once, every time", "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(100));
  auto run = run_flow(dir, stage_pipeline(dir, R"(exec("sh", "-c", "echo broken >&2; exit 2", restart=true))",
                                          "on_error=skip"));
  REQUIRE(run.process.exit_code != 0);
  CHECK_THAT(run.process.err, Catch::Contains("gave up after 5 children in a row died answering nothing"));
  // Whether the line reached it before it exited is a race: "holding 0 lines" or "1 line".
  CHECK_THAT(run.process.err, Catch::Contains("sh (pid "));
  CHECK_THAT(run.process.err, Catch::Contains("exited with status 2 holding "));
  CHECK_THAT(run.process.err, Catch::Contains("; its last standard error: broken"));
}

TEST_CASE("a child that buffers its answers fails the node after timeout with how many came and the hint",
          "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(10));
  // A 64 KiB buffer of its own: PYTHONUNBUFFERED cannot reach it.
  write_file(dir + "/buffered.py",
             "import os, sys\nout = os.fdopen(1, 'w', 65536)\nfor line in sys.stdin:\n    out.write(line)\n");
  auto started = std::chrono::steady_clock::now();
  auto run = run_flow(
      dir, stage_pipeline(dir, fmt::format(R"(exec("python3", "{}/buffered.py", timeout=1s))", dir)));
  auto took = std::chrono::steady_clock::now() - started;
  REQUIRE(run.process.exit_code != 0);
  CHECK_THAT(run.process.err, Catch::Contains("stage work failed"));
  CHECK_THAT(run.process.err, Catch::Contains("no answer from python3 for 1s: 0 of 10 answers came"));
  CHECK_THAT(run.process.err, Catch::Contains("sed -u, jq --unbuffered"));
  CHECK(took < std::chrono::seconds(30));
  CHECK(processes_with(dir) == "");
}

TEST_CASE("a child that ignores the end of its input and SIGTERM is killed and reaped", "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(20));
  write_file(dir + "/stubborn.py", R"(import signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
for line in sys.stdin:
    print(line, end="")
while True:
    time.sleep(1)
)");
  auto run = run_flow(
      dir,
      stage_pipeline(dir, fmt::format(R"(exec("python3", "{}/stubborn.py", timeout=4s))", dir), "workers=2"));
  REQUIRE(run.process.exit_code != 0);
  CHECK_THAT(run.process.err, Catch::Contains("did not exit within 4000 ms of the end of its input"));
  CHECK_THAT(run.process.err, Catch::Contains("killed by SIGKILL"));
  CHECK(processes_with(dir) == "");
}

TEST_CASE("Ctrl-C drains through the children, ends them and leaves none behind", "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/echo.py", "import sys\nfor line in sys.stdin:\n    print('seen', line, end='')\n");
  write_file(dir + "/exec.flow",
             fmt::format(
                 "pipeline endless\n\nsource ticks = generate(rate=2000/s)\nstage  work  = exec(\"python3\", "
                 "\"{0}/echo.py\") [workers=3]\nsink   out   = write(\"{0}/out.txt\")\n\nticks -> work "
                 "[capacity=64]\nwork -> out [capacity=64]\n",
                 dir));
  Child flow(FLOW_BINARY, {"run", dir + "/exec.flow", "--metrics-json", dir + "/metrics.json"});
  // The children are at work once answers reach the file.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (lines_of(dir + "/out.txt").size() < 100 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(lines_of(dir + "/out.txt").size() >= 100);
  REQUIRE(processes_with(dir + "/echo.py") != "");
  flow.send(SIGINT);
  int status = flow.finish(std::chrono::seconds(30));
  INFO(flow.err());
  CHECK(status == 130);  // interrupted and drained (docs/commands.md)
  CHECK(processes_with(dir) == "");
  // Drained: every message the source made reached the file, none failed.
  auto metrics = Json::parse(read_file(dir + "/metrics.json"));
  auto ticks = entry(metrics, "sources", "ticks");
  CHECK(number(ticks, "errors") == 0);
  CHECK(number(ticks, "delivered") == number(ticks, "produced"));
  CHECK(lines_of(dir + "/out.txt").size() == number(ticks, "produced"));
}

TEST_CASE("a child that answers a line with two fails the run instead of shifting every later answer",
          "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(1000));
  write_file(dir + "/twice.py", R"(import sys
for line in sys.stdin:
    print("first " + line.strip())
    print("second " + line.strip())
)");
  auto run = run_flow(dir, stage_pipeline(dir, fmt::format(R"(exec("python3", "{}/twice.py"))", dir)));
  REQUIRE(run.process.exit_code != 0);
  CHECK_THAT(run.process.err,
             Catch::Contains("the program wrote more than one line for a line it was given"));
  CHECK(processes_with(dir) == "");
}

TEST_CASE("a run another node fails does not wait for a slow child's answers", "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(200));
  // One answer a second: the 64 lines of a chunk would take a minute.
  write_file(dir + "/slow.py", R"(import sys, time
for line in sys.stdin:
    time.sleep(1)
    print(line.strip())
)");
  auto text = fmt::format(R"(pipeline slow_child
source lines = read("{0}/in.txt")
stage  work  = exec("python3", "{0}/slow.py", timeout=120s)
sink   out   = write("{0}/out.txt")
sink   full  = write("/dev/full")

lines -> work [capacity=64]
lines -> full
work -> out
)",
                          dir);
  auto started = std::chrono::steady_clock::now();
  auto run = run_flow(dir, text);
  auto took = std::chrono::steady_clock::now() - started;
  REQUIRE(run.process.exit_code != 0);
  CHECK_THAT(run.process.err, Catch::Contains("sink full"));
  // Asked every 100 ms whether the run failed, it gives up long before the chunk's minute.
  CHECK(took < std::chrono::seconds(20));
  CHECK(processes_with(dir) == "");
}

TEST_CASE("children that will not end are waited for together, one timeout for all", "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(400));
  // Slow enough that the four workers' chunks overlap, so four children run.
  write_file(dir + "/stubborn.py", R"(import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
for line in sys.stdin:
    time.sleep(0.01)
    print(line, end="")
while True:
    time.sleep(1)
)");
  auto started = std::chrono::steady_clock::now();
  auto run = run_flow(
      dir,
      stage_pipeline(dir, fmt::format(R"(exec("python3", "{}/stubborn.py", timeout=2s))", dir), "workers=4"));
  auto took = std::chrono::steady_clock::now() - started;
  REQUIRE(run.process.exit_code != 0);
  std::size_t stubborn = 0;
  for (auto at = run.process.err.find("did not exit within 2000 ms"); at != std::string::npos;
       at = run.process.err.find("did not exit within 2000 ms", at + 1))
    ++stubborn;
  INFO(run.process.err);
  REQUIRE(stubborn >= 3);
  // One after the other they would take 2.5 s each; together about 2.5 s in all.
  CHECK(took < std::chrono::milliseconds(1000) + stubborn * std::chrono::milliseconds(1500));
  CHECK(processes_with(dir) == "");
}

TEST_CASE("what a child left running in the background is ended with it", "[calls][exec]") {
  auto dir = temp_directory();
  write_file(dir + "/in.txt", number_lines(10));
  write_file(dir + "/background.py", "import time\ntime.sleep(300)\n");
  auto run = run_flow(
      dir, stage_pipeline(
               dir, fmt::format(R"(exec("sh", "-c", "python3 {}/background.py >/dev/null 2>&1 & exec cat"))",
                                dir)));
  INFO(run.process.err);
  REQUIRE(run.process.exit_code == 0);
  CHECK(lines_of(dir + "/out.txt").size() == 10);
  // SIGTERM reaches it as flow ends: look until it is gone, for up to 5 s.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (processes_with(dir) != "" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(processes_with(dir) == "");
}

TEST_CASE("a second Ctrl-C ends flow at once and takes its children with it", "[calls][exec]") {
  auto dir = temp_directory();
  // Busy with its first line for minutes, writing nothing: only a signal ends it.
  write_file(dir + "/slow.py", "import sys, time\nfor line in sys.stdin:\n    time.sleep(300)\n");
  write_file(dir + "/exec.flow",
             fmt::format(
                 "pipeline endless\n\nsource ticks = generate(rate=2000/s)\nstage  work  = exec(\"python3\", "
                 "\"{0}/slow.py\") [workers=2]\nsink   out   = write(\"{0}/out.txt\")\n\nticks -> work "
                 "[capacity=64]\nwork -> out [capacity=64]\n",
                 dir));
  Child flow(FLOW_BINARY, {"run", dir + "/exec.flow"}, true);  // its stderr read as it comes
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (processes_with(dir + "/slow.py") == "" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(processes_with(dir + "/slow.py") != "");
  flow.send(SIGINT);
  // The second only once the first was taken (its notice), or the two would be one.
  bool noticed = false;
  while (!noticed && std::chrono::steady_clock::now() < deadline) {
    auto line = flow.read_line(std::chrono::milliseconds(1000));
    noticed = line && line->find("SIGINT") != std::string::npos;
  }
  REQUIRE(noticed);
  flow.send(SIGINT);
  int status = flow.finish(std::chrono::seconds(30));
  INFO(flow.err());
  CHECK(status != 0);
  // SIGKILL reaches them as flow dies: look until they are gone, for up to 5 s.
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (processes_with(dir) != "" && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(processes_with(dir) == "");
}
