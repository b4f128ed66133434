// The search, on made-up runs whose answers follow from their definition.
#include <catch2/catch.hpp>

#include "fake_runs.hpp"
#include "flow/tune.hpp"
#include "runtime/tune/knobs.hpp"

using namespace flow;
using namespace flow::tune;
using flow::test::burst_drops;
using flow::test::FakeRuns;
using flow::test::goal;

namespace {

Knob capacity(const std::string& target, std::uint64_t now, std::uint64_t floor = 1) {
  return Knob{Knob::Kind::Capacity, 0, target, target, now, capacity_ceiling(now), floor};
}

}  // namespace

TEST_CASE("one edge: the least capacity that holds a burst of 50, and 49 drops one", "[tune]") {
  FakeRuns fake{[](const Setting& s, std::uint64_t) { return burst_drops(s, 50); }, {}};
  std::vector<Knob> knobs{capacity("a->b", 20)};  // ceiling 20 x 64 = 1280
  Trials trials({goal("dropped=0")}, Seeds{1, 3}, fake.runner());
  auto result = search(knobs, trials);
  REQUIRE(result.met);
  CHECK(result.setting == Setting{50});
  CHECK(result.at_setting.worst[0] == 0);
  CHECK(result.at_setting.seeds_run == 3);
  REQUIRE(result.one_below[0]);
  CHECK(result.one_below[0]->worst[0] == 1);
  CHECK(result.one_below[0]->seeds_run == 3);
  // The file's 20 misses; the ceiling 1280 meets; doubling 1, 2, 4, 8, 16,
  // 32 miss and 64 meets; the binary search between 32 and 64 tries 48
  // (miss), 56, 52, 50 (meet) and 49 (miss); the second pass asks about 49
  // again, remembered: 14 settings.
  CHECK(result.settings == 14);
  // A setting that meets runs all 3 seeds (1280, 64, 56, 52, 50), one that
  // misses stops at seed 1 (20, 1, 2, 4, 8, 16, 32, 48, 49); then 49 is
  // measured on seeds 2 and 3 for the table: 15 + 9 + 2.
  CHECK(result.runs == 26);
  CHECK_FALSE(result.file_meets);
}

TEST_CASE("an answer at the ceiling or at 1 is found too", "[tune]") {
  for (std::uint64_t burst : {1, 64, 1280}) {
    INFO("burst " << burst);
    FakeRuns fake{[burst](const Setting& s, std::uint64_t) { return burst_drops(s, burst); }, {}};
    std::vector<Knob> knobs{capacity("a->b", 20)};
    Trials trials({goal("dropped=0")}, Seeds{1, 1}, fake.runner());
    auto result = search(knobs, trials);
    REQUIRE(result.met);
    CHECK(result.setting == Setting{burst});
    CHECK(result.one_below[0].has_value() == (burst > 1));
  }
}

TEST_CASE("the worst seed decides: each seed's burst is 40 + the seed", "[tune]") {
  for (std::uint64_t seeds : {1, 3, 5}) {
    FakeRuns fake{[](const Setting& s, std::uint64_t seed) { return burst_drops(s, 40 + seed); }, {}};
    std::vector<Knob> knobs{capacity("a->b", 20)};
    Trials trials({goal("dropped=0")}, Seeds{1, seeds}, fake.runner());
    auto result = search(knobs, trials);
    REQUIRE(result.met);
    CHECK(result.setting == Setting{40 + seeds});
  }
}

TEST_CASE("several edges are lowered one at a time until a whole pass changes nothing", "[tune]") {
  // Together the two edges must hold 10, and the second at least 2.
  auto drops = [](const Setting& s, std::uint64_t) {
    return static_cast<double>((s[0] + s[1] >= 10 ? 0 : 10 - s[0] - s[1]) + (s[1] >= 2 ? 0 : 1));
  };
  FakeRuns fake{drops, {}};
  std::vector<Knob> knobs{capacity("a->b", 1), capacity("b->c", 1)};  // ceilings 64
  Trials trials({goal("dropped=0")}, Seeds{1, 1}, fake.runner());
  auto result = search(knobs, trials);
  REQUIRE(result.met);
  // The first edge goes to 1 while the second is still at 64, then the second
  // to 9; the second pass finds neither can go lower.
  CHECK(result.setting == Setting{1, 9});
  CHECK_FALSE(result.one_below[0]);
  REQUIRE(result.one_below[1]);
  CHECK(result.one_below[1]->worst[0] == 1);
}

TEST_CASE("a run that fails below some capacity counts as missing the goals there", "[tune]") {
  auto run = [](const Setting& s, std::uint64_t) {
    Measurement m{{0.0}, std::nullopt};
    if (s[0] < 7) m.failure = "edge a -> b overflowed";
    return m;
  };
  std::vector<Knob> knobs{capacity("a->b", 4)};
  Trials trials({goal("dropped=0")}, Seeds{1, 2}, run);
  auto result = search(knobs, trials);
  REQUIRE(result.met);
  CHECK(result.setting == Setting{7});
  REQUIRE(result.one_below[0]);
  CHECK(result.one_below[0]->failure == "edge a -> b overflowed");
}

TEST_CASE("goals no setting meets: the closest of the ceiling and the file's own, and nothing below",
          "[tune]") {
  // More capacity drops less but never none.
  FakeRuns fake{[](const Setting& s, std::uint64_t) { return 1.0 + 1000.0 / static_cast<double>(s[0]); }, {}};
  std::vector<Knob> knobs{capacity("a->b", 20)};
  Trials trials({goal("dropped=0")}, Seeds{1, 3}, fake.runner());
  auto result = search(knobs, trials);
  CHECK_FALSE(result.met);
  CHECK(result.setting == Setting{1280});
  CHECK_FALSE(result.one_below[0]);
  CHECK(result.settings == 2);  // the ceiling and the file's 20
  CHECK(result.at_setting.seeds_run == 3);
  CHECK(result.runs == 4);  // one seed of each, then seeds 2 and 3 of the closest for its figures
}

TEST_CASE("a goal that gets worse with capacity is closest at the file's own setting when the ceiling misses",
          "[tune]") {
  // The latency of a dropping edge: the fuller it may get, the longer a message waits.
  FakeRuns fake{[](const Setting& s, std::uint64_t) { return 0.001 * static_cast<double>(s[0]); }, {}};
  std::vector<Knob> knobs{capacity("a->b", 20)};
  Trials trials({goal("p99<=10ms")}, Seeds{1, 1}, fake.runner());
  auto result = search(knobs, trials);
  CHECK_FALSE(result.met);
  CHECK(result.setting == Setting{20});
}

TEST_CASE("the file's own setting that meets the goals is met, even where the ceiling misses", "[tune]") {
  // A latency that grows with capacity (a dropping edge: a fuller buffer, a
  // longer wait): the file's 20 gives 20 ms, within 30 ms; the ceiling 1280 does not.
  FakeRuns fake{[](const Setting& s, std::uint64_t) { return 0.001 * static_cast<double>(s[0]); }, {}};
  for (std::uint64_t floor : {1, 20}) {
    INFO("floor " << floor);
    Trials trials({goal("p99<=30ms")}, Seeds{1, 1}, fake.runner());
    auto result = search({capacity("a->b", 20, floor)}, trials);
    REQUIRE(result.met);
    CHECK(result.file_meets);
    // From the file's own setting down: to 1 where it may go, else nowhere.
    CHECK(result.setting == Setting{floor});
    CHECK(result.one_below[0].has_value() == false);
  }
}

TEST_CASE("a knob never goes below its floor, and is raised from it as far as the goals need", "[tune]") {
  FakeRuns fake{[](const Setting& s, std::uint64_t) { return burst_drops(s, 50); }, {}};
  // The file's 80 holds the burst: nothing asks for less, so 80 stays.
  Trials kept({goal("dropped=0")}, Seeds{1, 1}, fake.runner());
  auto at_file = search({capacity("a->b", 80, 80)}, kept);
  REQUIRE(at_file.met);
  CHECK(at_file.setting == Setting{80});
  CHECK(at_file.settings == 1);
  CHECK_FALSE(at_file.one_below[0]);
  // Where it may go down, the least that holds the burst.
  Trials lowered({goal("dropped=0")}, Seeds{1, 1}, fake.runner());
  CHECK(search({capacity("a->b", 80, 1)}, lowered).setting == Setting{50});
  // The file's 20 misses: raised, doubling from the floor (20 misses, 40
  // misses, 80 meets), then between 40 and 80 (60, 50 meet; 45, 47, 48, 49 miss).
  FakeRuns counted{fake.figure, {}};
  Trials raised({goal("dropped=0")}, Seeds{1, 1}, counted.runner());
  auto from_floor = search({capacity("a->b", 20, 20)}, raised);
  REQUIRE(from_floor.met);
  CHECK(from_floor.setting == Setting{50});
  REQUIRE(from_floor.one_below[0]);
  CHECK(from_floor.one_below[0]->worst[0] == 1);
  CHECK(from_floor.settings == 10);  // 20, the ceiling 1280, 40, 80, 60, 50, 45, 47, 48, 49
  for (std::uint64_t below : {1, 2, 4, 8, 16, 19}) CHECK(counted.runs.count({{below}, 1}) == 0);
}
