#pragma once
// `flow tune` as a library: the least edge capacities (and, asked, node
// workers) with which every run of a pipeline meets goals such as `dropped=0`
// or `p99<=200ms` on every seed, and the .flow file rewritten with them.
// The pieces, in the order `flow tune` uses them (docs/tune.md):
//
//   auto read = flow::tune::parse_goal("p99<=200ms");     // a GoalRead: the goal, or why not
//   auto knobs = flow::tune::knobs_of(pipeline, {});       // what the search may change
//   flow::tune::Trials trials(goals, {pipeline.seed, 3}, flow::tune::pipeline_runner(setup));
//   auto result = flow::tune::search(knobs, trials);       // the least setting that meets them
//   auto tuned = flow::tune::rewrite(*pipeline.file, registry, knobs, result.setting);
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "flow/diagnostic.hpp"
#include "flow/load.hpp"
#include "flow/model.hpp"
#include "flow/registry.hpp"
#include "flow/run.hpp"
#include "flow/source_location.hpp"

namespace flow::tune {

// ---- Goals: what every run must achieve ------------------------------------

/// What a goal limits; each is a figure of RunMetrics. DroppedShare is
/// `dropped` with a limit in %: the messages dropped on every edge as a share
/// of those the pipeline produced (`sources[].produced` summed, copies
/// included); DeliveredShare is `delivered`: those delivered at a sink as a
/// share of the produced that no operator filtered out.
enum class Metric {
  Dropped,
  LatencyP50,
  LatencyP99,
  LatencyMean,
  LatencyMax,
  PeakBytes,
  PeakMessages,
  DroppedShare,
  DeliveredShare
};

/// How a figure is counted, for parsing a limit and printing a figure.
enum class Unit { Messages, Seconds, Bytes, Percent };

/// `<=`, `<`, `>=` or `>`. Every figure but `delivered` is better smaller and
/// takes the first two; `delivered` is better larger and takes the last two.
enum class Comparison { AtMost, Below, AtLeast, Above };

struct Goal {
  Metric metric = Metric::Dropped;
  Comparison comparison = Comparison::AtMost;
  double limit = 0;  ///< in the metric's unit: messages, seconds, bytes or percent (0.1 for 0.1%)
  std::string text;  ///< as written, for tables and messages
};

struct GoalRead {
  std::optional<Goal> goal;             ///< set when the text is a goal
  std::vector<Diagnostic> diagnostics;  ///< else why not: one, located in the goal's text (line 1)
};

/// Parses `KEY OP VALUE`: `dropped=0`, `dropped<=10`, `dropped<0.1%`,
/// `delivered>=99.9%`, `p99<=200ms`, `latency_mean<50ms`, `peak_bytes<=64MB`
/// (spaces around OP allowed). The
/// diagnostic's column and width mark the wrong part, so that
/// `render(SourceFile{"--goal", text}, diagnostic)` draws its caret.
GoalRead parse_goal(std::string_view text);

/// The goal keys, as parse_goal takes them: "dropped", "p50", ...
const char* metric_name(Metric metric);
Unit metric_unit(Metric metric);

/// Whether `figure` is within the goal's limit.
bool meets(const Goal& goal, double figure);

/// Whether a larger figure of `metric` is the better one (only `delivered`).
bool larger_is_better(Metric metric);

/// Whether some goal asks for less memory (`peak_messages`, `peak_bytes`):
/// only then may tune take a knob below the file's value (Vary::below_file).
bool asks_for_less_memory(const std::vector<Goal>& goals);

// ---- Knobs: what the search may change -------------------------------------

struct Knob {
  enum class Kind { Capacity, Workers };
  Kind kind = Kind::Capacity;
  std::size_t index = 0;  ///< the EdgeId or NodeId in the pipeline
  std::string
      target;  ///< as an Override names it: "a->b", "r.errors->b" (from a labeled output) or the node's name
  std::string label;          ///< for a table: "a -> b", "service workers"
  std::uint64_t now = 0;      ///< what the file (with its overrides) gives
  std::uint64_t ceiling = 0;  ///< the most the search tries
  std::uint64_t floor = 1;    ///< the least the search tries: 1, or `now` when nothing asks for less
};

/// Which knobs to vary, and which to leave as the file has them.
struct Vary {
  bool capacity = true;  ///< every bounded edge's capacity
  bool workers = false;  ///< every stage's and sink's workers
  /// Single knobs besides: `NODE.workers`, `FROM->TO.capacity`.
  std::vector<std::string> knobs = {};
  /// Knobs never changed (`--fix`): the same spellings, or `capacity` /
  /// `workers` for every knob of that kind. They win over any vary.
  std::vector<std::string> fixed = {};
  /// Whether a knob may go below the file's value. `flow tune` sets it from
  /// the goals (asks_for_less_memory): what costs nothing in simulated time
  /// (a blocking edge's room, a worker) may cost on the real clock.
  bool below_file = true;
};

/// The knobs a Vary selects, those it pins, or why it cannot select them.
struct KnobsRead {
  std::vector<Knob> knobs;           ///< what the search may change, in knobs_of's order
  std::vector<Knob> fixed;           ///< selected but pinned by Vary::fixed, for a table
  std::optional<std::string> error;  ///< a word that names no knob: "'x.workers': no node 'x'"
};

/// The knobs of `pipeline` that `vary` selects: workers of its stages and
/// sinks first (in node order), then the capacities of its bounded edges (in
/// edge order). An unbounded edge and a source's workers are never knobs. A
/// capacity's ceiling is 64 × the file's (at least 64, at most 1,000,000
/// unless the file's own is more); a workers ceiling 4 × the file's, at least
/// 64; the floor 1, or the file's value unless `vary.below_file`.
KnobsRead read_knobs(const Pipeline& pipeline, const Vary& vary);

/// read_knobs' knobs; a word that names no knob is left out.
std::vector<Knob> knobs_of(const Pipeline& pipeline, Vary vary);

/// One value per knob, in the knobs' order.
using Setting = std::vector<std::uint64_t>;

// ---- Trials: settings run on seeds and judged against the goals ------------

/// What one run measured: a figure per goal, in the goals' order.
struct Measurement {
  std::vector<double> figures;
  std::optional<std::string> failure;  ///< the run failed (an overflow=fail edge, an operator): the error
};

/// Runs the pipeline once with `setting` on the pipeline seed `seed`.
using RunSetting = std::function<Measurement(const Setting& setting, std::uint64_t seed)>;

/// The pipeline seeds every setting runs on: first, first + 1, ... (count of them).
struct Seeds {
  std::uint64_t first = 1;
  std::uint64_t count = 3;
};

/// A setting judged over the seeds run so far.
struct Verdict {
  std::vector<double> worst;  ///< per goal, the worst figure over the seeds run (the least for `delivered`)
  std::optional<std::string> failure;  ///< the first failed run's error
  std::uint64_t seeds_run = 0;
  bool meets = true;  ///< every goal met on every seed run, and no run failed
};

/// Runs are remembered, so the search may ask about a setting twice and a
/// table reuse what it measured.
class Trials {
 public:
  Trials(std::vector<Goal> goals, Seeds seeds, RunSetting run);

  /// Whether `setting` meets every goal on every seed. Stops at the first seed
  /// that misses one: the rest cannot make it pass.
  const Verdict& judge(const Setting& setting);

  /// The setting run on every seed, for figures that are the worst of them all.
  const Verdict& measure_all(const Setting& setting);

  /// The setting tried that came closest to the goals: no failed run first,
  /// then the fewest goals missed, then the least shortfall summed over them.
  /// Empty when nothing was tried.
  Setting closest() const;

  const std::vector<Goal>& goals() const { return goals_; }
  Seeds seeds() const { return seeds_; }
  std::uint64_t runs() const { return runs_; }
  std::size_t settings() const { return tried_.size(); }

 private:
  const Verdict& run_seeds(const Setting& setting, bool stop_at_miss);
  void add(Verdict& verdict, const Measurement& measurement) const;

  std::vector<Goal> goals_;
  Seeds seeds_;
  RunSetting run_;
  std::map<Setting, Verdict> tried_;
  std::uint64_t runs_ = 0;
};

/// What pipeline_runner runs.
struct RunnerSetup {
  std::shared_ptr<const SourceFile> source;
  const OperatorRegistry* registry = nullptr;  ///< must outlive the runner
  /// Applied before the seed and the knobs: `pipeline.clock=virtual`, then the user's --set.
  std::vector<Override> overrides;
  std::vector<Knob> knobs;
  std::vector<Goal> goals;
  RunOptions options;  ///< --duration; no reports
};

/// The RunSetting of a real pipeline: each call loads the file with the
/// overrides, `pipeline.seed=SEED` and the setting's values, runs it, and
/// returns each goal's figure. A run that fails, or a file that no longer
/// checks, comes back with its error.
RunSetting pipeline_runner(RunnerSetup setup);

// ---- The search ------------------------------------------------------------

struct SearchResult {
  bool met = false;         ///< some setting up to the ceilings meets every goal on every seed
  bool file_meets = false;  ///< the file's own setting does (the search then starts there)
  Setting setting;          ///< the recommendation; when !met, the closest setting tried
  Verdict at_setting;       ///< its figures, worst over every seed
  /// Per knob: the figures with that knob one below the recommendation, the
  /// others as recommended (every seed); nullopt where the knob is at its floor or !met.
  std::vector<std::optional<Verdict>> one_below;
  std::uint64_t runs = 0;    ///< pipeline runs, over every setting and seed
  std::size_t settings = 0;  ///< distinct settings tried
};

/// The least setting of `knobs` that meets every goal on every seed, tried
/// with `trials`. It assumes each goal is monotone in each knob (a setting
/// that meets the goals still does with a knob raised). It starts from the
/// file's own setting when that meets the goals, else from every knob at its
/// ceiling (when that misses too, nothing is met: the closer of the two is
/// the result); from there it lowers one knob at a time, never below its
/// floor, to the least value that still meets them (doubling up from the
/// floor, then a binary search), and repeats the pass until one changes
/// nothing. So lowering any one knob of the result by one misses a goal, as
/// `one_below` shows, or takes it below its floor.
SearchResult search(const std::vector<Knob>& knobs, Trials& trials);

// ---- The check on the real clock -------------------------------------------

/// How the recommendation's one run on the real clock is to go.
struct RealCheckPlan {
  std::uint64_t seed = 1;  ///< the pipeline seed it runs on (the first judged)
  double simulated_s = 0;  ///< how long that run lasted on the virtual clock
  double limit_s = 0;      ///< the most its sources run on the real clock
  bool cut = false;        ///< simulated_s > limit_s: only the run's first limit_s is checked
};

/// Runs the recommendation once more on the virtual clock, on `seed`, to know
/// how long a real run of it lasts, and plans the real one within `limit_s`.
RealCheckPlan plan_real_check(const RunnerSetup& setup, const Setting& setting, std::uint64_t seed,
                              double limit_s);

struct RealCheck {
  Measurement measured;  ///< a figure per goal, in the goals' order
  bool meets = false;    ///< every goal met and the run did not fail
  double elapsed_s = 0;  ///< how long the run took on the real clock
  bool cut = false;      ///< its sources were stopped at the limit: the figures are of that first part
};

/// One run of `setting` with `pipeline.clock=real` after the setup's
/// overrides, on the plan's seed, its sources stopped after the plan's limit
/// (or the setup's --duration, the shorter) and the rest drained.
RealCheck check_on_real_clock(const RunnerSetup& setup, const Setting& setting, const RealCheckPlan& plan);

// ---- Writing the result ----------------------------------------------------

struct Rewritten {
  std::optional<std::string> text;      ///< set when the rewritten file checks and gives every value
  std::vector<Diagnostic> diagnostics;  ///< else why not: `file`'s own errors, or one without a location
};

/// The text of `file` with each knob set to its value in `setting`, comments
/// and layout kept: a statement that says `capacity=`/`workers=` gets the
/// number replaced where it stands, one that does not gets the attribute
/// added; a chain `a -> b -> c` whose edges now differ is split into one
/// statement per edge. The result is loaded again and must give every knob
/// exactly its value.
Rewritten rewrite(const SourceFile& file, const OperatorRegistry& registry, const std::vector<Knob>& knobs,
                  const Setting& setting);

}  // namespace flow::tune
