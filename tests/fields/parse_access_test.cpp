// parse(format="nginx_combined") and parse(format="apache_common") against
// lines of each format: the Apache manual's own sample line, Vector's
// parse_nginx_log example, and the shapes nginx writes for odd requests.
#include "parse_support.hpp"

using namespace flow;
using namespace flow::test;

TEST_CASE("nginx_combined reads every field of the combined log_format", "[fields][parse]") {
  auto lines = sample_lines("nginx_combined.log");
  auto parsed = parse_format("nginx_combined", lines);
  REQUIRE(parsed.failures.empty());
  REQUIRE(parsed.kept.size() == lines.size());
  const auto& first = parsed.kept[0];
  CHECK(string(first, "remote_addr") == "127.0.0.1");
  CHECK(string(first, "remote_user") == "frank");
  CHECK(string(first, "time_local") == "10/Oct/2000:13:55:36 -0700");
  CHECK(string(first, "request") == "GET /apache_pb.gif HTTP/1.0");
  CHECK(string(first, "method") == "GET");
  CHECK(string(first, "path") == "/apache_pb.gif");
  CHECK(string(first, "protocol") == "HTTP/1.0");
  CHECK(integer(first, "status") == 200);
  CHECK(integer(first, "body_bytes_sent") == 2326);
  CHECK(string(first, "http_referer") == "http://www.example.com/start.html");
  CHECK(string(first, "http_user_agent") == "Mozilla/4.08 [en] (Win98; I ;Nav)");
  CHECK(first.payload.str() == lines[0]);  // the line itself is kept as it was
  const auto& second = parsed.kept[1];
  CHECK(string(second, "remote_user") == "alice");
  CHECK(string(second, "method") == "POST");
  CHECK(string(second, "path") == "/not-found");
  CHECK(integer(second, "status") == 404);
  CHECK(integer(second, "body_bytes_sent") == 153);
  CHECK(string(second, "http_user_agent")->find("Chrome/72.0.3626.119") != std::string::npos);
}

TEST_CASE("nginx_combined leaves out what nginx wrote as '-'", "[fields][parse]") {
  auto parsed = parse_format("nginx_combined", sample_lines("nginx_combined.log"));
  const auto& third = parsed.kept[2];
  CHECK_FALSE(third.fields.find("remote_user"));
  CHECK_FALSE(third.fields.find("http_referer"));
  CHECK(string(third, "http_user_agent") == "curl/8.5.0");
  CHECK(string(third, "path") == "/api/v1/users/42?fields=name");
  CHECK(integer(third, "status") == 503);
  CHECK(integer(third, "body_bytes_sent") == 0);
  // A request nginx could not read is logged as "-": kept, but not split.
  const auto& fourth = parsed.kept[3];
  CHECK(string(fourth, "request") == "-");
  CHECK_FALSE(fourth.fields.find("method"));
  CHECK_FALSE(fourth.fields.find("path"));
  CHECK_FALSE(fourth.fields.find("http_user_agent"));
  CHECK(integer(fourth, "status") == 400);
  REQUIRE(fourth.fields.get() != nullptr);
  CHECK(fourth.fields.get()->size() == 5);  // addr, time, request, status, bytes: and nothing for the '-'s
}

TEST_CASE("nginx_combined keeps nginx's \\x22 escapes as logged", "[fields][parse]") {
  auto parsed = parse_format("nginx_combined", sample_lines("nginx_combined.log"));
  const auto& fifth = parsed.kept[4];
  CHECK(string(fifth, "path") == R"(/search?q=\x22quoted\x22)");
  CHECK(string(fifth, "http_user_agent") == R"(Mozilla/5.0 (compatible; \x22QuoteBot\x22 0.3))");
}

TEST_CASE("a broken nginx line fails with what was expected and where", "[fields][parse]") {
  auto lines = sample_lines("nginx_combined_broken.log");
  REQUIRE(lines.size() == 7);
  auto parsed = parse_format("nginx_combined", lines);
  CHECK(parsed.kept.empty());
  REQUIRE(parsed.failures.size() == lines.size());
  std::vector<std::string> causes{
      fmt::format("nginx_combined: expected '\"' closing the referer that opens at byte {}",
                  byte_of(lines[0], "\"http://www.exa")),
      fmt::format("nginx_combined: expected '\"' before the request at byte {}", byte_of(lines[1], "GET")),
      fmt::format("nginx_combined: expected the status (a number) at byte {}", byte_of(lines[2], "OK")),
      fmt::format("nginx_combined: expected '- ' after the address at byte {}", byte_of(lines[3], "frank")),
      fmt::format("nginx_combined: expected '[' before the time at byte {}", byte_of(lines[4], "10/Oct")),
      fmt::format("nginx_combined: expected the end of the line at byte {}", byte_of(lines[5], " 0.005") + 1),
      "nginx_combined: expected '\"' before the referer at the end of the line"};
  for (std::size_t i = 0; i < lines.size(); ++i) {
    INFO(lines[i]);
    CHECK(parsed.failures[i].first == lines[i]);
    CHECK(parsed.failures[i].second == causes[i]);
  }
}

TEST_CASE("an empty line and a line of another format fail as nginx_combined", "[fields][parse]") {
  auto parsed = parse_format("nginx_combined", {"", "<34>Oct 11 22:14:15 mymachine su: hello"});
  REQUIRE(parsed.failures.size() == 2);
  CHECK(parsed.failures[0].second == "nginx_combined: expected the remote_addr at the end of the line");
  CHECK(parsed.failures[1].second == "nginx_combined: expected '- ' after the address at byte 9");
  CHECK_FALSE(parsed.kept.size());
}

TEST_CASE("apache_common names its fields after Apache's directives", "[fields][parse]") {
  auto lines = sample_lines("apache_common.log");
  auto parsed = parse_format("apache_common", lines);
  REQUIRE(parsed.failures.empty());
  REQUIRE(parsed.kept.size() == 3);
  const auto& first = parsed.kept[0];
  CHECK(string(first, "remote_host") == "127.0.0.1");  // %h
  CHECK_FALSE(first.fields.find("remote_logname"));    // %l, '-'
  CHECK(string(first, "remote_user") == "frank");      // %u
  CHECK(string(first, "time") == "10/Oct/2000:13:55:36 -0700");
  CHECK(string(first, "request") == "GET /apache_pb.gif HTTP/1.0");  // %r
  CHECK(string(first, "path") == "/apache_pb.gif");
  CHECK(integer(first, "status") == 200);  // %>s
  CHECK(integer(first, "bytes") == 2326);  // %b
  // %b writes '-' for no bytes: that is 0, a number still.
  CHECK(integer(parsed.kept[1], "bytes") == 0);
  CHECK(string(parsed.kept[1], "method") == "HEAD");
  CHECK(string(parsed.kept[2], "remote_logname") == "ident42");
  CHECK_FALSE(parsed.kept[2].fields.find("remote_user"));
  CHECK(string(parsed.kept[2], "request") == R"(GET /a\"b HTTP/1.1)");  // Apache's \" stays as logged
}

TEST_CASE("a combined line is not apache_common, and a common line is not nginx_combined",
          "[fields][parse]") {
  auto combined = sample_lines("nginx_combined.log")[0];
  auto common = sample_lines("apache_common.log")[0];
  auto as_common = parse_format("apache_common", {combined});
  REQUIRE(as_common.failures.size() == 1);
  CHECK(as_common.failures[0].second ==
        fmt::format("apache_common: expected the end of the line at byte {}", combined.find(" \"http") + 2));
  auto as_combined = parse_format("nginx_combined", {common});
  REQUIRE(as_combined.failures.size() == 1);
  CHECK(as_combined.failures[0].second ==
        "nginx_combined: expected '\"' before the referer at the end of the line");
}
