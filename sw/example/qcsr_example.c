// SPDX-License-Identifier: MIT
// Bare-metal use of the qcsr IP core through the generated register header (sw/include/qcsr_regs.h, from
// rtl/regs/qcsr_regs.rdl by `make regs`): check the core, load a configuration packet through the
// CFG_DATA / CFG_LAST FIFO registers, upscale one frame in single-shot mode with the done interrupt, then
// free-run. The packet words come from qcsr.golden.config_packet.config_words (Python), e.g. written
// out as a C array by the build of the firmware.
//
// Build check (CI): gcc -std=c11 -Wall -Wextra -Werror -fsyntax-only -Isw/include sw/example/qcsr_example.c

#include <stddef.h>
#include <stdint.h>

#include "qcsr_regs.h"

#define QCSR_MAGIC 0x51435352u

// the core's register block at its AXI4-Lite base address (volatile: every access reaches the bus)
typedef volatile qcsr_regs_t qcsr_t;

static uint32_t field(uint32_t reg, uint32_t bm, uint32_t bp) { return (reg & bm) >> bp; }

// 0 when the core answers with its ID and was built for the network the packet carries (words 4..11)
int qcsr_check(qcsr_t *q, const uint32_t *packet) {
    if (q->ID != QCSR_MAGIC) return -1;
    uint32_t b0 = q->BUILD0, b1 = q->BUILD1;
    if (field(b1, QCSR_REGS__BUILD1__F_bm, QCSR_REGS__BUILD1__F_bp) != packet[4]) return -2;
    if (field(b0, QCSR_REGS__BUILD0__C_bm, QCSR_REGS__BUILD0__C_bp) != packet[5]) return -2;
    if (field(b0, QCSR_REGS__BUILD0__N_bm, QCSR_REGS__BUILD0__N_bp) != packet[6]) return -2;
    return 0;
}

// write one packet; never more words than the FIFO has room for (a word written to a full FIFO is dropped
// and sets ERRORS.cfg_overrun). Returns 0, or -1 when the FIFO stays full for `spins` polls.
int qcsr_load_packet(qcsr_t *q, const uint32_t *words, size_t n, unsigned long spins) {
    size_t i = 0;
    while (i < n) {
        uint32_t room = field(q->CFG_FIFO, QCSR_REGS__CFG_FIFO__VACANCY_bm, QCSR_REGS__CFG_FIFO__VACANCY_bp);
        if (room == 0) {
            if (spins-- == 0) return -1;
            continue;
        }
        for (; room > 0 && i < n; --room, ++i) {
            if (i == n - 1)
                q->CFG_LAST = words[i];
            else
                q->CFG_DATA = words[i];
        }
    }
    return 0;
}

// single shot: admit one frame; the caller's interrupt handler calls qcsr_irq()
void qcsr_start_one(qcsr_t *q) {
    q->IER = QCSR_REGS__IER__DONE_bm | QCSR_REGS__IER__STREAM_ERROR_bm | QCSR_REGS__IER__CFG_REJECTED_bm;
    q->GIE = QCSR_REGS__GIE__ENABLE_bm;
    q->CTRL = QCSR_REGS__CTRL__AP_START_bm;
}

// free-running on video: every frame admitted without ap_start
void qcsr_start_free(qcsr_t *q) { q->CTRL = QCSR_REGS__CTRL__AP_START_bm | QCSR_REGS__CTRL__AUTO_RESTART_bm; }

// interrupt handler body: returns the sources seen (ISR bits) and clears them (toggle on write)
uint32_t qcsr_irq(qcsr_t *q) {
    uint32_t isr = q->ISR;
    q->ISR = isr;
    if (isr & QCSR_REGS__ISR__STREAM_ERROR_bm) q->ERRORS = q->ERRORS;  // sticky flags, write 1 to clear
    return isr;
}

// polling alternative: CTRL.ap_done is clear-on-read
int qcsr_wait_done(qcsr_t *q, unsigned long spins) {
    while (!(q->CTRL & QCSR_REGS__CTRL__AP_DONE_bm))
        if (spins-- == 0) return -1;
    return 0;
}

#ifndef QCSR_BASE
#define QCSR_BASE 0xA0000000u  // the core's address in the block design (ZCU104: an M_AXI_HPM0_LPD slave)
#endif

// a placeholder: the real packet is 2,589 words (config_words(model, 1920, 1080))
static const uint32_t packet[12] = {QCSR_MAGIC, 1, 1920, 1080, 3, 16, 6, 3, 3, 4, 10, 14};

int main(void) {
    qcsr_t *q = (qcsr_t *)(uintptr_t)QCSR_BASE;
    if (qcsr_check(q, packet) != 0) return 1;
    if (qcsr_load_packet(q, packet, sizeof packet / sizeof packet[0], 1000000ul) != 0) return 2;
    qcsr_start_one(q);
    if (qcsr_wait_done(q, 100000000ul) != 0) return 3;
    qcsr_start_free(q);
    return (int)q->FRAMES_DONE == 0;
}
