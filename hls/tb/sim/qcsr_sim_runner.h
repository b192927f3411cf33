// qcsr_sim_runner.h -- runs the HLS top (one call per frame, blocking stream I/O) against a
// cycle-driven testbench: the core executes as a coroutine (POSIX ucontext) that the testbench
// resumes once per testbench clock; a blocking read of an empty stream, or a write to a full
// bounded one, hands control back (hls_stream.h in this folder). So the core runs exactly as far as
// the data the testbench has offered so far allows, deterministically: the sequential C semantics of
// the dataflow region (each process runs to completion in order), with the AXI sources and sinks of
// the testbench in between. Used by hls/tb/qcsr_tb.cpp and by the DPI-C shell rtl_tb/hls_shell.
// Test infrastructure only: never part of the synthesised core.
#ifndef QCSR_SIM_RUNNER_H_
#define QCSR_SIM_RUNNER_H_

#include <sys/mman.h>
#include <ucontext.h>

#include <cstdio>
#include <cstdlib>
#include <functional>

namespace qcsr_sim {

class Runner {
  public:
    // The stack is reserved, not committed (pages are touched only as the core uses them).
    explicit Runner(std::function<void()> body, size_t stack_bytes = size_t(256) << 20)
        : body_(std::move(body)), stack_size_(stack_bytes) {
        stack_ = mmap(nullptr, stack_size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (stack_ == MAP_FAILED) {
            std::fprintf(stderr, "qcsr_sim: cannot reserve the core's stack\n");
            std::abort();
        }
    }
    ~Runner() { munmap(stack_, stack_size_); }
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;

    // Resume the core until it blocks on a stream (one testbench clock of progress).
    void step() {
        if (!started_) {
            getcontext(&worker_);
            worker_.uc_stack.ss_sp = stack_;
            worker_.uc_stack.ss_size = stack_size_;
            worker_.uc_link = nullptr;
            makecontext(&worker_, reinterpret_cast<void (*)()>(&Runner::entry), 0);
            started_ = true;
        }
        Runner* prev = cur();
        cur() = this;
        swapcontext(&driver_, &worker_);
        cur() = prev;
    }
    // Abandon the core's execution (ap_rst_n): the next step() starts a fresh call of the body.
    // Objects on the abandoned stack are not destroyed (their heap memory leaks; test code only).
    void restart() { started_ = false; }

    // Called by a stream that cannot proceed: back to the testbench until the next step().
    static void block() {
        Runner* r = cur();
        if (!r) {
            std::fprintf(stderr, "qcsr_sim: blocking stream access outside the core (a deadlock in C simulation)\n");
            std::abort();
        }
        swapcontext(&r->worker_, &r->driver_);
    }
    static bool inside() { return cur() != nullptr; }

  private:
    static void entry() {
        Runner* r = cur();
        for (;;) r->body_();  // auto-restart: the next call starts as soon as one returns
    }
    std::function<void()> body_;
    void* stack_;
    size_t stack_size_;
    ucontext_t driver_{}, worker_{};
    bool started_ = false;
    static Runner*& cur() {
        static Runner* c = nullptr;  // the runner whose core is executing
        return c;
    }
};

}  // namespace qcsr_sim

#endif  // QCSR_SIM_RUNNER_H_
