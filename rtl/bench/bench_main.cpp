// Throughput bench for qcsr_top: a C++ feeder/checker around the Verilated core (no cocotb, so a
// 1080p frame takes seconds). Sends the configuration packet, then the frames of input_rgb.bin
// (one or more W x H RGB frames, concatenated) back to back with TVALID held high and TREADY held
// high on the output (no back-pressure), captures the HR frames and checks their framing. The pixels
// are compared with the golden frames by bench_rtl.py / cosim_video.py.
//
//   bench <cfg.bin> <input_rgb.bin> <width> <height> <output_rgb.bin>
//
// Prints one JSON line: cycles from the first accepted input beat to the last output beat, the
// cycle of the first output beat, frames, and framing errors.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <vector>

#include "Vqcsr_top.h"
#include "verilated.h"

static std::vector<uint8_t> read_file(const char* path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        std::fprintf(stderr, "cannot read %s\n", path);
        std::exit(2);
    }
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s cfg.bin input_rgb.bin width height output_rgb.bin\n", argv[0]);
        return 2;
    }
    auto ctx = std::make_unique<VerilatedContext>();
    auto top = std::make_unique<Vqcsr_top>(ctx.get());
    std::vector<uint8_t> cfg_raw = read_file(argv[1]);
    std::vector<uint8_t> rgb = read_file(argv[2]);
    const long w = std::atol(argv[3]), h = std::atol(argv[4]);
    const long nwords = (long)cfg_raw.size() / 4;
    if (w < 1 || h < 1 || rgb.empty() || (long)rgb.size() % (w * h * 3)) {
        std::fprintf(stderr, "input size %zu is not a whole number of %ld x %ld x 3 frames\n", rgb.size(), w, h);
        return 2;
    }
    const long nframes = (long)rgb.size() / (w * h * 3);
    const long ow = 2 * w, oh = 2 * h, beats = (ow + 3) / 4;
    std::vector<uint8_t> out((size_t)(ow * oh * 3 * nframes), 0);

    // Two evaluations per cycle: settle() lowers the clock and settles the combinational outputs for
    // the inputs of this cycle (handshakes are sampled after it), rise() is the active edge.
    long cycle = 0;
    auto settle = [&]() {
        top->ap_clk = 0;
        top->eval();
    };
    auto rise = [&]() {
        top->ap_clk = 1;
        top->eval();
        ++cycle;
    };
    auto tick = [&]() {
        settle();
        rise();
    };

    // reset
    top->ap_rst_n = 0;
    top->s_axis_video_TVALID = 0;
    top->s_axis_cfg_TVALID = 0;
    top->m_axis_video_TREADY = 1;
    top->s_axis_video_TKEEP = 7;
    top->s_axis_video_TSTRB = 7;
    top->s_axis_cfg_TKEEP = 15;
    top->s_axis_cfg_TSTRB = 15;
    for (int i = 0; i < 8; ++i) tick();
    top->ap_rst_n = 1;
    for (int i = 0; i < 8; ++i) tick();

    // configuration packet
    for (long i = 0; i < nwords;) {
        uint32_t word = (uint32_t)cfg_raw[4 * i] | ((uint32_t)cfg_raw[4 * i + 1] << 8) |
                        ((uint32_t)cfg_raw[4 * i + 2] << 16) | ((uint32_t)cfg_raw[4 * i + 3] << 24);
        top->s_axis_cfg_TDATA = word;
        top->s_axis_cfg_TLAST = (i == nwords - 1);
        top->s_axis_cfg_TVALID = 1;
        settle();
        bool acc = top->s_axis_cfg_TREADY;
        rise();
        if (acc) ++i;
        if (cycle > 10 * nwords + 1000) {
            std::fprintf(stderr, "configuration packet not accepted\n");
            return 1;
        }
    }
    top->s_axis_cfg_TVALID = 0;
    for (int i = 0; i < 8; ++i) tick();
    if ((top->status >> 19) & 1) {
        std::fprintf(stderr, "configuration packet rejected, status %08x\n", top->status);
        return 1;
    }

    // the frames back to back, no idle cycles, no back-pressure
    long in_idx = 0, first_in = -1, first_out = -1, last_out = -1;
    long orow = 0, obeat = 0, errors = 0;
    const long limit = cycle + nframes * (3 * w * h + 200 * w) + 100000;
    auto set_pixel = [&](long k) {
        const uint8_t* p = &rgb[(size_t)(3 * k)];
        top->s_axis_video_TDATA = (uint32_t)p[1] | ((uint32_t)p[2] << 8) | ((uint32_t)p[0] << 16);  // G, B, R
        top->s_axis_video_TUSER = (k % (w * h) == 0);
        top->s_axis_video_TLAST = (k % w == w - 1);
        top->s_axis_video_TVALID = 1;
    };
    set_pixel(0);
    while (orow < oh * nframes && cycle < limit) {
        settle();
        bool in_acc = top->s_axis_video_TVALID && top->s_axis_video_TREADY;
        bool out_acc = top->m_axis_video_TVALID && top->m_axis_video_TREADY;
        if (in_acc && first_in < 0) first_in = cycle;
        if (out_acc) {
            if (first_out < 0) first_out = cycle;
            last_out = cycle;
            bool user = top->m_axis_video_TUSER & 1, last = top->m_axis_video_TLAST & 1;
            if (user != (orow % oh == 0 && obeat == 0)) ++errors;
            if (last != (obeat == beats - 1)) ++errors;
            for (int px = 0; px < 4; ++px) {
                long col = 4 * obeat + px;
                uint32_t v = 0;
                for (int b = 0; b < 3; ++b) {
                    int bit = 24 * px + 8 * b;
                    v |= ((top->m_axis_video_TDATA[bit / 32] >> (bit % 32)) & 0xffu) << (8 * b);
                }
                if (col >= ow) {
                    if (v) ++errors;  // UG934 padding must be zero
                    continue;
                }
                uint8_t* o = &out[(size_t)(3 * (orow * ow + col))];
                o[0] = (v >> 16) & 0xff;  // R
                o[1] = v & 0xff;          // G
                o[2] = (v >> 8) & 0xff;   // B
            }
            if (++obeat == beats) {
                obeat = 0;
                ++orow;
            }
        }
        rise();
        if (in_acc) {
            ++in_idx;
            if (in_idx < w * h * nframes) set_pixel(in_idx);
            else top->s_axis_video_TVALID = 0;
        }
    }
    std::ofstream f(argv[5], std::ios::binary);
    f.write((const char*)out.data(), (std::streamsize)out.size());
    long cycles = last_out - first_in + 1;
    std::printf("{\"width\": %ld, \"height\": %ld, \"frames\": %ld, \"cycles\": %ld, \"first_in\": %ld, "
                "\"first_out\": %ld, \"last_out\": %ld, \"rows_out\": %ld, \"framing_errors\": %ld, \"status\": %u, "
                "\"complete\": %s}\n",
                w, h, nframes, cycles, first_in, first_out, last_out, orow, errors, (unsigned)top->status,
                orow == oh * nframes ? "true" : "false");
    top->final();
    return (orow == oh * nframes && errors == 0) ? 0 : 1;
}
