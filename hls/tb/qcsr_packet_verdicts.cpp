// qcsr_packet_verdicts.cpp -- the HLS core's packet parser (cfg_parse_packet, hls/qcsr_cfg_loader.h) run on
// a batch of packets, for the fuzzing harness (`make fuzz`, rtl_tb/fuzz/fuzz_packets.py): the verdict of
// the HLS loader on every packet, to be compared with the golden parser's (golden/packet_rules.py).
//
//   qcsr_packet_verdicts <packets.bin>     packets.bin: per packet a little-endian uint32 word count n > 0,
//                                          then its n words (TLAST on the last)
//   prints one line per packet: 1 (accepted) or 0 (rejected)
//
// Built against Xilinx's hls_stream.h (the ap_types folder) like the Vitis-form testbench.
#include <cstdio>
#include <cstdint>
#include <vector>

#include <hls_stream.h>

#include "qcsr_cfg_loader.h"

using namespace qcsr;

static weight_t store[2][arch::NW];

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s packets.bin\n", argv[0]);
        return 2;
    }
    std::FILE* f = std::fopen(argv[1], "rb");
    if (!f) {
        std::fprintf(stderr, "error: cannot open %s\n", argv[1]);
        return 2;
    }
    std::vector<uint32_t> words;
    long packets = 0;
    for (;;) {
        uint32_t n = 0;
        if (std::fread(&n, 4, 1, f) != 1) break;
        if (n == 0) {
            std::fprintf(stderr, "error: packet %ld has no words\n", packets);
            return 2;
        }
        words.resize(n);
        if (std::fread(words.data(), 4, n, f) != n) {
            std::fprintf(stderr, "error: packet %ld truncated\n", packets);
            return 2;
        }
        hls::stream<cfg_t> in;
        for (uint32_t i = 0; i < n; ++i) {
            cfg_t w;
            w.data = words[i];
            w.keep = -1;
            w.strb = -1;
            w.last = (i + 1 == n);
            in.write(w);
        }
        cfg_state cs;
        const bool ok = cfg_parse_packet<arch>(in, store, cs, 0);
        if (!in.empty()) {
            std::fprintf(stderr, "error: packet %ld: the parser left %d words\n", packets, (int)in.size());
            return 2;
        }
        std::printf("%d\n", ok ? 1 : 0);
        ++packets;
    }
    std::fclose(f);
    return 0;
}
