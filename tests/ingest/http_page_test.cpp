// The live page of `flow run --ui` shows what listen("http://…") counted of
// its answers (nodes[].counts), read from the page in headless chromium.
#include <regex>
#include <thread>

#include "chromium.hpp"
#include "http_run.hpp"

using namespace flow::test;
using namespace std::chrono_literals;

TEST_CASE("the live page lists the listener's answers by status as they are counted", "[ingest][http][ui]") {
  HttpRun run(R"(source in = listen("http://127.0.0.1:0/ingest", max_body=1KB)
sink out = write("@OUT@")
in -> out [capacity=100]
)",
              {"--ui", "0", "--quiet"});
  // flow prints where the page is, before or after the listener's line.
  const std::regex ui(R"(flow: ui at (http://127\.0\.0\.1:\d+/))");
  std::smatch match;
  std::string said = run.child().out();
  while (!std::regex_search(said, match, ui)) {
    REQUIRE(run.child().read_line(10s));
    said = run.child().out();
  }
  REQUIRE(run.post(lines_file(run.dir(), "three", 3)).status == 202);
  write_file(run.dir() + "/big.txt", std::string(2000, 'x'));
  REQUIRE(run.post(run.dir() + "/big.txt").status == 413);

  HeadlessChromium browser;
  bool opened = browser.open(match[1], 1280, 860);
  INFO("chromium said: " << browser.last_reply());
  REQUIRE(opened);
  const std::string shown = R"((() => {
    const list = document.querySelector('#counts dl[data-node="in"]');
    if (!list || document.getElementById('counts').hidden) return null;
    const names = Array.from(list.querySelectorAll('dt')).map((dt) => dt.textContent);
    const values = Array.from(list.querySelectorAll('dd')).map((dd) => Number(dd.textContent));
    return Object.fromEntries(names.map((name, i) => [name, values[i]]));
  })())";
  nlohmann::json counts;
  auto deadline = std::chrono::steady_clock::now() + 20s;
  // A snapshot comes every report interval: polled until it shows both answers.
  while (!counts.is_object() || counts.value("too_large", 0) != 1) {
    INFO("the page showed: " << counts.dump());
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(50ms);  // the poll's pace, not a wait for anything
    counts = browser.evaluate(shown).value_or(nlohmann::json());
  }
  CHECK(counts.value("accepted", 0) == 1);
  CHECK(counts.value("accepted_messages", 0) == 3);
  CHECK(counts.value("rejected", -1) == 0);
}
