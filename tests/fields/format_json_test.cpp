// format(json | logfmt | "template"): fields rendered as the payload
// (docs/formats.md). JSON is checked by python3's json module over random bytes.
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "flow/flow.hpp"
#include "process.hpp"

namespace {

using flow::test::run_command;
using flow::test::shell_quote;
using flow::test::write_file;

class Context final : public flow::OperatorContext {
 public:
  void filtered(const flow::Message&) override {}
  void failed(flow::Message, const std::string&) override {}
  void resized(std::int64_t delta) override { resized_ += delta; }
  std::int64_t resized_ = 0;
};

/// Applies format(`argument`), written as in a .flow file, to `messages`.
flow::Chunk format(const std::string& argument, flow::Chunk messages, std::int64_t* resized = nullptr) {
  auto text = fmt::format(
      "pipeline p\nsource s = generate(count=1) | parse_json()\nstage f = format({})\nsink o = discard()\n"
      "s -> f -> o\n",
      argument);
  auto checked = flow::load_string("format.flow", text, flow::builtin_operators());
  INFO(flow::render_all(*checked.source, checked.diagnostics));
  REQUIRE(checked.pipeline);
  const auto& call = checked.pipeline->nodes.at(1).chain.at(0);
  auto op = flow::builtin_operators().find("format")->make(call);
  Context context;
  op->apply(messages, context);
  if (resized != nullptr) *resized = context.resized_;
  return messages;
}

flow::Message with_fields(std::vector<std::pair<std::string, flow::FieldValue>> fields) {
  flow::Message message;
  message.payload = "the line";
  for (auto& [name, value] : fields) message.fields.edit().set(name, flow::view_of(value));
  return message;
}

/// Bytes that are often not UTF-8: pieces of valid sequences, lone
/// continuations, overlong forms, surrogates, code points past U+10FFFF,
/// control characters, quotes and backslashes.
std::string random_bytes(std::mt19937& random) {
  static const std::vector<std::string> pieces{"a",
                                               "\"",
                                               "\\",
                                               "\n",
                                               "\t",
                                               std::string(1, '\0'),
                                               "\x1f",
                                               "\x7f",
                                               "\xc3\xa9",
                                               "\xe2\x82\xac",
                                               "\xf0\x9f\x98\x80",
                                               "\xc3",
                                               "\xe2\x82",
                                               "\x80",
                                               "\xbf",
                                               "\xc0\xaf",
                                               "\xe0\x80\xaf",
                                               "\xed\xa0\x80",
                                               "\xf4\x90\x80\x80",
                                               "\xf8\x88\x80\x80\x80",
                                               "\xff",
                                               "/",
                                               "<"};
  std::string text;
  auto length = random() % 12;
  for (std::size_t i = 0; i < length; ++i) {
    if (random() % 3 == 0) {
      text += static_cast<char>(random() % 256);
    } else {
      text += pieces[random() % pieces.size()];
    }
  }
  return text;
}

std::string hex(const std::string& bytes) {
  std::string out;
  for (unsigned char byte : bytes) out += fmt::format("{:02x}", byte);
  return out;
}

// Each invalid byte is one U+FFFD: Python's decoder, told to go on one byte
// after each error, does the same, independently of flow's code.
const char* const kJsonCheck = R"(
import codecs, json, sys
codecs.register_error("perbyte", lambda e: ("\ufffd", e.start + 1))
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1]
expected = open(sys.argv[2]).read().split("\n")[:-1]
assert len(lines) == len(expected), (len(lines), len(expected))
for number, (line, want) in enumerate(zip(lines, expected)):
    name, value, payload = [bytes.fromhex(h).decode("utf-8", "perbyte") for h in want.split(" ")]
    got = json.loads(line)
    if number % 2 == 0:
        assert got == {name: value, "n": -7, "d": 0.5} or (name == "n" or name == "d"), (number, line, got)
    else:
        assert got == {"message": payload}, (number, line, got)
print(len(lines))
)";

}  // namespace

TEST_CASE("format(json) writes valid JSON for any bytes, each invalid byte as U+FFFD") {
  std::mt19937 random(42);
  flow::Chunk messages;
  std::string expected;
  for (int i = 0; i < 4000; ++i) {
    auto name = random_bytes(random), value = random_bytes(random), payload = random_bytes(random);
    expected += fmt::format("{} {} {}\n", hex(name), hex(value), hex(payload));
    if (i % 2 == 0) {
      messages.push_back(with_fields({{name, value}, {"n", std::int64_t{-7}}, {"d", 0.5}}));
    } else {
      flow::Message bare;  // no fields: the payload under "message"
      bare.payload = payload;
      messages.push_back(std::move(bare));
    }
  }
  std::string lines;
  for (const auto& message : format("json", std::move(messages))) {
    lines += message.payload.view();
    lines += '\n';
  }
  auto dir = flow::test::temp_directory();
  write_file(dir + "/out.json", lines);
  write_file(dir + "/expected", expected);
  write_file(dir + "/check.py", kJsonCheck);
  auto result = run_command(fmt::format("python3 {}/check.py {}/out.json {}/expected", dir, dir, dir));
  INFO(result.out + result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out == "4000\n");
}

TEST_CASE("format(json) writes numbers as JSON numbers, non-finite ones as null") {
  auto out = format("json", {with_fields({{"status", std::int64_t{503}},
                                          {"ms", 12.5},
                                          {"path", std::string("/api")},
                                          {"nan", std::nan("")}})});
  CHECK(out.at(0).payload == R"({"status":503,"ms":12.5,"path":"/api","nan":null})");
}

TEST_CASE("format(logfmt) quotes what needs quotes and a message without fields is message=payload") {
  auto out = format("logfmt", {with_fields({{"status", std::int64_t{200}},
                                            {"path", std::string("/a b")},
                                            {"empty", std::string()},
                                            {"say", std::string("x=\"y\"")},
                                            {"ms", 0.25}}),
                               flow::Message{}});
  CHECK(out.at(0).payload == R"(status=200 path="/a b" empty="" say="x=\"y\"" ms=0.25)");
  CHECK(out.at(1).payload == R"(message="")");
}

TEST_CASE("format with a template fills fields, keeps doubled braces and leaves a missing field empty") {
  std::int64_t resized = 0;
  auto out =
      format(R"("{ip} {status} {{literal}} [{missing}]")",
             {with_fields({{"ip", std::string("10.0.0.1")}, {"status", std::int64_t{404}}})}, &resized);
  CHECK(out.at(0).payload == "10.0.0.1 404 {literal} []");
  // The payload "the line" (8 bytes) became 25: the runtime is told of the difference.
  CHECK(resized == 25 - 8);
  flow::Message bare;
  bare.payload = "raw";
  CHECK(format(R"("<{message}>")", {bare}).at(0).payload == "<raw>");
}

TEST_CASE("a bad template is a check error with its caret on the brace inside the string") {
  auto text =
      "pipeline p\nsource s = generate(count=1)\nstage f = format(\"{ip} {status\")\nsink o = discard()\n"
      "s -> f -> o\n";
  auto checked = flow::load_string("bad.flow", text, flow::builtin_operators());
  REQUIRE_FALSE(checked.pipeline);
  auto rendered = flow::render_all(*checked.source, checked.diagnostics);
  INFO(rendered);
  // `stage f = format("{ip} {status")`: the second '{' is column 24, and
  // the caret sits under it (the source line is shown indented by 4).
  CHECK(rendered.find("bad.flow:3:24: error: unclosed '{' in a template") != std::string::npos);
  CHECK(rendered.find("\n    stage f = format(\"{ip} {status\")\n" + std::string(4 + 23, ' ') + "^\n") !=
        std::string::npos);
  auto lone = flow::load_string("lone.flow",
                                "pipeline p\nsource s = generate(count=1)\nstage f = format(\"a}\")\n"
                                "sink o = discard()\ns -> f -> o\n",
                                flow::builtin_operators());
  CHECK(flow::render_all(*lone.source, lone.diagnostics).find("lone.flow:3:20: error: a lone '}'") !=
        std::string::npos);
  auto other = flow::load_string("word.flow",
                                 "pipeline p\nsource s = generate(count=1)\nstage f = format(yaml)\n"
                                 "sink o = discard()\ns -> f -> o\n",
                                 flow::builtin_operators());
  CHECK(flow::render_all(*other.source, other.diagnostics).find("expected json, logfmt or a template") !=
        std::string::npos);
}

TEST_CASE("format(json) in a run: random bytes read from a file come out as valid JSON lines") {
  std::mt19937 random(7);
  std::string input;
  for (int i = 0; i < 500; ++i) {
    auto line = random_bytes(random);
    for (auto& c : line) {
      if (c == '\n' || c == '\r') c = ' ';  // read() ends a line at "\n" and "\r\n"
    }
    input += line + '\n';
  }
  auto dir = flow::test::temp_directory();
  write_file(dir + "/in.bin", input);
  write_file(dir + "/p.flow", fmt::format("pipeline p\nsource s = read(\"{0}/in.bin\")\n"
                                          "sink o = format(json) | write(\"{0}/out.json\")\ns -> o\n",
                                          dir));
  auto run = run_command(fmt::format("{} run {}/p.flow", shell_quote(FLOW_BINARY), dir));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  auto check = run_command(fmt::format(
      "python3 -c {} {}/out.json {}/in.bin",
      shell_quote(
          "import codecs, json, sys\n"
          "codecs.register_error('perbyte', lambda e: ('\\ufffd', e.start + 1))\n"
          "got = [json.loads(l)['message'] for l in open(sys.argv[1], "
          "encoding='utf-8').read().splitlines()]\n"
          "want = [l.decode('utf-8', 'perbyte') for l in open(sys.argv[2], 'rb').read().split(b'\\n')[:-1]]\n"
          "assert got == want, [(g, w) for g, w in zip(got, want) if g != w][:3]\n"
          "print(len(got))\n"),
      dir, dir));
  INFO(check.out + check.err);
  CHECK(check.exit_code == 0);
  CHECK(check.out == "500\n");
}

TEST_CASE("format renders each member of a batch, as the text operators do") {
  flow::Message batch;
  batch.members.push_back(with_fields({{"a", std::int64_t{1}}}));
  batch.members.push_back(with_fields({{"a", std::int64_t{2}}}));
  std::int64_t resized = 0;
  auto out = format("logfmt", {batch}, &resized);
  REQUIRE(out.at(0).members.size() == 2);
  CHECK(out.at(0).members[0].payload == "a=1");
  CHECK(out.at(0).members[1].payload == "a=2");
  CHECK(resized == 2 * (3 - 8));  // "the line" (8 bytes) became "a=N" (3) twice
}
