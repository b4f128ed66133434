// Trials: a setting judged over seeds 1..N, worst figure kept, runs remembered.
#include <catch2/catch.hpp>

#include "fake_runs.hpp"

using namespace flow;
using namespace flow::tune;
using flow::test::FakeRuns;
using flow::test::goal;

TEST_CASE("judging a setting stops at the first seed that misses; measuring it runs the rest", "[tune]") {
  // Seed s drops s messages: seed 1 already misses dropped=0.
  FakeRuns fake{[](const Setting&, std::uint64_t seed) { return static_cast<double>(seed); }, {}};
  Trials trials({goal("dropped=0")}, Seeds{1, 3}, fake.runner());
  const auto& judged = trials.judge({5});
  CHECK_FALSE(judged.meets);
  CHECK(judged.seeds_run == 1);
  CHECK(trials.runs() == 1);
  const auto& all = trials.measure_all({5});
  CHECK(all.seeds_run == 3);
  CHECK(all.worst[0] == 3);  // the worst of seeds 1, 2 and 3
  CHECK(trials.runs() == 3);
  // Nothing is run twice: seeds 1 to 3 of setting {5}, once each.
  for (std::uint64_t seed = 1; seed <= 3; ++seed) CHECK(fake.runs.at({{5}, seed}) == 1);
  trials.measure_all({5});
  CHECK(trials.runs() == 3);
  CHECK(trials.settings() == 1);
}

TEST_CASE("a setting meets the goals only when every seed does", "[tune]") {
  // Only seed 3 drops.
  FakeRuns fake{[](const Setting&, std::uint64_t seed) { return seed == 3 ? 1.0 : 0.0; }, {}};
  Trials two({goal("dropped=0")}, Seeds{1, 2}, fake.runner());
  CHECK(two.judge({1}).meets);
  Trials three({goal("dropped=0")}, Seeds{1, 3}, fake.runner());
  CHECK_FALSE(three.judge({1}).meets);
}

TEST_CASE("a run that failed fails its setting, whatever its figures", "[tune]") {
  auto run = [](const Setting& setting, std::uint64_t) {
    Measurement m{{0.0}, std::nullopt};
    if (setting[0] < 3) m.failure = "edge s -> k overflowed: capacity 2, at 0.01 s";
    return m;
  };
  Trials trials({goal("dropped=0")}, Seeds{1, 2}, run);
  const auto& failed = trials.judge({2});
  CHECK_FALSE(failed.meets);
  CHECK(failed.failure == "edge s -> k overflowed: capacity 2, at 0.01 s");
  CHECK(trials.judge({3}).meets);
}

TEST_CASE("the closest setting misses the fewest goals, then by the least", "[tune]") {
  // Goal 1 (dropped=0) drops 10 - capacity; goal 2 (peak_messages<=4) holds capacity.
  auto run = [](const Setting& setting, std::uint64_t) {
    auto c = static_cast<double>(setting[0]);
    return Measurement{{std::max(0.0, 10 - c), c}, std::nullopt};
  };
  Trials trials({goal("dropped=0"), goal("peak_messages<=4")}, Seeds{1, 1}, run);
  trials.judge({2});   // misses dropped by 8
  trials.judge({6});   // misses dropped by 4 and peak_messages by 0.5
  trials.judge({12});  // misses only peak_messages, by 2
  trials.judge({9});   // misses both
  CHECK(trials.closest() == Setting{12});
  trials.judge({4});  // misses only dropped, by 6 messages: further than 2
  CHECK(trials.closest() == Setting{12});
}

TEST_CASE("the seeds run are the first seed and those after it", "[tune]") {
  FakeRuns fake{[](const Setting&, std::uint64_t) { return 0.0; }, {}};
  Trials trials({goal("dropped=0")}, Seeds{7, 3}, fake.runner());
  trials.measure_all({1});
  CHECK(fake.runs ==
        std::map<std::pair<Setting, std::uint64_t>, int>{{{{1}, 7}, 1}, {{{1}, 8}, 1}, {{{1}, 9}, 1}});
}

TEST_CASE("a delivered goal is judged by its least seed, which may be any of them", "[tune]") {
  // Seed s delivers 100 - s %: seed 3 is the worst and misses delivered>=98%.
  FakeRuns fake{[](const Setting&, std::uint64_t seed) { return 100.0 - static_cast<double>(seed); }, {}};
  Trials trials({goal("delivered>=98%")}, Seeds{1, 3}, fake.runner());
  const auto& all = trials.measure_all({1});
  CHECK(all.worst[0] == 97);
  CHECK_FALSE(all.meets);
  Trials two({goal("delivered>=98%")}, Seeds{1, 2}, fake.runner());
  CHECK(two.measure_all({1}).worst[0] == 98);
  CHECK(two.judge({1}).meets);
}
