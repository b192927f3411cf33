// qcsr_tb.cpp -- C-simulation testbench of the qcsr HLS core (make hls-csim).
//
// Reads the golden test vectors (docs/ARCHITECTURE.md section 3; qcsr_tb_common.h), runs qcsr_top (one call
// per frame, auto-restarted) as a coroutine that AXI4-Stream models feed one beat per testbench clock
// (the harness: qcsr_tb_harness.h on hls/tb/sim/qcsr_sim_runner.h), and compares every output frame exactly with the golden
// engine's output_rgb.bin; small vectors are also compared tensor by tensor (head, dw*, pw*, tail,
// bicubic, ...) through the csim trace. Scenarios: every vector back to back, repeated frames with
// one configuration (each process's trip count = the cycle model of ARCHITECTURE.md 5.4), weight-set
// switches, malformed video (missing SOF, early / late EOL, SOF inside a frame, no configuration),
// malformed configuration packets, reset, random back-pressure and input gaps.
//
// Usage: qcsr_csim [--quick] [--only SUBSTRING] [--bench] VECTORS_DIR
// Prints one line per test and "N passed, M failed"; exits 1 on any failure, 2 on usage errors.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <functional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <ap_fixed.h>

#include "../qcsr_csim.h"
#include "../qcsr_requant.h"
#include "../qcsr_top.h"
#include "qcsr_sim_runner.h"
#include "qcsr_tb_common.h"
#include "qcsr_tb_harness.h"

using qcsr::arch;
using namespace qcsr_tb;

namespace {

// ------------------------------------------------------------------------------------ unit test
// requantize() == ap_fixed conversion with AP_RND / AP_SAT, for every shift the loader accepts.
template <int S, bool SIGNED>
long check_requant_shift(std::mt19937& rng) {
    const int AW = arch::ACC_DW;
    // the accumulator read as a fixed-point value acc * 2^-S
    const int FW = S >= AW - 1 ? S + 1 : AW;
    const int FI = S >= AW - 1 ? 1 : AW - S;
    typedef ap_fixed<FW, FI> src_t;
    typedef typename std::conditional<SIGNED, ap_fixed<arch::ABITS, arch::ABITS, AP_RND, AP_SAT>,
                                      ap_ufixed<arch::ABITS, arch::ABITS, AP_RND, AP_SAT>>::type dst_t;
    const long long lim = 1LL << (AW - 1);
    std::vector<long long> accs = {0, 1, -1, lim - 1, -lim, lim / 2, -lim / 2};
    if (S > 0 && S < AW) {
        for (long long k = -6; k <= 6; k++) {  // ties and their neighbours
            const long long tie = k * (1LL << S) + (1LL << (S - 1));
            for (int d = -1; d <= 1; d++)
                if (tie + d >= -lim && tie + d < lim) accs.push_back(tie + d);
        }
    }
    std::uniform_int_distribution<long long> dist(-lim, lim - 1);
    for (int i = 0; i < 300; i++) accs.push_back(dist(rng));
    long bad = 0;
    for (long long a : accs) {
        const ap_int<AW> acc = a;
        src_t x;
        x.range(FW - 1, 0) = ap_int<FW>(acc);
        const dst_t ref = x;
        const ap_int<arch::ABITS + 1> got = qcsr::requantize<arch::ABITS, SIGNED>(acc, qcsr::shift_t(S));
        // and the plain SPEC formula
        long long f = S > 0 ? ((S >= 62 ? (a < 0 ? -1 : 0) : (a + (1LL << (S - 1))) >> S)) : a * (1LL << -S);
        const long long qmax = SIGNED ? (1LL << (arch::ABITS - 1)) - 1 : (1LL << arch::ABITS) - 1;
        const long long qmin = SIGNED ? -(1LL << (arch::ABITS - 1)) : 0;
        f = std::min(qmax, std::max(qmin, f));
        if (got.to_int64() != ref.to_int64() || got.to_int64() != f) bad++;
    }
    return bad;
}

template <int S>
struct RequantSweep {
    static long run(std::mt19937& rng) {
        return check_requant_shift<S, true>(rng) + check_requant_shift<S, false>(rng) + RequantSweep<S + 1>::run(rng);
    }
};
template <>
struct RequantSweep<arch::SHIFT_MAX + 1> {
    static long run(std::mt19937&) { return 0; }
};

void test_requant() {
    if (!selected("unit:requant")) return;
    std::mt19937 rng(1);
    const long bad = RequantSweep<arch::SHIFT_MIN>::run(rng);
    report("unit:requant_vs_ap_fixed_AP_RND_AP_SAT",
           bad ? std::to_string(bad) + " accumulator/shift pairs differ" : "");
}

// ------------------------------------------------------------------------------------ scenarios
std::string layer_name(int l) {
    if (l == 0) return "head";
    if (l == arch::NL - 1) return "tail";
    return (l % 2 ? "dw" : "pw") + std::to_string((l + 1) / 2);
}

std::string compare_tensor(const std::string& name, const std::vector<int>& got, const std::vector<int64_t>& exp) {
    if (got.size() != exp.size()) return name + ": size " + std::to_string(got.size()) + " vs " + std::to_string(exp.size());
    for (size_t i = 0; i < got.size(); i++) {
        if (got[i] != exp[i]) {
            long n = 0;
            for (size_t j = 0; j < got.size(); j++) n += got[j] != exp[j];
            return name + ": " + std::to_string(n) + " values differ, first at flat index " + std::to_string(i) +
                   " (got " + std::to_string(got[i]) + ", expected " + std::to_string(exp[i]) + ")";
        }
    }
    return "";
}

// One frame on a freshly reset core, every traced tensor against the golden intermediates.
void test_layers(const Vec& v) {
    const std::string name = "layers:" + v.name;
    if (!selected(name)) return;
    if (!v.find("head")) return;  // intermediates only for small vectors
    Harness h;
    qcsr_csim::trace.arm(v.W, v.H);
    h.push_cfg(v.cfg);
    h.push_frame(frame_beats(v));
    const bool ok = h.run(frame_budget(v), 64);
    qcsr_csim::trace.armed = false;
    std::string err = ok ? check_output(h.out, {{GOOD, &v, 0}}) : "timeout (core hung)";
    const qcsr_csim::Trace& t = qcsr_csim::trace;
    std::vector<std::pair<std::string, const std::vector<int>*>> tensors = {
        {"ycbcr_lr", &t.ycbcr_lr}, {"bicubic", &t.bicubic}, {"residual_hr", &t.residual_hr},
        {"y_hr", &t.y_hr}, {"ycbcr_hr", &t.ycbcr_hr}};
    for (int l = 0; l < arch::NL; l++) tensors.push_back({layer_name(l), &t.layer[l]});
    for (const auto& tn : tensors) {
        if (!err.empty()) break;
        const FileEntry* e = v.find(tn.first);
        if (!e) {
            err = "golden intermediate " + tn.first + " missing";
            break;
        }
        err = compare_tensor(tn.first, *tn.second, load_entry(v.dir, *e));
    }
    report(name, err);
}

// Every vector back to back, a configuration packet before each (loaded during the previous frame).
void test_sequence(const std::vector<Vec>& vecs, bool bubbles) {
    const std::string prefix = bubbles ? "backpressure:" : "seq:";
    bool any = false;
    for (const auto& v : vecs) any = any || selected(prefix + v.name);
    if (!any) return;
    Harness h;
    if (bubbles) {
        h.p_ready = 0.55;
        h.p_valid = 0.8;
    }
    std::vector<Expect> exp;
    uint64_t budget = 0;
    for (const auto& v : vecs) {
        h.push_cfg(v.cfg);
        h.push_frame(frame_beats(v));
        exp.push_back({GOOD, &v, 0});
        budget += frame_budget(v) * (bubbles ? 3 : 1) + 4 * v.cfg.size();
    }
    const bool ok = h.run(budget, 256);
    std::vector<std::string> per;
    const std::string err = ok ? check_output(h.out, exp, &per) : "timeout (core hung)";
    for (size_t i = 0; i < vecs.size(); i++) {
        std::string e = !ok ? err : (i < per.size() ? per[i] : err);
        if (e.empty() && i + 1 == vecs.size() && !err.empty()) e = err;
        if (e.empty() && h.status(19, 16) != 0) e = "unexpected error status " + hex(h.status.to_uint());
        if (selected(prefix + vecs[i].name)) report(prefix + vecs[i].name, e);
    }
}

// The same frame 3 times with one configuration packet: exact, and every process ran the trip
// count of the cycle model (ARCHITECTURE.md 5.4; the C simulation has no clock, so the model's
// cycles are trip counts x II; csynth/cosim give the rest).
void test_repeat(const std::vector<Vec>& vecs, bool odd) {
    const std::string name = odd ? "repeat:throughput_odd_width" : "repeat:throughput";
    if (!selected(name)) return;
    const Vec* best = nullptr;
    for (const auto& v : vecs)
        if (v.W % 2 == (odd ? 1 : 0) && (!best || v.W * v.H > best->W * best->H)) best = &v;
    if (!best) return skip(name, odd ? "no odd-width vector" : "no even-width vector");
    Harness h;
    h.push_cfg(best->cfg);
    for (int i = 0; i < 3; i++) h.push_frame(frame_beats(*best));
    const bool ok = h.run(4 * frame_budget(*best), 256);
    std::string err = ok ? check_output(h.out, {{GOOD, best, 0}, {GOOD, best, 0}, {GOOD, best, 0}}) : "timeout";
    const TripModel m = check_trips(best->W, best->H);
    std::printf("     %s %dx%d, FOLD %d: frame interval %llu cycles by the model (%s), %.4f cycles per pixel\n",
                best->name.c_str(), best->W, best->H, arch::FOLD, m.interval, m.slowest.c_str(),
                static_cast<double>(m.interval) / (static_cast<double>(best->W) * best->H));
    if (err.empty()) err = m.err;
    report(name + "(" + best->name + ")", err);
}

void test_switch(const std::vector<Vec>& vecs) {
    const std::string name = "switch:weights";
    if (!selected(name)) return;
    const Vec* a = nullptr;
    const Vec* b = find_pair_partner(vecs, a);
    if (!b) return skip(name, "no two vectors with the same input and different models");
    Harness h;
    std::vector<Expect> exp;
    for (int i = 0; i < 4; i++) {
        const Vec* v = i % 2 ? b : a;
        h.push_cfg(v->cfg);
        h.push_frame(frame_beats(*v));
        exp.push_back({GOOD, v, 0});
    }
    const bool ok = h.run(8 * frame_budget(*a) + 20000, 256);
    std::string err = ok ? check_output(h.out, exp) : "timeout";
    if (err.empty() && a->out_rgb == b->out_rgb) err = "the two models give identical outputs: the test could not fail";
    report(name + "(" + a->name + " <-> " + b->name + ")", err);
}

void test_bad_video(const std::vector<Vec>& vecs) {
    const Vec* v = bad_video_vector(vecs);
    if (!v) {
        skip("malformed:*", "no vector large enough for the malformed-frame cases");
        return;
    }
    const std::vector<BadVideo> cases = bad_video_cases(*v);
    for (const auto& c : cases) {
        const std::string name = "malformed:" + c.name;
        if (!selected(name)) continue;
        Harness h;
        h.p_ready = c.p_ready;
        std::vector<Expect> exp;
        if (!c.before_cfg) h.push_cfg(v->cfg);
        if (!c.before_cfg && c.lead_good) {  // a good frame first: its output must survive the next frame's error
            h.push_frame(frame_beats(*v));
            exp.push_back({GOOD, v, 0});
        }
        h.push_frame(c.make(*v));
        exp.push_back({c.before_cfg ? DROPPED : ABANDONED, v, 0});
        if (c.before_cfg) h.push_cfg(v->cfg);
        h.push_frame(frame_beats(*v));
        exp.push_back({GOOD, v, 0});
        const bool ok = h.run(static_cast<uint64_t>(6 / c.p_ready) * frame_budget(*v), 256);
        std::string err = ok ? "" : "timeout (core hung)";
        if (err.empty() && h.err_cycles.size() != 1)
            err = std::to_string(h.err_cycles.size()) + " status changes, expected exactly one error event";
        if (err.empty()) {
            exp[exp.size() - 2].err_cycle = h.err_cycles[0];
            err = check_output(h.out, exp);
        }
        if (err.empty()) err = status_error(h.status, c.status_bits, c.count);
        report(name, err);
    }
}

// Malformed configuration packets between good frames: each is rejected whole (bit 19, no event
// count), the previous weights stay active, and the loader resynchronises on the next packet.
void test_bad_cfg(const std::vector<Vec>& vecs) {
    const std::string name = "malformed:cfg_packets";
    if (!selected(name)) return;
    const Vec* a = nullptr;
    const Vec* b = find_pair_partner(vecs, a);
    if (!b) return skip(name, "no two vectors with the same input and different models");
    const std::vector<std::pair<std::string, Words>> bad = bad_packets(*b);
    Harness h;
    std::vector<Expect> exp;
    h.push_cfg(a->cfg);
    h.push_frame(frame_beats(*a));
    exp.push_back({GOOD, a, 0});
    for (const auto& bw : bad) {
        h.push_cfg_raw(bw.second);
        h.push_frame(frame_beats(*a));
        exp.push_back({GOOD, a, 0});
    }
    h.push_cfg(b->cfg);
    h.push_frame(frame_beats(*b));
    exp.push_back({GOOD, b, 0});
    const bool ok = h.run((bad.size() + 3) * (frame_budget(*a) + 10000), 256);
    std::vector<std::string> per;
    std::string err = ok ? check_output(h.out, exp, &per) : "timeout";
    for (size_t i = 1; i + 1 < per.size() && i <= bad.size(); i++)
        if (!per[i].empty()) {
            err = "after the '" + bad[i - 1].first + "' packet: " + per[i];
            break;
        }
    if (err.empty() && (h.status(19, 16) != 0x8 || h.status(15, 0) != 0))
        err = "status " + hex(h.status.to_uint()) + ", expected bit 19 only and count 0";
    if (err.empty() && a->out_rgb == b->out_rgb) err = "the two models give identical outputs: the test could not fail";
    report(name + "(" + std::to_string(bad.size()) + " bad packets)", err);
}

// Two packets in a row: the second waits while the first is pending (the core reads one good packet
// per start of frame), so the next frame uses the first and the frame after it the second.
void test_pending_hold(const std::vector<Vec>& vecs) {
    const std::string name = "cfg:pending_packet_holds";
    if (!selected(name)) return;
    const Vec* a = nullptr;
    const Vec* b = find_pair_partner(vecs, a);
    if (!b) return skip(name, "no two vectors with the same input and different models");
    Harness h;
    h.push_cfg(b->cfg);
    h.push_cfg(a->cfg);
    h.push_gap(a->cfg.size() + 100);  // long enough for the second packet to overwrite, were it read
    h.push_frame(frame_beats(*b));
    h.push_frame(frame_beats(*a));
    std::string err;
    if (!h.run(4 * frame_budget(*a) + 20000, 256)) err = "timeout";
    if (err.empty()) err = check_output(h.out, {{GOOD, b, 0}, {GOOD, a, 0}});
    if (err.empty() && h.status(19, 0) != 0) err = "status " + hex(h.status.to_uint());
    report(name, err);
}

// Reset clears the status and the active configuration: a frame right after it is dropped.
void test_reset(const std::vector<Vec>& vecs) {
    const std::string name = "reset:clears_config_and_status";
    if (!selected(name)) return;
    const Vec& v = vecs.front();
    Harness h;
    h.push_frame(frame_beats(v));  // no configuration yet: dropped, bit 16
    h.push_cfg(v.cfg);
    h.push_frame(frame_beats(v));
    std::string err;
    if (!h.run(4 * frame_budget(v), 128)) err = "timeout";
    if (err.empty()) err = check_output(h.out, {{DROPPED, &v, 0}, {GOOD, &v, 0}});
    if (err.empty() && h.status.to_uint() != ((1u << 16) | 1u)) err = "status before reset " + hex(h.status.to_uint());
    h.out.clear();
    h.reset();
    if (err.empty() && h.status.to_uint() != 0) err = "status after reset " + hex(h.status.to_uint());
    h.push_frame(frame_beats(v));  // configuration was cleared: dropped again
    h.push_cfg(v.cfg);
    h.push_frame(frame_beats(v));
    if (err.empty() && !h.run(4 * frame_budget(v), 128)) err = "timeout after reset";
    if (err.empty()) err = check_output(h.out, {{DROPPED, &v, 0}, {GOOD, &v, 0}});
    if (err.empty() && h.status.to_uint() != ((1u << 16) | 1u)) err = "status after the second run " + hex(h.status.to_uint());
    report(name, err);
}

// Large frames (make bench-hls): wall time of the csim per frame, 2 frames back to back.
int bench(const std::vector<Vec>& vecs) {
    for (const auto& v : vecs) {
        Harness h;
        h.push_cfg(v.cfg);
        h.push_frame(frame_beats(v));
        h.push_frame(frame_beats(v));
        const auto t0 = std::chrono::steady_clock::now();
        const std::clock_t c0 = std::clock();
        const bool ok = h.run(3 * frame_budget(v), 4096);
        const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
        const std::string err = ok ? check_output(h.out, {{GOOD, &v, 0}, {GOOD, &v, 0}}) : "timeout";
        const TripModel m = check_trips(v.W, v.H);
        std::printf("bench %s %dx%d: %.2f s per frame csim wall time (%.2f s CPU; %d frames back to back), "
                    "FOLD %d: %llu cycles per frame by the cycle model (%s; %.4f cycles per pixel), output %s\n",
                    v.name.c_str(), v.W, v.H, sec / 2, cpu / 2, 2, arch::FOLD, m.interval, m.slowest.c_str(),
                    static_cast<double>(m.interval) / (static_cast<double>(v.W) * v.H),
                    err.empty() ? (m.err.empty() ? "exact" : m.err.c_str()) : err.c_str());
        report("bench:" + v.name, err.empty() ? m.err : err);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false, do_bench = false;
    VectorSet vs;
    if (const int rc = tb_setup(argc, argv, "qcsr_csim", quick, &do_bench, vs)) return rc;
    const auto t0 = std::chrono::steady_clock::now();
    if (do_bench) {
        bench(vs.vecs);
    } else {
        test_requant();
        if (!quick)
            for (const auto& v : vs.vecs) test_layers(v);
        test_sequence(vs.vecs, false);
        test_repeat(vs.vecs, false);
        test_repeat(vs.vecs, true);
        test_switch(vs.vecs);
        test_bad_video(vs.vecs);
        test_bad_cfg(vs.vecs);
        test_pending_hold(vs.vecs);
        test_reset(vs.vecs);
        if (!quick) {
            std::vector<Vec> few;
            for (const auto& v : vs.vecs)
                if (few.size() < 4 && (few.empty() || v.W % 2 != few.back().W % 2 || few.size() >= 2)) few.push_back(v);
            test_sequence(few, true);
        }
    }
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (tally().skip) std::printf("%d skipped\n", tally().skip);
    std::printf("csim time %.1f s\n", sec);
    std::printf("%d passed, %d failed\n", tally().pass, tally().fail);
    return tally().fail ? 1 : 0;
}
