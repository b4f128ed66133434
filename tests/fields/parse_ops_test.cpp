// parse_regex, drop, grep(invert=true), and what every parser stage does
// with batches, fields a message already has, and the checker's FieldChange.
#include "parse_support.hpp"

using namespace flow;
using namespace flow::test;

namespace {

FieldChange change_of(const std::string& op, std::map<std::string, Value> args) {
  const auto* spec = builtin_operators().find(op);
  REQUIRE(spec != nullptr);
  REQUIRE(spec->fields);
  return spec->fields(resolved_call(op, std::move(args)));
}

std::optional<FieldType> type_set(const FieldChange& change, const std::string& name) {
  for (const auto& [set, type] : change.sets) {
    if (set == name) return type;
  }
  return std::nullopt;
}

}  // namespace

TEST_CASE("parse_regex sets a text field for each named group that took part", "[fields][parse]") {
  auto parsed =
      parse_with("parse_regex",
                 {{"pattern", std::string(R"(^(?P<ip>\S+) \S+ (?P<user>\S+) \[[^]]+\] "(?P<method>[A-Z]+) )"
                                          R"((?P<path>\S+)[^"]*" (?P<status>\d{3})(?: (?P<size>\d+))?)")}},
                 {R"(127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326)",
                  R"(10.0.0.1 - - [10/Oct/2000:13:55:37 -0700] "GET / HTTP/1.0" 304)", "garbage"});
  REQUIRE(parsed.kept.size() == 2);
  CHECK(string(parsed.kept[0], "ip") == "127.0.0.1");
  CHECK(string(parsed.kept[0], "user") == "frank");
  CHECK(string(parsed.kept[0], "path") == "/apache_pb.gif");
  CHECK(string(parsed.kept[0], "status") == "200");  // groups are text
  CHECK(string(parsed.kept[0], "size") == "2326");
  CHECK_FALSE(parsed.kept[1].fields.find("size"));  // its optional group did not match
  REQUIRE(parsed.failures.size() == 1);
  CHECK(parsed.failures[0] ==
        std::pair<std::string, std::string>{"garbage", "parse_regex: the line does not match the pattern"});
  auto change = change_of("parse_regex", {{"pattern", std::string("(?P<a>x)(y)(?P<b>z)?")}});
  CHECK(change.sets ==
        std::vector<std::pair<std::string, FieldType>>{{"a", FieldType::Text}, {"b", FieldType::Text}});
  CHECK_FALSE(change.sets_unknown);
}

TEST_CASE("parse_regex's pattern must compile and name a group", "[fields][parse]") {
  CHECK(validate("parse_regex", {{"pattern", std::string("(?P<a>x")}})
            .first.starts_with("invalid regular expression"));
  CHECK(validate("parse_regex", {{"pattern", std::string("(?P<a>x")}}).second == "pattern");
  CHECK(validate("parse_regex", {{"pattern", std::string("(x)")}}).first ==
        "the pattern names no group: write (?P<name>...) for each field it should set");
  CHECK(validate("parse_regex", {{"pattern", std::string("(?P<x>.)")}}).first.empty());
}

TEST_CASE("parse's arguments are checked: the format, and csv's own", "[fields][parse]") {
  auto unknown = validate("parse", {{"format", std::string("nginx_combind")}});
  CHECK(unknown.first ==
        "unknown format 'nginx_combind'; expected one of nginx_combined, apache_common, syslog_rfc5424, "
        "syslog_rfc3164, logfmt, csv (did you mean 'nginx_combined'?)");
  CHECK(unknown.second == "format");
  auto columns = validate("parse", {{"format", std::string("logfmt")}, {"columns", std::string("a")}});
  CHECK(columns == std::pair<std::string, std::string>{"columns is for format \"csv\" only", "columns"});
  CHECK(validate("parse", {{"format", std::string("csv")}, {"columns", std::string("a,b,a")}}).first ==
        "column 'a' is named twice in columns");
  CHECK(validate("parse", {{"format", std::string("csv")}, {"columns", std::string("a,,b")}}).first ==
        "column 2 of columns must be a name (letters, digits, '_'), got ''");
  CHECK(validate("parse", {{"format", std::string("csv")}, {"separator", std::string(";;")}}).second ==
        "separator");
  CHECK(validate("parse", {{"format", std::string("csv")}, {"separator", std::string("\"")}}).second ==
        "separator");
  for (const char* format :
       {"nginx_combined", "apache_common", "syslog_rfc5424", "syslog_rfc3164", "logfmt", "csv"}) {
    CHECK(validate("parse", {{"format", std::string(format)}}).first.empty());
  }
}

TEST_CASE("each parser tells the checker the fields it sets and their types", "[fields][parse]") {
  auto nginx = change_of("parse", {{"format", std::string("nginx_combined")}});
  CHECK_FALSE(nginx.sets_unknown);
  CHECK(nginx.sets.size() == 11);
  CHECK(type_set(nginx, "status") == FieldType::Integer);
  CHECK(type_set(nginx, "body_bytes_sent") == FieldType::Integer);
  CHECK(type_set(nginx, "path") == FieldType::Text);
  CHECK(type_set(nginx, "http_user_agent") == FieldType::Text);
  auto apache = change_of("parse", {{"format", std::string("apache_common")}});
  CHECK(type_set(apache, "bytes") == FieldType::Integer);
  CHECK(type_set(apache, "remote_logname") == FieldType::Text);
  CHECK_FALSE(type_set(apache, "http_referer"));
  CHECK(type_set(change_of("parse", {{"format", std::string("syslog_rfc5424")}}), "priority") ==
        FieldType::Integer);
  CHECK(change_of("parse", {{"format", std::string("syslog_rfc5424")}}).sets_unknown);  // structured data
  CHECK_FALSE(change_of("parse", {{"format", std::string("syslog_rfc3164")}}).sets_unknown);
  CHECK(change_of("parse", {{"format", std::string("logfmt")}}).sets_unknown);
  CHECK(change_of("parse", {{"format", std::string("csv")}}).sets_unknown);
  auto csv = change_of("parse", {{"format", std::string("csv")}, {"columns", std::string("x,y")}});
  CHECK(csv.sets ==
        std::vector<std::pair<std::string, FieldType>>{{"x", FieldType::Text}, {"y", FieldType::Text}});
  CHECK_FALSE(csv.sets_unknown);
  CHECK(change_of("parse_json", {}).sets_unknown);
  auto drop = change_of("drop", {{"field", std::string("a")}, {variadic_key("more", 1), std::string("b")}});
  CHECK(drop.removes == std::vector<std::string>{"a", "b"});
  CHECK(drop.sets.empty());
}

TEST_CASE("a parser adds to the fields a message has, and a failed line keeps them", "[fields][parse]") {
  auto parser = make_operator("parse", {{"format", std::string("logfmt")}});
  Chunk chunk = chunk_of({"a=1 b=2", "c=\"unclosed", "d=4 e=\"unclosed"});
  chunk[0].fields.edit().set("a", std::int64_t{0});
  chunk[0].fields.edit().set("z", std::string("kept"));
  chunk[1].fields.edit().set("z", std::string("kept too"));
  RecordingContext context;
  parser->apply(chunk, context);
  REQUIRE(chunk.size() == 1);
  CHECK(string(chunk[0], "a") == "1");
  CHECK(string(chunk[0], "b") == "2");
  CHECK(string(chunk[0], "z") == "kept");
  REQUIRE(context.failures.size() == 2);
  CHECK(context.failures[0].first == "c=\"unclosed");
  // What a dead-letter node gets: the message with the fields it came with,
  // and nothing of the line, not even what the parser read before it failed.
  REQUIRE(context.failed_messages.size() == 2);
  CHECK(string(context.failed_messages[0], "z") == "kept too");
  CHECK_FALSE(context.failed_messages[0].fields.find("c"));
  CHECK_FALSE(context.failed_messages[1].fields.find("d"));
}

TEST_CASE("a parser parses each member of a batch and fails only the broken ones", "[fields][parse]") {
  auto parser = make_operator("parse", {{"format", std::string("logfmt")}});
  Chunk chunk;
  chunk.push_back(batch_of({"a=1", "b=\"x", "c=3"}));
  chunk.push_back(batch_of({"d=\"y"}));
  chunk.emplace_back().payload = std::string("e=5");
  RecordingContext context;
  parser->apply(chunk, context);
  REQUIRE(chunk.size() == 2);  // the batch that lost its only member is gone
  REQUIRE(chunk[0].members.size() == 2);
  CHECK(string(chunk[0].members[0], "a") == "1");
  CHECK(string(chunk[0].members[1], "c") == "3");
  CHECK(string(chunk[1], "e") == "5");
  REQUIRE(context.failures.size() == 2);
  CHECK(context.failures[0].first == "b=\"x");
  CHECK(context.failures[1].first == "d=\"y");
}

TEST_CASE("drop removes the named fields and leaves a message without them as it was", "[fields][drop]") {
  auto drop =
      make_operator("drop", {{"field", std::string("b")}, {variadic_key("more", 1), std::string("c")}});
  Chunk chunk = chunk_of({"one", "two"});
  auto& fields = chunk[0].fields.edit();
  fields.set("a", std::int64_t{1});
  fields.set("b", std::int64_t{2});
  fields.set("c", std::string("x"));
  chunk[1].fields.edit().set("a", std::int64_t{1});
  Message copy = chunk[1];  // shares its fields: drop must not copy them for nothing
  RecordingContext context;
  drop->apply(chunk, context);
  REQUIRE(chunk.size() == 2);
  REQUIRE(chunk[0].fields.get()->size() == 1);
  CHECK(chunk[0].fields.get()->at(0).name == "a");
  CHECK(chunk[1].fields.get() == copy.fields.get());
  CHECK(context.removed.empty());
}

TEST_CASE("grep with invert=true keeps the lines that do not match, grep -v", "[fields][grep]") {
  std::vector<std::string> lines{"GET /a 200", "GET /b 500", "POST /c 503", "GET /d 404", "HEAD / 200"};
  auto chunk = chunk_of(lines);
  RecordingContext context;
  make_operator("grep", {{"pattern", std::string(" 5\\d\\d$")}, {"invert", true}})->apply(chunk, context);
  std::vector<std::string> expected;
  for (const auto& line : lines) {
    if (line.substr(line.size() - 3, 1) != "5") expected.push_back(line);  // what grep -v ' 5..$' prints
  }
  CHECK(payloads(chunk) == expected);
  CHECK(context.removed.size() == lines.size() - expected.size());
  // The default is grep's own: the matching lines.
  auto matching = chunk_of(lines);
  make_operator("grep", {{"pattern", std::string(" 5\\d\\d$")}})->apply(matching, context);
  CHECK(matching.size() == lines.size() - expected.size());
}
