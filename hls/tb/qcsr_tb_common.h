// qcsr_tb_common.h -- what both C testbenches of the HLS core share (hls/tb/qcsr_tb.cpp, the
// per-clock coroutine testbench, and hls/tb/qcsr_tb_vitis.cpp, the one-call-per-frame testbench in
// Vitis' form): the golden test vectors (docs/ARCHITECTURE.md section 3), frames as AXI4-Stream
// beats, the malformed-frame and malformed-packet cases, exact comparison of output frames against
// the golden engine's, and the PASS / FAIL tally. Nothing here depends on a stream model.
#ifndef QCSR_TB_COMMON_H_
#define QCSR_TB_COMMON_H_

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <ap_int.h>

#include "../qcsr_params.h"

namespace qcsr_tb {

using qcsr::arch;

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

inline std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read " + path);
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

inline size_t dtype_size(const std::string& d) {
    if (d == "uint8") return 1;
    if (d == "int16") return 2;
    if (d == "int32" || d == "uint32") return 4;
    throw std::runtime_error("unknown dtype " + d);
}

// Loads one file entry as int values (little endian).
inline std::vector<int64_t> load_entry(const std::string& dir, const FileEntry& e) {
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
inline void load_vectors(const std::string& dir, VectorSet& vs) {
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

// One beat as the core's AXI4-Stream video input word (every byte valid).
inline qcsr::video_in_t axis_beat(const InBeat& b) {
    qcsr::video_in_t v;
    v.data = b.data;
    v.keep = -1;
    v.strb = -1;
    v.user = b.user ? 1 : 0;
    v.last = b.last ? 1 : 0;
    return v;
}

// One configuration word as the core's AXI4-Stream configuration beat (every byte valid).
inline qcsr::cfg_t cfg_beat(uint32_t data, bool last) {
    qcsr::cfg_t c;
    c.data = data;
    c.keep = -1;
    c.strb = -1;
    c.last = last ? 1 : 0;
    return c;
}

// The frame as AXI4-Stream video beats (UG934: G [7:0], B [15:8], R [23:16]).
inline std::vector<InBeat> frame_beats(const Vec& v, bool invert = false) {
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

// ------------------------------------------------------------------------------------ checking
struct Segment {
    size_t begin, end;  // [begin, end) in Harness::out
    bool has_sof;
};

inline std::vector<Segment> split_segments(const std::vector<OutBeat>& out) {
    std::vector<Segment> segs;
    for (size_t i = 0; i < out.size(); i++) {
        if (i == 0 || out[i].user) segs.push_back({i, i + 1, out[i].user});
        else segs.back().end = i + 1;
    }
    return segs;
}

inline bool segment_complete(const std::vector<OutBeat>& out, const Segment& s, int W, int H) {
    const size_t bpl = static_cast<size_t>((2 * W + 3) / 4);
    if (!s.has_sof || s.end - s.begin != bpl * 2 * H) return false;
    for (size_t i = s.begin; i < s.end; i++) {
        if (out[i].last != ((i - s.begin) % bpl == bpl - 1)) return false;
        if (i > s.begin && out[i].user) return false;
    }
    return true;
}

// Exact comparison of a complete segment with the expected frame; "" when equal.
inline std::string compare_frame(const std::vector<OutBeat>& out, const Segment& s, const Vec& v) {
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
inline std::string check_output(const std::vector<OutBeat>& out, const std::vector<Expect>& exp,
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
// Test outcomes of one testbench run (--only selects tests by substring).
struct Tally {
    int pass = 0, fail = 0, skip = 0;
    std::string only;
};
inline Tally& tally() {
    static Tally t;
    return t;
}

inline bool selected(const std::string& name) { return tally().only.empty() || name.find(tally().only) != std::string::npos; }

inline void report(const std::string& name, const std::string& err) {
    if (err.empty()) {
        tally().pass++;
        std::printf("PASS %s\n", name.c_str());
    } else {
        tally().fail++;
        std::printf("FAIL %s: %s\n", name.c_str(), err.c_str());
    }
    std::fflush(stdout);
}

inline void skip(const std::string& name, const std::string& why) {
    tally().skip++;
    std::printf("SKIP %s: %s\n", name.c_str(), why.c_str());
}

inline std::string hex(uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08x", v);
    return b;
}

// Pairs of vectors with the same size and different models, A B A B back to back.
// "" when the status word has error bits 16..19 == bits and event count == count, else what it has.
inline std::string status_error(const ap_uint<32>& st, uint32_t bits, uint32_t count) {
    if ((st.to_uint() & 0x000f0000u) == bits && (st.to_uint() & 0xffffu) == count) return "";
    return "status " + hex(st.to_uint()) + ", expected bits " + hex(bits) + " and count " + std::to_string(count);
}

inline const Vec* find_pair_partner(const std::vector<Vec>& vecs, const Vec*& a) {
    for (const auto& x : vecs)
        for (const auto& y : vecs)
            if (x.W == y.W && x.H == y.H && x.model != y.model && x.in_rgb == y.in_rgb) {
                a = &x;
                return &y;
            }
    return nullptr;
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

inline std::vector<InBeat> truncate_row(const Vec& v, int row, int len) {  // row gets `len` pixels, TLAST on the last
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

inline std::vector<InBeat> extend_row(const Vec& v, int row, int extra) {
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


// A vector tall and wide enough that a malformed frame has produced output when its error occurs.
inline const Vec* bad_video_vector(const std::vector<Vec>& vecs) {
    const Vec* v = nullptr;
    for (const auto& x : vecs)
        if (x.model == vecs.front().model && x.H >= arch::ROWS + 4 && x.W >= arch::COLS + 4 &&
            (!v || x.W * x.H < v->W * v->H))
            v = &x;
    return v;
}

// The malformed-frame cases on vector v. p_ready < 1 marks the cases whose point is output timing
// (the per-clock testbench only).
inline std::vector<BadVideo> bad_video_cases(const Vec& v) {
    const int late_row = v.H - 3;
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
    return cases;
}

// A configuration packet as (word, TLAST) pairs.
typedef std::vector<std::pair<uint32_t, bool>> Words;
inline Words packet_words(const std::vector<uint32_t>& w) {
    Words out;
    for (size_t i = 0; i < w.size(); i++) out.push_back({w[i], i + 1 == w.size()});
    return out;
}

// Malformed versions of vector b's packet, each to be rejected whole (status bit 19).
inline std::vector<std::pair<std::string, Words>> bad_packets(const Vec& b) {
    std::vector<std::pair<std::string, Words>> bad;
    {
        Words w = packet_words(b.cfg);
        w[0].first ^= 1;
        bad.push_back({"bad magic", w});
    }
    {
        Words w = packet_words(b.cfg);
        w[w.size() - 5].first = 1u << (arch::WBITS - 1);  // a tail weight one past the range
        bad.push_back({"weight out of range", w});
    }
    {
        Words w = packet_words(b.cfg);
        w[w.size() - 4 - arch::TAIL_NW].first = arch::SHIFT_MAX + 1;  // the tail's shift word
        bad.push_back({"shift out of range", w});
    }
    {
        Words w = packet_words(b.cfg);
        w.resize(100);
        w.back().second = true;
        bad.push_back({"TLAST early", w});
    }
    {
        Words w = packet_words(b.cfg);
        w.back().second = false;
        w.push_back({0, true});
        bad.push_back({"TLAST late", w});
    }
    {
        Words w = packet_words(b.cfg);
        w[2].first = 1;
        bad.push_back({"width 1", w});
    }
    {
        Words w = packet_words(b.cfg);
        w[3].first = arch::MAX_H + 1;
        bad.push_back({"height > MAX_H", w});
    }
    {
        Words w = packet_words(b.cfg);
        w[5].first = arch::C + 1;
        bad.push_back({"architecture C", w});
    }
    return bad;
}

// The testbenches' command line, [--quick] [--only SUBSTRING] [--bench] VECTORS_DIR (--bench only where
// `bench` is given), and the vectors, checked against the core's limits. Returns 0, or 2 after saying why.
inline int tb_setup(int argc, char** argv, const char* prog, bool& quick, bool* bench, VectorSet& vs) {
    const std::string usage = std::string("usage: ") + argv[0] + " [--quick] [--only SUBSTRING]" +
                              (bench ? " [--bench]" : "") + " VECTORS_DIR\n";
    std::string dir;
    for (int i = 1; i < argc; i++) {
        const std::string a = argv[i];
        if (a == "--quick") quick = true;
        else if (a == "--bench" && bench) *bench = true;
        else if (a == "--only" && i + 1 < argc) tally().only = argv[++i];
        else if (!a.empty() && a[0] != '-' && dir.empty()) dir = a;
        else {  // anything else: the usage line
            dir.clear();
            break;
        }
    }
    if (dir.empty()) {
        std::fprintf(stderr, "%s", usage.c_str());
        return 2;
    }
    try {
        load_vectors(dir, vs);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", prog, e.what());
        return 2;
    }
    if (vs.vecs.empty()) {
        std::fprintf(stderr, "%s: no vectors in %s\n", prog, dir.c_str());
        return 2;
    }
    for (const auto& v : vs.vecs) {
        if (v.W > arch::MAX_W || v.H > arch::MAX_H || v.W < arch::MIN_W || v.H < arch::MIN_H) {
            std::fprintf(stderr, "%s: vector %s (%dx%d) is outside the core's limits\n", prog, v.name.c_str(), v.W, v.H);
            return 2;
        }
    }
    std::printf("%s: %zu vectors from %s; core F=%d C=%d N=%d KH=%d KW=%d G=%d, MAX %dx%d, FOLD %d, "
                "latency %d rows + %d columns\n",
                prog, vs.vecs.size(), dir.c_str(), arch::F, arch::C, arch::N, arch::KH, arch::KW, arch::G, arch::MAX_W,
                arch::MAX_H, arch::FOLD, arch::ROWS, arch::COLS);
    return 0;
}

}  // namespace qcsr_tb

#endif  // QCSR_TB_COMMON_H_
