#include "flow/prometheus.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <vector>

namespace flow {
namespace {

struct Label {
  std::string_view name;
  std::string_view value;
};

struct Family {
  std::string_view name;
  std::string_view type;  // counter, gauge or histogram
  std::string_view help;
};

// Go's ParseFloat, which Prometheus reads with, spells the infinities +Inf
// and -Inf and not-a-number NaN; fmt would write inf and nan.
std::string number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

std::string number(std::uint64_t value) {
  return fmt::format("{}", value);
}

// The text being built, one line at a time.
class Exposition {
 public:
  void family(const Family& family) {
    fmt::format_to(std::back_inserter(text_), "# HELP {} {}\n# TYPE {} {}\n", family.name, family.help,
                   family.name, family.type);
  }

  void sample(std::string_view name, std::initializer_list<Label> labels, const std::string& value) {
    sample(name, std::vector<Label>(labels), value);
  }

  void sample(std::string_view name, const std::vector<Label>& labels, const std::string& value) {
    text_ += name;
    char separator = '{';
    for (const Label& label : labels) {
      fmt::format_to(std::back_inserter(text_), "{}{}=\"{}\"", separator, label.name,
                     escape_label_value(label.value));
      separator = ',';
    }
    if (!labels.empty()) text_ += '}';
    fmt::format_to(std::back_inserter(text_), " {}\n", value);
  }

  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

std::string edge_name(const EdgeMetrics& edge) {
  return fmt::format("{} -> {}", edge.leaves(), edge.to);
}

// One family with a sample per edge: `value` reads the number off an EdgeMetrics.
// A dead-letter edge carries dead_letter="true" as well, so a query can keep
// routes apart (`sum without(dead_letter)` still adds them up with the rest).
template <typename Value>
void edge_family(Exposition& out, const RunMetrics& metrics, const Family& family, Value value) {
  out.family(family);
  for (const EdgeMetrics& edge : metrics.edges) {
    auto name = edge_name(edge);
    std::vector<Label> labels{{"pipeline", metrics.pipeline}, {"edge", name}};
    if (edge.dead_letter) labels.push_back({"dead_letter", "true"});
    out.sample(family.name, labels, number(value(edge)));
  }
}

template <typename Value>
void node_family(Exposition& out, const RunMetrics& metrics, const Family& family, Value value) {
  out.family(family);
  for (const NodeMetrics& node : metrics.nodes) {
    out.sample(family.name, {{"pipeline", metrics.pipeline}, {"node", node.name}}, number(value(node)));
  }
}

// What sources fed from outside count of their own, one sample per node and count.
void source_counts_family(Exposition& out, const RunMetrics& m) {
  Family family{"flow_source_events_total", "counter",
                "What a source fed from outside counted: HTTP answers by status, connections, files followed."};
  bool any = std::any_of(m.nodes.begin(), m.nodes.end(), [](const NodeMetrics& n) { return !n.counts.empty(); });
  if (!any) return;
  out.family(family);
  for (const NodeMetrics& node : m.nodes) {
    for (const auto& [event, count] : node.counts) {
      out.sample(family.name, {{"pipeline", m.pipeline}, {"node", node.name}, {"event", event}}, number(count));
    }
  }
}

// Where each source's messages went that did not reach a sink by the
// pipeline's own edges: the two parts of the balance routes and deadlines add.
template <typename Value>
void source_family(Exposition& out, const RunMetrics& metrics, const Family& family, Value value) {
  out.family(family);
  for (const SourceBalance& source : metrics.sources) {
    out.sample(family.name, {{"pipeline", metrics.pipeline}, {"source", source.name}}, number(value(source)));
  }
}

void source_families(Exposition& out, const RunMetrics& m) {
  source_family(out, m,
                {"flow_source_dead_lettered_total", "counter",
                 "Messages of this source delivered at a sink after a dead-letter route."},
                [](const SourceBalance& s) { return s.dead_lettered; });
  source_family(out, m,
                {"flow_source_expired_total", "counter",
                 "Messages of this source shed by a deadline and routed nowhere."},
                [](const SourceBalance& s) { return s.expired; });
}

void edge_families(Exposition& out, const RunMetrics& m) {
  edge_family(out, m, {"flow_edge_held", "gauge", "Messages the edge holds now."},
              [](const EdgeMetrics& e) { return e.held; });
  edge_family(out, m,
              {"flow_edge_capacity", "gauge", "Messages the edge can hold, +Inf when it is unbounded."},
              [](const EdgeMetrics& e) { return e.capacity ? static_cast<double>(*e.capacity) : HUGE_VAL; });
  edge_family(out, m, {"flow_edge_high_water", "gauge", "Most messages the edge has held at once."},
              [](const EdgeMetrics& e) { return e.high_water; });
  edge_family(out, m, {"flow_edge_in_total", "counter", "Messages offered to the edge, accepted or dropped."},
              [](const EdgeMetrics& e) { return e.in; });
  edge_family(out, m, {"flow_edge_out_total", "counter", "Messages the edge's consumer took from it."},
              [](const EdgeMetrics& e) { return e.out; });
  edge_family(
      out, m,
      {"flow_edge_dropped_total", "counter", "Messages the edge discarded (drop_newest, drop_oldest)."},
      [](const EdgeMetrics& e) { return e.dropped; });
  edge_family(
      out, m,
      {"flow_edge_blocked_seconds_total", "counter", "Time the edge's producer waited for room on it."},
      [](const EdgeMetrics& e) { return e.blocked_s; });
  edge_family(out, m, {"flow_edge_full_seconds_total", "counter", "Time the edge spent full."},
              [](const EdgeMetrics& e) { return e.full_s; });
  edge_family(out, m,
              {"flow_edge_expired_total", "counter",
               "Messages shed by a deadline when the consumer would take them."},
              [](const EdgeMetrics& e) { return e.expired; });
  edge_family(out, m,
              {"flow_edge_dead_lettered_total", "counter",
               "Of the messages the edge dropped or shed, those sent on along a dead-letter route."},
              [](const EdgeMetrics& e) { return e.dead_lettered; });
}

void node_families(Exposition& out, const RunMetrics& m) {
  node_family(out, m, {"flow_node_workers", "gauge", "Workers the node runs."},
              [](const NodeMetrics& n) { return static_cast<std::uint64_t>(n.workers); });
  node_family(out, m,
              {"flow_node_busy_seconds_total", "counter",
               "Worker-seconds the node spent working or waiting on a timer for a message."},
              [](const NodeMetrics& n) { return n.busy_s; });
  node_family(out, m,
              {"flow_node_busy_ratio", "gauge",
               "Busy seconds over workers times elapsed seconds, for the run so far (0 to 1)."},
              [](const NodeMetrics& n) { return n.busy; });
  node_family(
      out, m,
      {"flow_node_in_total", "counter", "Messages the node took from its input edges (a source: made)."},
      [](const NodeMetrics& n) { return n.in; });
  node_family(out, m, {"flow_node_out_total", "counter", "Messages the node emitted (a sink: delivered)."},
              [](const NodeMetrics& n) { return n.out; });
  node_family(out, m, {"flow_node_errors_total", "counter", "Messages whose operator failed."},
              [](const NodeMetrics& n) { return n.errors; });
  node_family(out, m,
              {"flow_node_filtered_total", "counter", "Messages an operator removed (grep, sample...)."},
              [](const NodeMetrics& n) { return n.filtered; });
  node_family(out, m, {"flow_node_expired_total", "counter", "Messages shed by the node's own deadline."},
              [](const NodeMetrics& n) { return n.expired; });
  node_family(out, m,
              {"flow_node_dead_lettered_total", "counter",
               "Of the messages the node failed on or shed, those sent on along a dead-letter route."},
              [](const NodeMetrics& n) { return n.dead_lettered; });
  node_family(out, m,
              {"flow_node_bottleneck", "gauge", "1 for the node named the bottleneck so far, else 0."},
              [&m](const NodeMetrics& n) { return std::uint64_t{n.name == m.bottleneck.node ? 1U : 0U}; });
}

// The buckets as the snapshot carries them, then +Inf, _sum and _count from
// one total, so +Inf and _count agree whatever the buckets say.
void latency_histogram(Exposition& out, const RunMetrics& m) {
  constexpr std::string_view name = "flow_sink_latency_seconds";
  out.family({name, "histogram",
              "End-to-end latency: from a message's creation at a source to the end of this sink's chain."});
  for (const SinkMetrics& sink : m.sinks) {
    auto total = sink.latency_buckets.empty() ? sink.delivered : sink.latency_buckets.back().count;
    for (const LatencyBucket& bucket : sink.latency_buckets) {
      if (std::isinf(bucket.le_s)) continue;
      out.sample("flow_sink_latency_seconds_bucket",
                 {{"pipeline", m.pipeline}, {"sink", sink.name}, {"le", number(bucket.le_s)}},
                 number(bucket.count));
    }
    out.sample("flow_sink_latency_seconds_bucket",
               {{"pipeline", m.pipeline}, {"sink", sink.name}, {"le", "+Inf"}}, number(total));
    out.sample("flow_sink_latency_seconds_sum", {{"pipeline", m.pipeline}, {"sink", sink.name}},
               number(sink.latency_mean_s * static_cast<double>(total)));
    out.sample("flow_sink_latency_seconds_count", {{"pipeline", m.pipeline}, {"sink", sink.name}},
               number(total));
  }
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string escaped;
  escaped.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        escaped += "\\\\";
        break;
      case '"':
        escaped += "\\\"";
        break;
      case '\n':
        escaped += "\\n";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::string to_prometheus(const RunMetrics& metrics) {
  Exposition out;
  out.family({"flow_run_elapsed_seconds", "gauge",
              "Time since the run started, on its clock (simulated under --clock virtual)."});
  out.sample("flow_run_elapsed_seconds", {{"pipeline", metrics.pipeline}}, number(metrics.elapsed_s));
  edge_families(out, metrics);
  node_families(out, metrics);
  source_counts_family(out, metrics);
  source_families(out, metrics);
  latency_histogram(out, metrics);
  return out.take();
}

}  // namespace flow
