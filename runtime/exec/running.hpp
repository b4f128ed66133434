#pragma once
// What a thread is doing for a run, kept where a crash handler can read it
// (flow::running_operator, run.hpp): a preformatted line naming the node, the
// operator and the plugin it comes from. And, while an operator that is not
// flow's own runs under a memory limit, the guard that counts what it
// allocates: the library's operator new (running.cpp) charges every
// allocation of the thread to it, and refuses one that would pass the limit
// before the memory is spent.
#include <cstddef>
#include <cstdint>
#include <new>

// Initial-exec TLS: one load relative to the thread pointer, no call, in
// every operator new of the process; and readable from a signal handler.
#define FLOW_INITIAL_EXEC __attribute__((tls_model("initial-exec")))

namespace flow::exec {

class RunState;
class AllocationGuard;

/// The thread's record (Running): what it runs, and the guard its allocations are charged to.
extern constinit thread_local const char* running_note FLOW_INITIAL_EXEC;
extern constinit thread_local AllocationGuard* running_guard FLOW_INITIAL_EXEC;

/// What operator new throws inside a guarded call that would pass the memory
/// limit: a bad_alloc, as when the system has no memory left.
class MemoryLimitPassed : public std::bad_alloc {
 public:
  const char* what() const noexcept override { return "memory limit passed"; }
};

/// Counts what one call of an operator allocates, against the room the memory
/// limit leaves (RunState::allocating). Once it has refused an allocation, it
/// refuses every later one of the call too: a plugin that catches the
/// bad_alloc gets no further.
class AllocationGuard {
 public:
  explicit AllocationGuard(RunState& state) : state_(state) {}
  ~AllocationGuard() { close(); }
  AllocationGuard(const AllocationGuard&) = delete;
  AllocationGuard& operator=(const AllocationGuard&) = delete;

  void charge(std::size_t bytes);           ///< throws MemoryLimitPassed
  void refund(std::size_t bytes) noexcept;  ///< memory freed during the call
  /// The call is over: what it allocated is no longer counted here (its
  /// messages are counted as payload alive instead).
  void close() noexcept;
  bool tripped() const { return refused_ != 0; }
  std::size_t refused() const { return refused_; }       ///< the allocation refused first
  std::int64_t allocated() const { return allocated_; }  ///< what the call held when it was refused

 private:
  RunState& state_;
  std::int64_t net_ = 0;  ///< allocated minus freed, counted in the state
  std::size_t refused_ = 0;
  std::int64_t allocated_ = 0;
  bool closed_ = false;
};

/// While it lives, this thread runs what `note` names ("stage parse
/// (operator reverse from plugin ./libreverse.so)"), its allocations charged
/// to `guard` when one is given. Nests: the previous record comes back after.
class Running {
 public:
  Running(const char* note, AllocationGuard* guard) noexcept;
  ~Running();
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;

 private:
  const char* previous_note_;
  AllocationGuard* previous_guard_;
};

/// Gives this thread an alternate signal stack, once, unless it has one: a
/// crash handler installed with SA_ONSTACK can then run after a stack overflow.
void ensure_signal_stack() noexcept;

}  // namespace flow::exec
