#include "runtime/exec/running.hpp"

#include <sys/mman.h>

#include <csignal>

#include "flow/run.hpp"
#include "runtime/exec/run_state.hpp"

namespace flow::exec {

constinit thread_local const char* running_note FLOW_INITIAL_EXEC = nullptr;
constinit thread_local AllocationGuard* running_guard FLOW_INITIAL_EXEC = nullptr;

namespace {

thread_local bool has_signal_stack FLOW_INITIAL_EXEC = false;

/// Big enough for a handler that formats nothing and only writes (cli/signals.cpp).
constexpr std::size_t kSignalStackBytes = std::size_t{64} * 1024;

/// Unmaps the thread's signal stack when the thread ends (it is turned off first).
struct SignalStack {
  void* memory = nullptr;
  SignalStack() = default;
  SignalStack(const SignalStack&) = delete;
  SignalStack& operator=(const SignalStack&) = delete;
  ~SignalStack() {
    if (memory == nullptr) return;
    stack_t off{};
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
    munmap(memory, kSignalStackBytes);
  }
};
thread_local SignalStack signal_stack;

}  // namespace

void AllocationGuard::charge(std::size_t bytes) {
  if (refused_ == 0 && state_.allocating(static_cast<std::int64_t>(bytes))) {
    net_ += static_cast<std::int64_t>(bytes);
    return;
  }
  if (refused_ == 0) {
    refused_ = bytes;
    allocated_ = net_;
  }
  throw MemoryLimitPassed();
}

void AllocationGuard::refund(std::size_t bytes) noexcept {
  net_ -= static_cast<std::int64_t>(bytes);
  state_.allocating(-static_cast<std::int64_t>(bytes));
}

void AllocationGuard::close() noexcept {
  if (closed_) return;
  closed_ = true;
  state_.allocating(-net_);
  net_ = 0;
}

Running::Running(const char* note, AllocationGuard* guard) noexcept
    : previous_note_(running_note), previous_guard_(running_guard) {
  running_note = note;
  running_guard = guard;
}

Running::~Running() {
  running_note = previous_note_;
  running_guard = previous_guard_;
}

void ensure_signal_stack() noexcept {
  if (has_signal_stack) return;
  has_signal_stack = true;
  stack_t current{};
  if (sigaltstack(nullptr, &current) != 0 || (current.ss_flags & SS_DISABLE) == 0)
    return;  // the thread has one
  void* memory = mmap(nullptr, kSignalStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) return;
  stack_t stack{};
  stack.ss_sp = memory;
  stack.ss_size = kSignalStackBytes;
  if (sigaltstack(&stack, nullptr) != 0) {
    munmap(memory, kSignalStackBytes);
    return;
  }
  signal_stack.memory = memory;
}

}  // namespace flow::exec

const char* flow::running_operator() noexcept {
  return flow::exec::running_note;
}
