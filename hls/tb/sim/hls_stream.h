// hls_stream.h -- C-simulation model of hls::stream for the qcsr testbenches (replaces the
// ap_types one on the include path of `make hls-csim` and of the DPI-C shell; synthesis uses
// Vitis's own). Same interface and unbounded FIFO semantics as Xilinx's model, plus:
//  * a blocking read of an empty stream waits (qcsr_sim::Runner::block) instead of returning a
//    default value, as the hardware FIFO does;
//  * set_capacity(n) bounds a stream (the testbench's AXI sink): a write to a full one waits;
//  * set_observer(f) calls f after every change of the contents, so a testbench can keep a level
//    that depends on them (the core's cfg_pending = TVALID of s_axis_cfg) live while the core runs.
// Both waits hand control to the testbench, so they may only happen inside the core's coroutine.
#ifndef X_HLS_STREAM_SIM_H
#define X_HLS_STREAM_SIM_H

#include <cstddef>
#include <deque>
#include <functional>
#include <utility>
#include <string>

#include "qcsr_sim_runner.h"

namespace hls {

template <typename T>
class stream {
  public:
    stream() : name_("hls_stream") {}
    explicit stream(const char* name) : name_(name) {}
    explicit stream(const std::string& name) : name_(name) {}
    stream(const stream&) = delete;
    stream& operator=(const stream&) = delete;

    bool empty() const { return data_.empty(); }
    bool full() const { return capacity_ && data_.size() >= capacity_; }
    size_t size() const { return data_.size(); }

    T read() {
        while (data_.empty()) qcsr_sim::Runner::block();
        T v = data_.front();
        data_.pop_front();
        changed();
        return v;
    }
    void read(T& v) { v = read(); }
    bool read_nb(T& v) {
        if (data_.empty()) return false;
        v = read();
        return true;
    }
    void write(const T& v) {
        while (full()) qcsr_sim::Runner::block();
        data_.push_back(v);
        changed();
    }
    bool write_nb(const T& v) {
        if (full()) return false;
        data_.push_back(v);
        changed();
        return true;
    }
    void operator>>(T& v) { read(v); }
    void operator<<(const T& v) { write(v); }

    // testbench extensions
    void set_capacity(size_t n) { capacity_ = n; }
    void set_observer(std::function<void()> f) { observer_ = std::move(f); }
    void clear() {
        data_.clear();
        changed();
    }
    const T& front() const { return data_.front(); }  // the next value, not taken (non-empty streams only)
    const std::string& name() const { return name_; }

  private:
    std::string name_;
    std::deque<T> data_;
    size_t capacity_ = 0;  // 0: unbounded
    std::function<void()> observer_;
    void changed() {
        if (observer_) observer_();
    }
};

}  // namespace hls

#endif  // X_HLS_STREAM_SIM_H
