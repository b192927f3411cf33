// qcsr_tb_harness.h -- the per-clock harness of hls/tb/qcsr_tb.cpp: qcsr_top run as a coroutine (hls/tb/sim/)
// with AXI4-Stream models feeding one beat per testbench clock, optional back-pressure and input gaps, and
// the cycle model of ARCHITECTURE.md 5.4 checked from the processes' trip counts. The vectors, frames and
// cases it drives are in qcsr_tb_common.h; the scenarios in qcsr_tb.cpp.
#ifndef QCSR_TB_HARNESS_H_
#define QCSR_TB_HARNESS_H_

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "../qcsr_csim.h"
#include "../qcsr_top.h"
#include "qcsr_sim_runner.h"
#include "qcsr_tb_common.h"

namespace qcsr_tb {

using qcsr::arch;

class Harness {
  public:
    hls::stream<qcsr::video_in_t> vin;
    hls::stream<qcsr::video_out_t> vout;
    hls::stream<qcsr::cfg_t> cfg;
    ap_uint<32> status = 0;
    std::vector<OutBeat> out;
    std::vector<uint64_t> err_cycles;  // cycles in which status[19:0] changed (an error was recorded)
    uint64_t cycle = 0;
    double p_ready = 1.0, p_valid = 1.0;
    std::mt19937 rng{12345};

    struct Item {
        enum Kind { CFG, VIDEO, GAP } kind;
        std::vector<std::pair<uint32_t, bool>> words;  // CFG: data, TLAST
        std::vector<InBeat> beats;                      // VIDEO
        uint64_t gap = 0;                               // GAP: idle cycles
        size_t next = 0;
        bool pushed = false;
        uint64_t first_consumed = UINT64_MAX;
    };
    std::vector<Item> items;

    Harness() : core_([this] { qcsr_top(vin, vout, cfg, &cfg_pending_, status); }) {
        vout.set_capacity(2);  // the AXI sink: a register slice; one beat per clock leaves it
        cfg.set_observer([this] { cfg_pending_ = !cfg.empty(); });  // cfg_pending = s_axis_cfg TVALID
        reset();
    }

    void reset() {  // system reset (ap_rst_n): the core and the stream sources / sinks
        core_.restart();
        qcsr_csim::reset_state();
        vin.clear();
        vout.clear();
        cfg.clear();
        status = 0;
        items.clear();
        err_cycles.clear();
        cur_ = 0;
        inflight_ = false;
        core_.step();  // one clock with everything idle, as after ap_rst_n
        cycle++;
    }
    void push_cfg(const std::vector<uint32_t>& w) {
        Item it;
        it.kind = Item::CFG;
        for (size_t i = 0; i < w.size(); i++) it.words.push_back({w[i], i + 1 == w.size()});
        items.push_back(it);
    }
    void push_cfg_raw(const std::vector<std::pair<uint32_t, bool>>& w) {
        Item it;
        it.kind = Item::CFG;
        it.words = w;
        items.push_back(it);
    }
    void push_frame(const std::vector<InBeat>& beats) {
        Item it;
        it.kind = Item::VIDEO;
        it.beats = beats;
        items.push_back(it);
    }
    void push_gap(uint64_t n) {
        Item it;
        it.kind = Item::GAP;
        it.gap = n;
        items.push_back(it);
    }

    // Runs until every item is consumed, the core is idle and the output has been quiet for
    // `quiet` cycles. Returns false when max_cycles pass first (a hang).
    bool run(uint64_t max_cycles, uint64_t quiet) {
        uint64_t last_activity = cycle;
        const uint64_t stop = cycle + max_cycles;
        while (cycle < stop) {
            feed();
            const uint32_t before = status(19, 0).to_uint();
            const size_t cfg_before = cfg.size();
            core_.step();
            if (status(19, 0).to_uint() != before) err_cycles.push_back(cycle);
            if (cfg.size() != cfg_before) last_activity = cycle;
            const bool ready = p_ready >= 1.0 || uni(rng) < p_ready;  // m_axis_video_TREADY this clock
            qcsr::video_out_t o;
            if (ready && vout.read_nb(o)) {
                out.push_back({o.data, o.user == 1, o.last == 1, cycle});
                last_activity = cycle;
            }
            if (inflight_ && vin.empty()) {
                inflight_ = false;
                Item& it = items[inflight_item_];
                if (inflight_beat_ == 0) it.first_consumed = cycle;
                last_activity = cycle;
            }
            cycle++;
            const bool done = cur_ >= items.size() && vin.empty() && vout.empty() && status[20] == 0;
            if (done && cycle - last_activity > quiet) return true;
        }
        return false;
    }

  private:
    bool cfg_pending_ = false;
    qcsr_sim::Runner core_;
    size_t cur_ = 0;
    bool inflight_ = false;
    size_t inflight_item_ = 0, inflight_beat_ = 0;
    std::uniform_real_distribution<double> uni{0.0, 1.0};

    void push_words(Item& it) {
        for (const auto& w : it.words) cfg.write(cfg_beat(w.first, w.second));
        it.pushed = true;
    }

    // Configuration packets are offered whole, in order; the core reads them at the next start of
    // frame (ARCHITECTURE.md 5.3). A frame's beats go one per clock (TVALID with probability p_valid).
    void feed() {
        while (cur_ < items.size()) {
            Item& it = items[cur_];
            if (it.kind == Item::CFG) {
                if (!it.pushed) push_words(it);
                cur_++;
                continue;
            }
            if (it.kind == Item::GAP) {
                if (it.gap > 0) {
                    it.gap--;
                    return;
                }
                cur_++;
                continue;
            }
            if (!vin.empty()) return;
            if (it.next == it.beats.size()) {
                cur_++;
                continue;
            }
            // once this frame has started, the next configuration packet may arrive concurrently
            if (it.next >= 1 && cur_ + 1 < items.size() && items[cur_ + 1].kind == Item::CFG &&
                !items[cur_ + 1].pushed && it.first_consumed != UINT64_MAX)
                push_words(items[cur_ + 1]);
            if (p_valid < 1.0 && uni(rng) >= p_valid) return;  // TVALID low this cycle
            vin.write(axis_beat(it.beats[it.next]));
            inflight_ = true;
            inflight_item_ = cur_;
            inflight_beat_ = it.next;
            it.next++;
            return;
        }
    }
};

// The cycle model of ARCHITECTURE.md 5.4 from the trip counts of the last frame's processes: each
// process at II = FOLD (out_reorder at II = 1); the frame interval is the longest of them.
struct TripModel {
    std::string err;
    unsigned long long interval = 0;  // cycles per frame (without pipeline fill)
    std::string slowest;
};
inline TripModel check_trips(int W, int H) {
    TripModel m;
    const unsigned long long n = static_cast<unsigned long long>(W) * H;
    const unsigned long long B = (W + 1) / 2;
    const std::map<std::string, std::pair<unsigned long long, int>> want = {
        {"framer", {n, arch::FOLD}},
        {"rgb2ycbcr", {n, arch::FOLD}},
        {"head", {n + (arch::F / 2) * static_cast<unsigned long long>(W) + arch::F / 2, arch::FOLD}},
        {"dw", {n + (arch::KH / 2) * static_cast<unsigned long long>(W) + arch::KW / 2, arch::FOLD}},
        {"pw", {n, arch::FOLD}},
        {"tail", {n, arch::FOLD}},
        {"bicubic", {n + static_cast<unsigned long long>(arch::ROWS) * W + arch::COLS, arch::FOLD}},
        {"residual", {n, arch::FOLD}},
        {"ycbcr2rgb", {n, arch::FOLD}},
        {"out_reorder", {(static_cast<unsigned long long>(H) + 1) * 2 * B, 1}},
    };
    for (const auto& w : want) {
        const auto it = qcsr_csim::trips.find(w.first);
        const unsigned long long got = it == qcsr_csim::trips.end() ? 0 : it->second;
        if (got != w.second.first && m.err.empty())
            m.err = w.first + ": " + std::to_string(got) + " iterations, model " + std::to_string(w.second.first);
        const unsigned long long cyc = got * static_cast<unsigned long long>(w.second.second);
        if (cyc > m.interval) {
            m.interval = cyc;
            m.slowest = w.first;
        }
    }
    return m;
}

inline uint64_t frame_budget(const Vec& v) { return 8ull * (v.W + 8) * (v.H + 16) + 200000; }

}  // namespace qcsr_tb

#endif  // QCSR_TB_HARNESS_H_
