// parse(format="syslog_rfc5424") against the four examples of RFC 5424
// section 6.5, and parse(format="syslog_rfc3164") against RFC 3164's own
// examples and the lines a syslog daemon writes to its files.
#include "parse_support.hpp"

using namespace flow;
using namespace flow::test;

TEST_CASE("syslog_rfc5424 reads RFC 5424's examples with Vector's field names", "[fields][parse]") {
  auto lines = sample_lines("syslog_rfc5424.log");
  auto parsed = parse_format("syslog_rfc5424", lines);
  REQUIRE(parsed.failures.empty());
  REQUIRE(parsed.kept.size() == 4);
  const auto& su = parsed.kept[0];
  CHECK(integer(su, "priority") == 34);  // facility 4 (auth) * 8 + severity 2 (crit)
  CHECK(string(su, "facility") == "auth");
  CHECK(string(su, "severity") == "crit");
  CHECK(integer(su, "version") == 1);
  CHECK(string(su, "timestamp") == "2003-10-11T22:14:15.003Z");
  CHECK(string(su, "hostname") == "mymachine.example.com");
  CHECK(string(su, "appname") == "su");
  CHECK_FALSE(su.fields.find("procid"));  // '-'
  CHECK(string(su, "msgid") == "ID47");
  CHECK(string(su, "message") == "'su root' failed for lonvick on /dev/pts/8");  // without its BOM
  const auto& donuts = parsed.kept[1];
  CHECK(string(donuts, "facility") == "local4");  // 165 = 20 * 8 + 5
  CHECK(string(donuts, "severity") == "notice");
  CHECK(string(donuts, "timestamp") == "2003-08-24T05:14:15.000003-07:00");
  CHECK(string(donuts, "hostname") == "192.0.2.1");
  CHECK(string(donuts, "procid") == "8710");
  CHECK_FALSE(donuts.fields.find("msgid"));
  CHECK(string(donuts, "message") == "%% It's time to make the do-nuts.");
}

TEST_CASE("syslog_rfc5424's structured data becomes SD-ID.name fields", "[fields][parse]") {
  auto parsed = parse_format("syslog_rfc5424", sample_lines("syslog_rfc5424.log"));
  const auto& event = parsed.kept[2];
  CHECK(string(event, "exampleSDID@32473.iut") == "3");
  CHECK(string(event, "exampleSDID@32473.eventSource") == "Application");
  CHECK(string(event, "exampleSDID@32473.eventID") == "1011");
  CHECK(string(event, "message") == "An application event log entry...");
  const auto& two = parsed.kept[3];
  CHECK(string(two, "examplePriority@32473.class") == "high");
  CHECK(string(two, "exampleSDID@32473.iut") == "3");
  CHECK_FALSE(two.fields.find("message"));  // the line ends with its structured data
}

TEST_CASE("syslog_rfc5424 decodes the three escapes of a parameter value", "[fields][parse]") {
  auto parsed =
      parse_format("syslog_rfc5424", {R"(<13>1 - host app - - [x@1 a="say \"hi\" [1\]" b="c:\\d" c="\n"])"});
  REQUIRE(parsed.failures.empty());
  CHECK(string(parsed.kept[0], "x@1.a") == R"(say "hi" [1])");
  CHECK(string(parsed.kept[0], "x@1.b") == R"(c:\d)");
  CHECK(string(parsed.kept[0], "x@1.c") == R"(\n)");  // not one of the three: kept as written
  CHECK_FALSE(parsed.kept[0].fields.find("timestamp"));
}

TEST_CASE("broken RFC 5424 lines fail with what was expected and where", "[fields][parse]") {
  std::vector<std::string> lines{"<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su",
                                 "34>1 2003-10-11T22:14:15.003Z host su - ID47 - hello",
                                 "<192>1 2003-10-11T22:14:15.003Z host su - ID47 - hello",
                                 "<34> 2003-10-11T22:14:15.003Z host su - ID47 - hello",
                                 "<34>1 2003-10-11T22:14:15.003Z host su - ID47 [x@1 a=\"unclosed]",
                                 "<34>1 2003-10-11T22:14:15.003Z host su - ID47 hello"};
  auto parsed = parse_format("syslog_rfc5424", lines);
  REQUIRE(parsed.failures.size() == lines.size());
  CHECK(parsed.failures[0].second == "syslog_rfc5424: expected ' ' before the procid at the end of the line");
  CHECK(parsed.failures[1].second ==
        "syslog_rfc5424: expected '<', a priority from 0 to 191 and '>' at byte 1");
  CHECK(parsed.failures[2].second ==
        "syslog_rfc5424: expected '<', a priority from 0 to 191 and '>' at byte 1");
  CHECK(parsed.failures[3].second == "syslog_rfc5424: expected the version (1) at byte 5");
  CHECK(parsed.failures[4].second ==
        fmt::format("syslog_rfc5424: expected '\"' closing the parameter value that opens at byte {}",
                    byte_of(lines[4], "\"unclosed")));
  CHECK(parsed.failures[5].second ==
        fmt::format("syslog_rfc5424: expected the structured data ('[' or '-') at byte {}",
                    byte_of(lines[5], "hello")));
}

TEST_CASE("syslog_rfc3164 reads RFC 3164's examples and syslog files", "[fields][parse]") {
  auto parsed = parse_format("syslog_rfc3164", sample_lines("syslog_rfc3164.log"));
  REQUIRE(parsed.failures.empty());
  REQUIRE(parsed.kept.size() == 4);
  const auto& su = parsed.kept[0];
  CHECK(string(su, "facility") == "auth");
  CHECK(string(su, "severity") == "crit");
  CHECK(string(su, "timestamp") == "Oct 11 22:14:15");
  CHECK(string(su, "hostname") == "mymachine");
  CHECK(string(su, "appname") == "su");
  CHECK(string(su, "message") == "'su root' failed for lonvick on /dev/pts/8");
  // RFC 3164's second example has no TAG: its first word is message.
  const auto& bfg = parsed.kept[1];
  CHECK(string(bfg, "facility") == "user");
  CHECK(string(bfg, "severity") == "notice");
  CHECK(string(bfg, "timestamp") == "Feb  5 17:32:18");
  CHECK(string(bfg, "hostname") == "10.0.0.99");
  CHECK_FALSE(bfg.fields.find("appname"));
  CHECK(string(bfg, "message") == "Use the BFG!");
  const auto& sshd = parsed.kept[2];
  CHECK(string(sshd, "appname") == "sshd");
  CHECK(string(sshd, "procid") == "4242");
  CHECK(string(sshd, "message") == "Accepted publickey for alice from 192.0.2.7 port 52144 ssh2");
  // A file's line has no <PRI>: no facility, no severity.
  const auto& kernel = parsed.kept[3];
  CHECK_FALSE(kernel.fields.find("facility"));
  CHECK_FALSE(kernel.fields.find("priority"));
  CHECK(string(kernel, "appname") == "kernel");
  CHECK(string(kernel, "message") == "[123.456789] eth0: link up");
}

TEST_CASE("broken RFC 3164 lines fail with what was expected and where", "[fields][parse]") {
  auto parsed =
      parse_format("syslog_rfc3164", {"<34>Oct 11 22:14 mymachine su: x", "<34>2003-10-11T22:14:15Z host x",
                                      "<34>Oct 11 22:14:15", "Foo 11 22:14:15 host x"});
  REQUIRE(parsed.failures.size() == 4);
  CHECK(parsed.failures[0].second ==
        "syslog_rfc3164: expected a timestamp such as 'Oct 11 22:14:15' at byte 5");
  CHECK(parsed.failures[1].second ==
        "syslog_rfc3164: expected a timestamp such as 'Oct 11 22:14:15' at byte 5");
  CHECK(parsed.failures[2].second ==
        "syslog_rfc3164: expected ' ' after the timestamp at the end of the line");
  CHECK(parsed.failures[3].second ==
        "syslog_rfc3164: expected a timestamp such as 'Oct 11 22:14:15' at byte 1");
}

// A negative priority passes to_integer; it must fail its line alone, with
// the cause, rather than index the names below zero and throw the chunk away.
TEST_CASE("a negative syslog priority fails its line and the next line parses", "[fields][parse]") {
  auto rfc5424 =
      parse_format("syslog_rfc5424", {"<-1>1 - h a - - - x", "<-8>1 - h a - - - y", "<13>1 - h a - - - ok"});
  REQUIRE(rfc5424.failures.size() == 2);
  CHECK(rfc5424.failures[0].second ==
        "syslog_rfc5424: expected '<', a priority from 0 to 191 and '>' at byte 1");
  CHECK(rfc5424.failures[1].second ==
        "syslog_rfc5424: expected '<', a priority from 0 to 191 and '>' at byte 1");
  REQUIRE(rfc5424.kept.size() == 1);
  CHECK(string(rfc5424.kept[0], "message") == "ok");

  auto rfc3164 = parse_format(
      "syslog_rfc3164",
      {"<-1>Oct 11 22:14:15 host su: x", "<abc>Oct 11 22:14:15 host x", "<13>Oct 11 22:14:15 host ok"});
  REQUIRE(rfc3164.failures.size() == 2);
  CHECK(rfc3164.failures[0].second ==
        "syslog_rfc3164: expected a priority from 0 to 191 in '<...>' at byte 1");
  CHECK(rfc3164.failures[1].second ==
        "syslog_rfc3164: expected a priority from 0 to 191 in '<...>' at byte 1");
  REQUIRE(rfc3164.kept.size() == 1);
  CHECK(string(rfc3164.kept[0], "message") == "ok");
}
