// The long variant (about 10 s, in the default run): a sender pushes 1 M lines of 100 bytes
// (100 MB) into a sink slower than the network (spin: 5 us a line). Every line arrives, in
// order, and flow's memory stays what the edge and one connection's buffer
// hold, not what was sent.
#include "tcp_support.hpp"

using namespace flow::test;

TEST_CASE("1 M lines pushed into a slow sink arrive whole while flow's memory stays bounded",
          "[ingest][tcp][soak]") {
  TcpRun run("", "spin(5us) | write(\"{out}\")", " [capacity=64, overflow=block]");
  const std::uint64_t bound = plan_messages(run);
  const std::size_t count = 1000000, line_size = 100;
  std::thread sender([&] {
    int fd = connect_to(run.port);
    std::string block;
    for (std::size_t i = 0; i < count; ++i) {
      auto line = fmt::format("{:08} ", i);
      block += line + std::string(line_size - line.size() - 1, 's') + "\n";
      if (block.size() >= 1 << 20) send_all(fd, std::exchange(block, {}));
    }
    send_all(fd, block);
    close(fd);
  });
  bool complete = wait_for_size(run.out, count * line_size, 600s);
  sender.join();
  auto rss = peak_rss(run.child->pid());
  auto metrics = run.stop();
  REQUIRE(complete);
  INFO("flow's peak RSS " << rss);
  CHECK(rss < std::uint64_t{64} << 20);
  CHECK(metrics["peak_messages"].get<std::uint64_t>() <= bound);
  CHECK(metrics["peak_payload_bytes"].get<std::uint64_t>() <= bound * line_size + 128 * 1024);
  auto got = read_file(run.out);
  REQUIRE(got.size() == count * line_size);
  for (std::size_t i = 0; i < count; i += 99991)
    CHECK(got.substr(i * line_size, 9) == fmt::format("{:08} ", i));
}
