// qcsr_tb_vitis.cpp -- the C testbench in Vitis' form (make hls-csim; run_hls.tcl's csim_design
// and cosim_design).
//
// What Vitis C/RTL co-simulation can run: plain sequential C++ on Xilinx's own hls_stream.h (the
// ap_types one, no project stream model on the include path), one call of qcsr_top per start of
// frame, every input stream filled before the call and every output drained after it; cosim
// records each call's inputs and outputs and replays them against the RTL. Inside a call the C
// semantics of the DATAFLOW region are sequential (each process runs to completion in order on
// unbounded streams), so this testbench checks data, not timing.
//
// Data-level scenarios: every vector back to back (a packet before each), one packet for repeated
// frames, A B A B weight switches, the malformed frames whose point is not output timing, and
// rejected packets. A call's cfg_pending is the level s_axis_cfg's TVALID has when its SOF beat
// arrives: true when packets were queued for that frame. A one-call-per-frame testbench cannot
// lower it in the middle of a call, so each call that has packets ends its queue with a good one
// (a rejected packet is followed by a good packet, which must then be active); a lone rejected
// packet with no packet after it, back-pressure, input gaps, reset and the cycle model are the
// per-clock testbench's (hls/tb/qcsr_tb.cpp), which drives cfg_pending from the stream's level at
// every clock.
//
// Usage: qcsr_csim_vitis [--quick] [--only SUBSTRING] VECTORS_DIR
// Prints one line per test and "N passed, M failed"; exits 1 on any failure, 2 on usage errors.
#include <hls_stream.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "../qcsr_csim.h"
#include "../qcsr_top.h"
#include "qcsr_tb_common.h"

using qcsr::arch;
using namespace qcsr_tb;

namespace {

// One call of qcsr_top: the packets queued for its start of frame.
struct Call {
    std::vector<Words> packets;
};

// A core and its streams; run() makes one call per SOF beat of the queued video, in order.
class VitisBench {
  public:
    hls::stream<qcsr::video_in_t> vin{"s_axis_video"};
    hls::stream<qcsr::video_out_t> vout{"m_axis_video"};
    hls::stream<qcsr::cfg_t> cfg{"s_axis_cfg"};
    ap_uint<32> status = 0;
    std::vector<OutBeat> out;
    std::vector<Call> calls;  // one per SOF beat pushed so far

    VitisBench() { qcsr_csim::reset_state(); }

    // A frame's beats; `packets` are queued for the call of its first SOF beat (it must have one).
    void push_frame(const std::vector<InBeat>& beats, const std::vector<Words>& packets = {}) {
        bool first_sof = true;
        for (const InBeat& b : beats) {
            if (b.user) {
                calls.push_back(Call());
                if (first_sof) calls.back().packets = packets;
                first_sof = false;
            }
            vin.write(axis_beat(b));
        }
        if (first_sof && !packets.empty()) throw std::logic_error("packets queued for a frame without a SOF beat");
    }

    // Every call, in order; the outputs drained after each.
    void run() {
        for (size_t i = done_; i < calls.size(); i++) {
            const std::vector<Words>& packets = calls[i].packets;
            for (const Words& w : packets)
                for (const auto& word : w) cfg.write(cfg_beat(word.first, word.second));
            const bool pending = !packets.empty();
            qcsr_top(vin, vout, cfg, &pending, status);
            while (!vout.empty()) {
                const qcsr::video_out_t o = vout.read();
                out.push_back({o.data, o.user == 1, o.last == 1, i + 1});
            }
        }
        done_ = calls.size();
    }

    // Streams that still hold data after the calls: a call read fewer (or more) words than it should.
    std::string leftovers() {
        std::string e;
        if (!vin.empty()) e += std::to_string(vin.size()) + " video beats left unread; ";
        if (!cfg.empty()) e += std::to_string(cfg.size()) + " configuration words left unread; ";
        return e;
    }

  private:
    size_t done_ = 0;
};

// Every vector back to back, its packet queued for its own frame.
void test_sequence(const std::vector<Vec>& vecs) {
    bool any = false;
    for (const auto& v : vecs) any = any || selected("vitis:seq:" + v.name);
    if (!any) return;
    VitisBench tb;
    std::vector<Expect> exp;
    for (const auto& v : vecs) {
        tb.push_frame(frame_beats(v), {packet_words(v.cfg)});
        exp.push_back({GOOD, &v, 0});
    }
    tb.run();
    std::vector<std::string> per;
    std::string err = check_output(tb.out, exp, &per);
    const std::string left = tb.leftovers();
    for (size_t i = 0; i < vecs.size(); i++) {
        std::string e = i < per.size() ? per[i] : err;
        if (e.empty() && i + 1 == vecs.size()) e = err.empty() ? left : err;
        if (e.empty() && tb.status(19, 16) != 0) e = "unexpected error status " + hex(tb.status.to_uint());
        if (selected("vitis:seq:" + vecs[i].name)) report("vitis:seq:" + vecs[i].name, e);
    }
}

// One packet, then the same frame three times (the configuration stays active).
void test_repeat(const std::vector<Vec>& vecs) {
    const std::string name = "vitis:repeat";
    if (!selected(name)) return;
    const Vec& v = vecs.front();
    VitisBench tb;
    tb.push_frame(frame_beats(v), {packet_words(v.cfg)});
    tb.push_frame(frame_beats(v));
    tb.push_frame(frame_beats(v));
    tb.run();
    std::string err = check_output(tb.out, {{GOOD, &v, 0}, {GOOD, &v, 0}, {GOOD, &v, 0}});
    if (err.empty()) err = tb.leftovers();
    if (err.empty()) err = status_error(tb.status, 0, 0);
    report(name + "(" + v.name + ")", err);
}

// Two weight sets on the same input, A B A B, each packet queued for its frame.
void test_switch(const std::vector<Vec>& vecs) {
    const std::string name = "vitis:switch:weights";
    if (!selected(name)) return;
    const Vec* a = nullptr;
    const Vec* b = find_pair_partner(vecs, a);
    if (!b) return skip(name, "no two vectors with the same input and different models");
    VitisBench tb;
    std::vector<Expect> exp;
    for (int i = 0; i < 4; i++) {
        const Vec* v = i % 2 ? b : a;
        tb.push_frame(frame_beats(*v), {packet_words(v->cfg)});
        exp.push_back({GOOD, v, 0});
    }
    tb.run();
    std::string err = check_output(tb.out, exp);
    if (err.empty()) err = tb.leftovers();
    if (err.empty() && a->out_rgb == b->out_rgb) err = "the two models give identical outputs: the test could not fail";
    report(name + "(" + a->name + " <-> " + b->name + ")", err);
}

// Malformed frames (the cases that are about data, not output timing): a good frame, the bad one,
// a good one; the abandoned frame's partial output is discarded by the contract's rule.
void test_bad_video(const std::vector<Vec>& vecs) {
    const Vec* v = bad_video_vector(vecs);
    if (!v) return skip("vitis:malformed:*", "no vector large enough for the malformed-frame cases");
    for (const BadVideo& c : bad_video_cases(*v)) {
        const std::string name = "vitis:malformed:" + c.name;
        if (!selected(name)) continue;
        if (c.p_ready < 1.0) continue;  // output timing under back-pressure: per-clock testbench only
        VitisBench tb;
        std::vector<Expect> exp;
        std::vector<Words> first_packets;
        if (!c.before_cfg) first_packets.push_back(packet_words(v->cfg));
        if (!c.before_cfg && c.lead_good) {
            tb.push_frame(frame_beats(*v), first_packets);
            first_packets.clear();
            exp.push_back({GOOD, v, 0});
        }
        tb.push_frame(c.make(*v), first_packets);
        exp.push_back({c.before_cfg ? DROPPED : ABANDONED, v, 0});
        tb.push_frame(frame_beats(*v), c.before_cfg ? std::vector<Words>{packet_words(v->cfg)} : std::vector<Words>{});
        exp.push_back({GOOD, v, 0});
        tb.run();
        std::string err = check_output(tb.out, exp);
        if (err.empty()) err = tb.leftovers();
        if (err.empty()) err = status_error(tb.status, c.status_bits, c.count);
        report(name, err);
    }
}

// Rejected packets: each bad packet is followed, in the same queue, by a good one of the other
// weight set; the frame must use that one (the bad one rejected whole, the loader resynchronised on
// the next packet), and the status carries bit 19 and no event count.
void test_bad_cfg(const std::vector<Vec>& vecs) {
    const std::string name = "vitis:malformed:cfg_packets";
    if (!selected(name)) return;
    const Vec* a = nullptr;
    const Vec* b = find_pair_partner(vecs, a);
    if (!b) return skip(name, "no two vectors with the same input and different models");
    const std::vector<std::pair<std::string, Words>> bad = bad_packets(*b);
    VitisBench tb;
    std::vector<Expect> exp;
    tb.push_frame(frame_beats(*a), {packet_words(a->cfg)});
    exp.push_back({GOOD, a, 0});
    for (size_t i = 0; i < bad.size(); i++) {
        const Vec* good = (i % 2 == 0) ? b : a;  // alternate, so a frame shows which packet became active
        tb.push_frame(frame_beats(*a), {bad[i].second, packet_words(good->cfg)});
        exp.push_back({GOOD, good, 0});
    }
    tb.run();
    std::vector<std::string> per;
    std::string err = check_output(tb.out, exp, &per);
    for (size_t i = 1; i < per.size() && i <= bad.size(); i++)
        if (!per[i].empty()) {
            err = "after the '" + bad[i - 1].first + "' packet: " + per[i];
            break;
        }
    if (err.empty()) err = tb.leftovers();
    if (err.empty()) err = status_error(tb.status, 1u << 19, 0);
    if (err.empty() && a->out_rgb == b->out_rgb) err = "the two models give identical outputs: the test could not fail";
    report(name + "(" + std::to_string(bad.size()) + " bad packets)", err);
}

}  // namespace

int main(int argc, char** argv) {
    bool quick = false;
    VectorSet vs;
    if (const int rc = tb_setup(argc, argv, "qcsr_csim_vitis", quick, nullptr, vs)) return rc;
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<Vec> seq = vs.vecs;
    if (quick) {  // cosim: the small vectors only
        seq.clear();
        for (const auto& v : vs.vecs)
            if (v.W * v.H <= 48 * 32) seq.push_back(v);
    }
    test_sequence(seq);
    test_repeat(seq);
    test_switch(vs.vecs);
    test_bad_video(vs.vecs);
    test_bad_cfg(vs.vecs);
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (tally().skip) std::printf("%d skipped\n", tally().skip);
    std::printf("csim time %.1f s\n", sec);
    std::printf("%d passed, %d failed\n", tally().pass, tally().fail);
    return tally().fail ? 1 : 0;
}
