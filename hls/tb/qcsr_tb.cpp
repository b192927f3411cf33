// qcsr_tb.cpp -- C-simulation testbench of the qcsr HLS core (make hls-csim).
//
// Reads the golden test vectors (docs/ARCHITECTURE.md section 3), runs qcsr_top (one call per
// frame, auto-restarted) as a coroutine that AXI4-Stream models feed one beat per testbench clock
// (hls/tb/sim/qcsr_sim_runner.h), and compares every output frame exactly with the golden
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

using qcsr::arch;

namespace {

// ------------------------------------------------------------------------------------ vectors
// One file of a vector: raw little-endian C-order array (index.txt: file <tensor> <file> <dtype> <ndim> <dims>).
struct FileEntry {
    std::string file, dtype;
    std::vector<size_t> shape;
};

struct Vec {
    std::string name, kind, model, dir;
    int W = 0, H = 0;
    std::vector<uint8_t> in_rgb, out_rgb;  // (H, W, 3), (2H, 2W, 3)
    std::vector<uint32_t> cfg;
    std::map<std::string, FileEntry> files;  // tensor name -> file entry (index.txt)

    const FileEntry* find(const std::string& tensor) const {
        auto it = files.find(tensor);
        return it == files.end() ? nullptr : &it->second;
    }
    const FileEntry& at(const std::string& tensor) const {
        const FileEntry* e = find(tensor);
        if (!e) throw std::runtime_error(name + ": index.txt has no file for " + tensor);
        return *e;
    }
};

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read " + path);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

size_t dtype_size(const std::string& d) {
    if (d == "uint8") return 1;
    if (d == "int16") return 2;
    if (d == "int32" || d == "uint32") return 4;
    throw std::runtime_error("unknown dtype " + d);
}

// Loads one file entry as int values (little endian).
std::vector<int64_t> load_entry(const std::string& dir, const FileEntry& e) {
    const std::string& dtype = e.dtype;
    size_t n = 1;
    for (size_t d : e.shape) n *= d;
    const std::vector<uint8_t> raw = read_file(dir + "/" + e.file);
    const size_t sz = dtype_size(dtype);
    if (raw.size() != n * sz) throw std::runtime_error(e.file + ": size does not match its shape");
    std::vector<int64_t> out(n);
    for (size_t i = 0; i < n; i++) {
        const uint8_t* p = &raw[i * sz];
        if (dtype == "uint8") out[i] = p[0];
        else if (dtype == "int16") out[i] = static_cast<int16_t>(p[0] | (p[1] << 8));
        else {
            const uint32_t u = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
            out[i] = dtype == "int32" ? static_cast<int64_t>(static_cast<int32_t>(u)) : static_cast<int64_t>(u);
        }
    }
    return out;
}

struct VectorSet {
    std::vector<Vec> vecs;
};

// index.txt, the flat form of index.json that golden/vectors.py writes beside it (flat_index()):
//   qcsr-vectors 1
//   vector <name> <kind> <model> <width> <height> <nfiles>
//   file <tensor> <file> <dtype> <ndim> <dim>...        (nfiles lines)
void load_vectors(const std::string& dir, VectorSet& vs) {
    std::ifstream in(dir + "/index.txt");
    if (!in) throw std::runtime_error("cannot read " + dir + "/index.txt (vectors from an older qcsr?)");
    std::string tag, word;
    int version = 0;
    if (!(in >> tag >> version) || tag != "qcsr-vectors" || version != 1)
        throw std::runtime_error("index.txt: not a qcsr-vectors version 1 index");
    while (in >> word) {
        if (word != "vector") throw std::runtime_error("index.txt: expected 'vector', got '" + word + "'");
        Vec x;
        int nfiles = 0;
        if (!(in >> x.name >> x.kind >> x.model >> x.W >> x.H >> nfiles) || nfiles < 0)
            throw std::runtime_error("index.txt: malformed vector line");
        for (int i = 0; i < nfiles; i++) {
            std::string tensor;
            FileEntry e;
            size_t ndim = 0;
            if (!(in >> word >> tensor >> e.file >> e.dtype >> ndim) || word != "file")
                throw std::runtime_error("index.txt: malformed file line in vector " + x.name);
            e.shape.resize(ndim);
            for (size_t& d : e.shape)
                if (!(in >> d)) throw std::runtime_error("index.txt: malformed shape in vector " + x.name);
            x.files[tensor] = e;
        }
        x.dir = dir + "/" + x.name;
        for (int64_t b : load_entry(x.dir, x.at("input_rgb"))) x.in_rgb.push_back(static_cast<uint8_t>(b));
        for (int64_t b : load_entry(x.dir, x.at("output_rgb"))) x.out_rgb.push_back(static_cast<uint8_t>(b));
        for (int64_t w : load_entry(x.dir, x.at("cfg"))) x.cfg.push_back(static_cast<uint32_t>(w));
        if (x.in_rgb.size() != static_cast<size_t>(x.W * x.H * 3) || x.out_rgb.size() != static_cast<size_t>(12 * x.W * x.H))
            throw std::runtime_error(x.name + ": input/output sizes do not match width/height");
        vs.vecs.push_back(x);
    }
}

// ------------------------------------------------------------------------------------ streams
struct InBeat {
    uint32_t data;
    bool user, last;
};

// The frame as AXI4-Stream video beats (UG934: G [7:0], B [15:8], R [23:16]).
std::vector<InBeat> frame_beats(const Vec& v, bool invert = false) {
    std::vector<InBeat> b;
    for (int y = 0; y < v.H; y++) {
        for (int x = 0; x < v.W; x++) {
            const uint8_t* p = &v.in_rgb[(y * v.W + x) * 3];
            uint32_t r = p[0], g = p[1], bl = p[2];
            if (invert) {
                r = 255 - r;
                g = 255 - g;
                bl = 255 - bl;
            }
            b.push_back({g | (bl << 8) | (r << 16), x == 0 && y == 0, x == v.W - 1});
        }
    }
    return b;
}

struct OutBeat {
    ap_uint<96> data;
    bool user, last;
    uint64_t cycle;
};

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

    Harness() : core_([this] { qcsr_top(vin, vout, cfg, status); }) {
        vout.set_capacity(2);  // the AXI sink: a register slice; one beat per clock leaves it
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
    qcsr_sim::Runner core_;
    size_t cur_ = 0;
    bool inflight_ = false;
    size_t inflight_item_ = 0, inflight_beat_ = 0;
    std::uniform_real_distribution<double> uni{0.0, 1.0};

    void push_words(Item& it) {
        for (const auto& w : it.words) {
            qcsr::cfg_t c;
            c.data = w.first;
            c.keep = -1;
            c.strb = -1;
            c.last = w.second ? 1 : 0;
            cfg.write(c);
        }
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
            const InBeat& b = it.beats[it.next];
            qcsr::video_in_t v;
            v.data = b.data;
            v.keep = -1;
            v.strb = -1;
            v.user = b.user ? 1 : 0;
            v.last = b.last ? 1 : 0;
            vin.write(v);
            inflight_ = true;
            inflight_item_ = cur_;
            inflight_beat_ = it.next;
            it.next++;
            return;
        }
    }
};

// ------------------------------------------------------------------------------------ checking
struct Segment {
    size_t begin, end;  // [begin, end) in Harness::out
    bool has_sof;
};

std::vector<Segment> split_segments(const std::vector<OutBeat>& out) {
    std::vector<Segment> segs;
    for (size_t i = 0; i < out.size(); i++) {
        if (i == 0 || out[i].user) segs.push_back({i, i + 1, out[i].user});
        else segs.back().end = i + 1;
    }
    return segs;
}

bool segment_complete(const std::vector<OutBeat>& out, const Segment& s, int W, int H) {
    const size_t bpl = static_cast<size_t>((2 * W + 3) / 4);
    if (!s.has_sof || s.end - s.begin != bpl * 2 * H) return false;
    for (size_t i = s.begin; i < s.end; i++) {
        if (out[i].last != ((i - s.begin) % bpl == bpl - 1)) return false;
        if (i > s.begin && out[i].user) return false;
    }
    return true;
}

// Exact comparison of a complete segment with the expected frame; "" when equal.
std::string compare_frame(const std::vector<OutBeat>& out, const Segment& s, const Vec& v) {
    const int W2 = 2 * v.W, H2 = 2 * v.H, bpl = (W2 + 3) / 4;
    long bad = 0;
    std::string first;
    for (int y = 0; y < H2; y++) {
        for (int k = 0; k < bpl; k++) {
            const ap_uint<96> d = out[s.begin + static_cast<size_t>(y * bpl + k)].data;
            for (int j = 0; j < 4; j++) {
                const int x = 4 * k + j;
                const uint32_t px = d(24 * j + 23, 24 * j).to_uint();
                if (x >= W2) {
                    if (px != 0) {
                        bad++;
                        if (first.empty()) first = "padding pixel of row " + std::to_string(y) + " is not zero";
                    }
                    continue;
                }
                const uint8_t* e = &v.out_rgb[(y * W2 + x) * 3];
                const uint32_t r = (px >> 16) & 255, g = px & 255, b = (px >> 8) & 255;
                if (r != e[0] || g != e[1] || b != e[2]) {
                    if (first.empty()) {
                        char buf[160];
                        std::snprintf(buf, sizeof buf, "HR (%d, %d): got RGB (%u, %u, %u), expected (%d, %d, %d)", y, x,
                                      r, g, b, e[0], e[1], e[2]);
                        first = buf;
                    }
                    bad++;
                }
            }
        }
    }
    if (!bad) return "";
    return std::to_string(bad) + " pixels differ; first " + first;
}

enum ExpectKind { GOOD, ABANDONED, DROPPED };
struct Expect {
    ExpectKind kind;
    const Vec* v;
    uint64_t err_cycle;  // ABANDONED: the cycle in which the core recorded the error
};

// Walks the output segments against the expected frames: GOOD needs the next segment complete and
// exact; ABANDONED applies the contract's rule (ARCHITECTURE.md section 2): output is discarded up to
// the first output SOF after the error that starts a complete frame, which must be the next good one; DROPPED consumes
// nothing. No segment may be left over.
std::string check_output(const std::vector<OutBeat>& out, const std::vector<Expect>& exp,
                         std::vector<std::string>* per_frame = nullptr) {
    const std::vector<Segment> segs = split_segments(out);
    size_t si = 0;
    std::string err;
    for (size_t e = 0; e < exp.size(); e++) {
        if (exp[e].kind == DROPPED) continue;
        if (exp[e].kind == ABANDONED) {
            // and, for this core, an incomplete segment after the error: beats already in the AXI
            // output register when the error is found cannot be recalled, so the abandoned frame's
            // partial output (always short: its last LAG + 1 positions are dead) may follow the error;
            // the next complete segment must be the good frame (ARCHITECTURE.md 5.3)
            while (si < segs.size() && (!segs[si].has_sof || out[segs[si].begin].cycle <= exp[e].err_cycle ||
                                        !segment_complete(out, segs[si], exp[e].v->W, exp[e].v->H)))
                si++;
            continue;
        }
        std::string r;
        if (si >= segs.size()) {
            r = "frame missing from the output";
        } else if (!segment_complete(out, segs[si], exp[e].v->W, exp[e].v->H)) {
            r = "output frame has the wrong framing (" + std::to_string(segs[si].end - segs[si].begin) + " beats, SOF " +
                (segs[si].has_sof ? "yes" : "no") + ")";
            si++;
        } else {
            r = compare_frame(out, segs[si], *exp[e].v);
            si++;
        }
        if (per_frame) per_frame->push_back(r);
        if (!r.empty() && err.empty()) err = "frame " + std::to_string(e) + " (" + exp[e].v->name + "): " + r;
    }
    if (err.empty() && si < segs.size())
        err = std::to_string(segs.size() - si) + " unexpected output segment(s) after the last expected frame";
    return err;
}

// ------------------------------------------------------------------------------------ results
int g_pass = 0, g_fail = 0, g_skip = 0;
std::string g_only;

bool selected(const std::string& name) { return g_only.empty() || name.find(g_only) != std::string::npos; }

void report(const std::string& name, const std::string& err) {
    if (err.empty()) {
        g_pass++;
        std::printf("PASS %s\n", name.c_str());
    } else {
        g_fail++;
        std::printf("FAIL %s: %s\n", name.c_str(), err.c_str());
    }
    std::fflush(stdout);
}

void skip(const std::string& name, const std::string& why) {
    g_skip++;
    std::printf("SKIP %s: %s\n", name.c_str(), why.c_str());
}

std::string hex(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08x", v);
    return b;
}

// The cycle model of ARCHITECTURE.md 5.4 from the trip counts of the last frame's processes: each
// process at II = FOLD (out_reorder at II = 1); the frame interval is the longest of them.
struct TripModel {
    std::string err;
    unsigned long long interval = 0;  // cycles per frame (without pipeline fill)
    std::string slowest;
};
TripModel check_trips(int W, int H) {
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

uint64_t frame_budget(const Vec& v) { return 8ull * (v.W + 8) * (v.H + 16) + 200000; }

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

// Pairs of vectors with the same size and different models, A B A B back to back.
const Vec* find_pair_partner(const std::vector<Vec>& vecs, const Vec*& a) {
    for (const auto& x : vecs)
        for (const auto& y : vecs)
            if (x.W == y.W && x.H == y.H && x.model != y.model && x.in_rgb == y.in_rgb) {
                a = &x;
                return &y;
            }
    return nullptr;
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

// Malformed video: a bad frame (inverted pixels, so leftovers cannot pass for the good frame)
// followed by a good one, on a reset core; checks the output and the status word.
struct BadVideo {
    std::string name;
    std::function<std::vector<InBeat>(const Vec&)> make;
    uint32_t status_bits;  // expected bits 16..19
    uint32_t count;
    bool before_cfg;       // the bad frame is sent before any configuration
    double p_ready;        // probability of m_axis_video_TREADY per cycle
    bool lead_good;        // a good frame precedes the bad one (its output must survive)
};

std::vector<InBeat> truncate_row(const Vec& v, int row, int len) {  // row gets `len` pixels, TLAST on the last
    std::vector<InBeat> all = frame_beats(v, true), out;
    for (int y = 0; y < v.H; y++)
        for (int x = 0; x < v.W; x++) {
            InBeat b = all[y * v.W + x];
            if (y == row) {
                if (x >= len) continue;
                b.last = x == len - 1;
            }
            out.push_back(b);
        }
    return out;
}

std::vector<InBeat> extend_row(const Vec& v, int row, int extra) {
    std::vector<InBeat> all = frame_beats(v, true), out;
    for (int y = 0; y < v.H; y++)
        for (int x = 0; x < v.W; x++) {
            InBeat b = all[y * v.W + x];
            if (y == row && x == v.W - 1) {
                b.last = false;
                out.push_back(b);
                for (int e = 0; e < extra; e++) out.push_back({0x123456u, false, e == extra - 1});
                continue;
            }
            out.push_back(b);
        }
    return out;
}

void test_bad_video(const std::vector<Vec>& vecs) {
    // a vector tall enough that the bad frame has produced output when the error occurs
    const Vec* v = nullptr;
    for (const auto& x : vecs)
        if (x.model == vecs.front().model && x.H >= arch::ROWS + 4 && x.W >= arch::COLS + 4 &&
            (!v || x.W * x.H < v->W * v->H))
            v = &x;
    if (!v) {
        skip("malformed:*", "no vector large enough for the malformed-frame cases");
        return;
    }
    const int late_row = v->H - 3;
    // just after the bad frame's first output row is complete (LR row ROWS + 1), with the output
    // back-pressured: its SOF beat is still queued when the error arrives and must never appear
    const int first_out_row = arch::ROWS + 1;
    std::vector<BadVideo> cases = {
        {"missing_sof", [](const Vec& x) { auto b = frame_beats(x, true); b[0].user = false; return b; }, 1u << 16, 1, false, 1.0, true},
        {"no_config", [](const Vec& x) { return frame_beats(x, true); }, 1u << 16, 1, true, 1.0, true},
        {"early_eol_row1", [](const Vec& x) { return truncate_row(x, 1, x.W - 3); }, 1u << 17, 1, false, 1.0, true},
        {"early_eol_late_row", [late_row](const Vec& x) { return truncate_row(x, late_row, 2); }, 1u << 17, 1, false, 1.0, true},
        {"early_eol_queued_sof", [first_out_row](const Vec& x) { return truncate_row(x, first_out_row, arch::COLS + 2); },
         1u << 17, 1, false, 0.05, true},
        {"early_eol_full_bank", [first_out_row](const Vec& x) { return truncate_row(x, first_out_row, arch::COLS + 2); },
         1u << 17, 1, false, 0.05, false},
        {"late_eol_row0", [](const Vec& x) { return extend_row(x, 0, 2); }, 1u << 18, 1, false, 1.0, true},
        {"late_eol_late_row", [late_row](const Vec& x) { return extend_row(x, late_row, 1); }, 1u << 18, 1, false, 1.0, true},
        {"sof_mid_frame", [late_row](const Vec& x) {
             auto b = frame_beats(x, true);
             b.resize(static_cast<size_t>(late_row * x.W + 3));
             return b;
         }, 1u << 18, 1, false, 1.0, true},
        {"sof_with_tlast", [](const Vec& x) {
             auto b = frame_beats(x, true);
             b[0].last = true;
             return b;
         }, 1u << 17, 1, false, 1.0, true},
    };
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
        const uint32_t bits = h.status.to_uint() & 0x000f0000u, count = h.status.to_uint() & 0xffffu;
        if (err.empty() && (bits != c.status_bits || count != c.count))
            err = "status " + hex(h.status.to_uint()) + ", expected bits " + hex(c.status_bits) + " and count " +
                  std::to_string(c.count);
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
    typedef std::vector<std::pair<uint32_t, bool>> Words;
    auto words = [](const std::vector<uint32_t>& w) {
        Words out;
        for (size_t i = 0; i < w.size(); i++) out.push_back({w[i], i + 1 == w.size()});
        return out;
    };
    std::vector<std::pair<std::string, Words>> bad;
    {
        Words w = words(b->cfg);
        w[0].first ^= 1;
        bad.push_back({"bad magic", w});
    }
    {
        Words w = words(b->cfg);
        w[w.size() - 5].first = 1u << (arch::WBITS - 1);  // a tail weight one past the range
        bad.push_back({"weight out of range", w});
    }
    {
        Words w = words(b->cfg);
        w[w.size() - 4 - arch::TAIL_NW].first = arch::SHIFT_MAX + 1;  // the tail's shift word
        bad.push_back({"shift out of range", w});
    }
    {
        Words w = words(b->cfg);
        w.resize(100);
        w.back().second = true;
        bad.push_back({"TLAST early", w});
    }
    {
        Words w = words(b->cfg);
        w.back().second = false;
        w.push_back({0, true});
        bad.push_back({"TLAST late", w});
    }
    {
        Words w = words(b->cfg);
        w[2].first = 1;
        bad.push_back({"width 1", w});
    }
    {
        Words w = words(b->cfg);
        w[3].first = arch::MAX_H + 1;
        bad.push_back({"height > MAX_H", w});
    }
    {
        Words w = words(b->cfg);
        w[5].first = arch::C + 1;
        bad.push_back({"architecture C", w});
    }
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
    std::string dir;
    for (int i = 1; i < argc; i++) {
        const std::string a = argv[i];
        if (a == "--quick") quick = true;
        else if (a == "--bench") do_bench = true;
        else if (a == "--only" && i + 1 < argc) g_only = argv[++i];
        else if (!a.empty() && a[0] != '-' && dir.empty()) dir = a;
        else {
            std::fprintf(stderr, "usage: %s [--quick] [--only SUBSTRING] [--bench] VECTORS_DIR\n", argv[0]);
            return 2;
        }
    }
    if (dir.empty()) {
        std::fprintf(stderr, "usage: %s [--quick] [--only SUBSTRING] [--bench] VECTORS_DIR\n", argv[0]);
        return 2;
    }
    VectorSet vs;
    try {
        load_vectors(dir, vs);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "qcsr_csim: %s\n", e.what());
        return 2;
    }
    if (vs.vecs.empty()) {
        std::fprintf(stderr, "qcsr_csim: no vectors in %s\n", dir.c_str());
        return 2;
    }
    std::printf("qcsr_csim: %zu vectors from %s; core F=%d C=%d N=%d KH=%d KW=%d G=%d, MAX %dx%d, "
                "latency %d rows + %d columns\n",
                vs.vecs.size(), dir.c_str(), arch::F, arch::C, arch::N, arch::KH, arch::KW, arch::G, arch::MAX_W,
                arch::MAX_H, arch::ROWS, arch::COLS);
    for (const auto& v : vs.vecs) {
        if (v.W > arch::MAX_W || v.H > arch::MAX_H || v.W < arch::MIN_W || v.H < arch::MIN_H) {
            std::fprintf(stderr, "qcsr_csim: vector %s (%dx%d) is outside the core's limits\n", v.name.c_str(), v.W, v.H);
            return 2;
        }
    }
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
    if (g_skip) std::printf("%d skipped\n", g_skip);
    std::printf("csim time %.1f s\n", sec);
    std::printf("%d passed, %d failed\n", g_pass, g_fail);
    return g_fail ? 1 : 0;
}
