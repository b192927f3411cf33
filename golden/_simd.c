/* qcsr.golden._simd: the fast engine's CNN as int16 multiply-adds (AVX2 vpmaddwd, runtime dispatch).
 *
 * The golden engine's integers (SPEC section 3): every product of a 16-bit activation code and a 16-bit
 * weight is exact in 32 bits, every accumulator is an int32 (the caller checks each layer's proven bound,
 * QuantLayer.requant_bound, is below 2^31), requantization is sat(round_half_up(acc >> s)) (or an exact
 * left shift for s <= 0). `vpmaddwd` multiplies sixteen int16 pairs and adds neighbours into eight int32:
 * activations are stored as channel pairs, (C/2, W, 2) int16 per row, so one instruction does 16 MACs of a
 * 1x1 layer; a depthwise layer pairs two taps of a channel (unpack lo/hi), 16 MACs per instruction as well.
 *
 * One call runs the whole CNN on a column tile of the frame, row by row: each layer keeps a ring of the
 * KH rows its window needs (L2-resident), so activations never go through memory as whole planes. The
 * tile is widened by the network's horizontal halo; its outer columns are wrong by construction and never
 * written out. Rows above and below the frame are zero rows, columns outside it zero columns.
 *
 * The AVX2 path is compiled with a target attribute and chosen at run time (__builtin_cpu_supports); the
 * portable path gives the same integers (tests force it with `generic`). Called through ctypes: the module
 * exports no Python functions. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define QCSR_X86 1
#endif

typedef struct {
    int kind;   /* 0 head (C_in = 1, KH x KW), 1 depthwise KH x KW, 2 dense 1x1 (grouped layers come dense) */
    int cin, cout, kh, kw;
    int shift, lo, hi;
    /* head: [cout][npairs] tap pairs; 1x1: [cout][cin/2]; each word repeated 8 times (32 bytes: the AVX2 path
     * reads it as a broadcast vector, no shuffle); dw: [cin/2][tap pairs][A B A B A B A B] (dw_row_c) */
    const int32_t *w;
} qs_layer;

static inline int32_t requant(int32_t acc, int shift, int lo, int hi) {
    int32_t v = shift > 0 ? (acc + (1 << (shift - 1))) >> shift : (int32_t)((uint32_t)acc << (-shift));
    return v < lo ? lo : v > hi ? hi : v;
}

static inline int16_t lo16(int32_t p) { return (int16_t)(p & 0xFFFF); }
static inline int16_t hi16(int32_t p) { return (int16_t)((uint32_t)p >> 16); }

/* ------------------------------------------------------------------ portable rows */

/* im2col of the head's input for one output row: tap pairs (t0, t1) per pixel, (npairs, nb, 2) int16. */
static void head_cols(const uint8_t *img, int H, int W, int r, int x0, int nx, int kh, int kw, int16_t *cols,
                      int nb) {
    int taps = kh * kw, npairs = (taps + 1) / 2;
    for (int q = 0; q < npairs; q++) {
        for (int s = 0; s < 2; s++) {
            int t = 2 * q + s;
            int16_t *dst = cols + (size_t)q * nb * 2 + s;
            if (t >= taps) {
                for (int j = 0; j < nx; j++) dst[2 * j] = 0;
                continue;
            }
            int yy = r + t / kw - kh / 2, dx = t % kw - kw / 2;
            if (yy < 0 || yy >= H) {
                for (int j = 0; j < nx; j++) dst[2 * j] = 0;
                continue;
            }
            const uint8_t *row = img + (size_t)yy * W;
            for (int j = 0; j < nx; j++) {
                int xx = x0 + j + dx;
                dst[2 * j] = (xx >= 0 && xx < W) ? row[xx] : 0;
            }
        }
    }
}

static void head_row_c(const qs_layer *L, const int16_t *cols, int nb, int nx, int16_t *out, int ob, int pad) {
    int npairs = (L->kh * L->kw + 1) / 2;
    for (int c = 0; c < L->cout; c++) {
        const int32_t *wc = L->w + (size_t)c * npairs * 8;
        int16_t *o = out + (size_t)(c / 2) * ob * 2 + (c & 1);
        for (int j = 0; j < nx; j++) {
            int32_t acc = 0;
            for (int q = 0; q < npairs; q++) {
                const int16_t *x = cols + ((size_t)q * nb + j) * 2;
                acc += (int32_t)x[0] * lo16(wc[q * 8]) + (int32_t)x[1] * hi16(wc[q * 8]);
            }
            o[(size_t)(pad + j) * 2] = (int16_t)requant(acc, L->shift, L->lo, L->hi);
        }
    }
}

/* depthwise: the taps in row-major order, taken two at a time (t0, t1), (t2, t3), ...; per channel pair and
 * tap pair one 8-word weight vector A B A B ... with A = (w[c0][ta], w[c0][tb]), B = (w[c1][ta], w[c1][tb]) */
static void dw_row_c(const qs_layer *L, const int16_t *const *rows, const int16_t *zero, int nb, int nx, int pad,
                     int16_t *out) {
    int taps = L->kh * L->kw, units = (taps + 1) / 2;
    for (int c = 0; c < L->cin; c++) {
        int p = c / 2, s = c & 1;
        int16_t *o = out + (size_t)p * nb * 2 + s;
        for (int j = 0; j < nx; j++) {
            int32_t acc = 0;
            for (int u = 0; u < units; u++) {
                int32_t w = L->w[((size_t)p * units + u) * 8 + s];
                for (int k = 0; k < 2 && 2 * u + k < taps; k++) {
                    int t = 2 * u + k;
                    const int16_t *row = rows[t / L->kw] ? rows[t / L->kw] : zero;
                    int16_t x = row[((size_t)p * nb + pad + j + t % L->kw - L->kw / 2) * 2 + s];
                    acc += (int32_t)x * (k ? hi16(w) : lo16(w));
                }
            }
            o[(size_t)(pad + j) * 2] = (int16_t)requant(acc, L->shift, L->lo, L->hi);
        }
    }
}

static void pw_row_c(const qs_layer *L, const int16_t *in, int nb, int nx, int pad, int16_t *out, int ob, int opad,
                     int16_t *plane, int64_t pstride) {
    int np = L->cin / 2;
    for (int o = 0; o < L->cout; o++) {
        const int32_t *wo = L->w + (size_t)o * np * 8;
        for (int j = 0; j < nx; j++) {
            int32_t acc = 0;
            for (int p = 0; p < np; p++) {
                const int16_t *x = in + ((size_t)p * nb + pad + j) * 2;
                acc += (int32_t)x[0] * lo16(wo[p * 8]) + (int32_t)x[1] * hi16(wo[p * 8]);
            }
            int16_t v = (int16_t)requant(acc, L->shift, L->lo, L->hi);
            if (plane)
                plane[o * pstride + j] = v;
            else
                out[((size_t)(o / 2) * ob + opad + j) * 2 + (o & 1)] = v;
        }
    }
}

/* ------------------------------------------------------------------ AVX2 rows */

/* ------------------------------------------------------------------ the bicubic and the residual, per tile

 * With the CNN's tail row r of a tile in hand, the HR rows 2r, 2r + 1 of the tile's columns are finished in
 * place: Y_N = the x2 bicubic (separable, replicated borders; a horizontal pass per LR row kept in a ring of
 * five, then the vertical pass), Y_f = clip(round_half_up(((Y_N << sh_bic) + (shuffle(Y_c) << sh_res)) >>
 * frac), 0, 255) (SPEC section 3; the golden engine's `upscale_luma`). The caller checks that every term fits
 * int32 (its bound, `SimdCNN.fused_post`). */
typedef struct {
    const int32_t *taps;  /* the two phases' 5-tap filters over LR offsets -2..+2, [2][5] */
    int sh_bic, sh_res, frac;
    uint8_t *hr;          /* the (2H, hstride) uint8 HR luma frame (NULL when rgb is set) */
    int64_t hstride;
    /* The whole frame (NULL: luma only): the chroma planes' x2 bicubic (clip(round_half_up(s >> bshift))) and
     * the YCbCr -> RGB conversion, clip((sum_c inv[k][c] x_c + inv_off[k]) >> cshift, 0, 255) (inv_off holds the
     * input offsets and the half), into the interleaved (2H, rstride) RGB frame */
    const uint8_t *cb, *cr;
    int bshift, cshift;
    const int32_t *inv, *inv_off;
    uint8_t *rgb;
    int64_t rstride;
} qs_post;

/* horizontal pass of LR row k over the tile's columns [c0, c1): 2 (c1 - c0) int32 */
static void bic_row_c(const qs_post *P, const uint8_t *img, int W, int k, int c0, int c1, int32_t *dst) {
    const uint8_t *row = img + (size_t)k * W;
    for (int i = c0; i < c1; i++)
        for (int ph = 0; ph < 2; ph++) {
            int32_t s = 0;
            for (int m = 0; m < 5; m++) {
                int c = i - 2 + m;
                s += P->taps[ph * 5 + m] * (int32_t)row[c < 0 ? 0 : c >= W ? W - 1 : c];
            }
            dst[2 * (i - c0) + ph] = s;
        }
}

/* the bicubic's vertical pass at HR column u of phase ph, over the five horizontal-pass rows */
static inline int64_t vpass(const qs_post *P, const int32_t *const *rows, int ph, int u) {
    int64_t s = 0;
    for (int m = 0; m < 5; m++) s += (int64_t)P->taps[ph * 5 + m] * rows[m][u];
    return s;
}

static inline uint8_t clip8(int64_t q) { return (uint8_t)(q < 0 ? 0 : q > 255 ? 255 : q); }

/* chroma HR row 2r + ph, columns [u0, n): the vertical pass of `rows`, rounded half up by bshift and clipped */
static void chroma_row_c(const qs_post *P, const int32_t *const *rows, int ph, int u0, int n, uint8_t *out) {
    const int64_t half = (int64_t)1 << (P->bshift - 1);
    for (int u = u0; u < n; u++) out[u] = clip8((vpass(P, rows, ph, u) + half) >> P->bshift);
}

/* HR pixels [u0, n) of Y, Cb, Cr rows -> interleaved RGB */
static void merge_row_c(const qs_post *P, const uint8_t *y, const uint8_t *cb, const uint8_t *cr, int u0, int n,
                        uint8_t *out) {
    for (int u = u0; u < n; u++)
        for (int k = 0; k < 3; k++) {
            int32_t a = P->inv[3 * k] * y[u] + P->inv[3 * k + 1] * cb[u] + P->inv[3 * k + 2] * cr[u] + P->inv_off[k];
            out[3 * u + k] = clip8(a >> P->cshift);
        }
}

/* HR row 2r + ph, columns [u0, n) of the tile (n = 2 (c1 - c0)): rows = the five horizontal-pass rows r-2..r+2
 * (clamped), tail = the tile's tail planes at its first column, tstride apart */
static void post_row_c(const qs_post *P, const int32_t *const *rows, const int16_t *tail, int64_t tstride, int ph,
                       int u0, int n, uint8_t *out) {
    const int64_t half = (int64_t)1 << (P->frac - 1);
    for (int u = u0; u < n; u++) {
        int64_t t = tail[(2 * ph + (u & 1)) * tstride + u / 2];
        out[u] = clip8(((vpass(P, rows, ph, u) << P->sh_bic) + (t << P->sh_res) + half) >> P->frac);
    }
}

#ifdef QCSR_X86
#define AVX2 __attribute__((target("avx2")))

/* An opaque no-op on a vector register: placed after each accumulate, it keeps GCC from reassociating the
 * integer sums into a tree of products (all sixteen vpmaddwd results live at once, spilled to the stack),
 * so each sum stays one chain of vpaddd and the products retire into it as they come. Measured on one Zen 2
 * core: the 1x1 body's multiply-adds went from 2.6 to 3.4 per ns, the port's peak. */
#define CHAIN(v) __asm__("" : "+x"(v))

/* requantize an accumulator that already holds the rounding half (the sums start from it) */
AVX2 static inline __m256i rq8(__m256i acc, int shift, __m256i lo, __m256i hi) {
    __m256i v = shift > 0 ? _mm256_sra_epi32(acc, _mm_cvtsi32_si128(shift))
                          : _mm256_sllv_epi32(acc, _mm256_set1_epi32(-shift));
    return _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
}

AVX2 static inline void store8(int16_t *dst, __m256i v, int n) {
    if (n >= 8)
        _mm256_storeu_si256((__m256i *)dst, v);
    else
        _mm256_maskstore_epi32((int *)dst, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)), v);
}

#define RQ_SETUP(L)                                                                                              \
    const int sh = (L)->shift;                                                                                   \
    const __m256i half = _mm256_set1_epi32(sh > 0 ? 1 << (sh - 1) : 0), vlo = _mm256_set1_epi32((L)->lo),         \
                  vhi = _mm256_set1_epi32((L)->hi), wlo = _mm256_set1_epi16((int16_t)(L)->lo),                     \
                  whi = _mm256_set1_epi16((int16_t)(L)->hi);                                                       \
    const __m128i cnt = _mm_cvtsi32_si128(sh > 0 ? sh : -sh);                                                    \
    const int right = sh > 0;                                                                                    \
    (void)vlo, (void)vhi /* the 32-bit bounds: the tail's planes only */

/* the shift of rq8 with a count prepared once per row */
AVX2 static inline __m256i shift8(__m256i acc, int right, __m128i cnt) {
    return right ? _mm256_sra_epi32(acc, cnt) : _mm256_sll_epi32(acc, cnt);
}

/* Two accumulators of 8 pixels (channels 2p, 2p + 1) requantized into one pair vector: shifted, packed to int16
 * with saturation, clipped in 16 bits (lo and hi are int16, so clip(sat16(v)) == clip(v)), interleaved by a
 * byte shuffle: 6 instructions where rq8 twice and an and/shift/or pack took 9. */
AVX2 static inline __m256i rq_pair(__m256i a0, __m256i a1, int right, __m128i cnt, __m256i wlo, __m256i whi) {
    const __m256i order = _mm256_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15,
                                           0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
    __m256i v = _mm256_packs_epi32(shift8(a0, right, cnt), shift8(a1, right, cnt));
    return _mm256_shuffle_epi8(_mm256_min_epi16(_mm256_max_epi16(v, wlo), whi), order);
}

AVX2 static void head_row_avx2(const qs_layer *L, const int16_t *cols, int nb, int nx, int16_t *out, int ob,
                               int pad) {
    RQ_SETUP(L);
    int npairs = (L->kh * L->kw + 1) / 2;
    for (int j = 0; j < nx; j += 8) {
        for (int c = 0; c < L->cout; c += 2) {
            const __m256i *w0 = (const __m256i *)(L->w + (size_t)c * npairs * 8), *w1 = w0 + npairs;
            __m256i a0 = half, a1 = half;
            for (int q = 0; q < npairs; q++) {
                __m256i x = _mm256_loadu_si256((const __m256i *)(cols + ((size_t)q * nb + j) * 2));
                a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(x, _mm256_loadu_si256(w0 + q)));
                CHAIN(a0);
                a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(x, _mm256_loadu_si256(w1 + q)));
                CHAIN(a1);
            }
            __m256i v = rq_pair(a0, a1, right, cnt, wlo, whi);
            store8(out + ((size_t)(c / 2) * ob + pad + j) * 2, v, nx - j);
        }
    }
}

/* head_cols with vectors: the kh input rows as zero-padded int16 (`rowbuf`), then each tap pair's two shifted
 * rows interleaved (unpack lo/hi, 128-bit lanes put back in pixel order) 16 pixels at a time */
AVX2 static void head_cols_avx2(const uint8_t *img, int H, int W, int r, int x0, int nx, int kh, int kw,
                                int16_t *cols, int nb, int16_t *rowbuf) {
    const int pw = kw / 2, n = nx + 2 * pw, wb = n + 32, taps = kh * kw, npairs = (taps + 1) / 2;
    for (int dy = 0; dy < kh; dy++) {
        int16_t *R = rowbuf + (size_t)dy * wb;
        int yy = r + dy - kh / 2;
        memset(R, 0, (size_t)wb * sizeof(int16_t));
        if (yy < 0 || yy >= H) continue;
        const uint8_t *row = img + (size_t)yy * W;
        int k0 = x0 - pw < 0 ? pw - x0 : 0;                      /* first column inside the frame */
        int k1 = x0 - pw + n > W ? W - (x0 - pw) : n;            /* one past the last */
        int k = k0;
        for (; k + 16 <= k1; k += 16)
            _mm256_storeu_si256((__m256i *)(R + k), _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(row + x0 - pw + k))));
        for (; k < k1; k++) R[k] = row[x0 - pw + k];
    }
    for (int q = 0; q < npairs; q++) {
        int ta = 2 * q, tb = 2 * q + 1;
        const int16_t *A = rowbuf + (size_t)(ta / kw) * wb + ta % kw;
        const int16_t *B = tb < taps ? rowbuf + (size_t)(tb / kw) * wb + tb % kw : NULL;
        int16_t *dst = cols + (size_t)q * nb * 2;
        for (int j = 0; j < nx; j += 16) {
            __m256i a = _mm256_loadu_si256((const __m256i *)(A + j));
            __m256i b = B ? _mm256_loadu_si256((const __m256i *)(B + j)) : _mm256_setzero_si256();
            __m256i lo = _mm256_unpacklo_epi16(a, b), hi = _mm256_unpackhi_epi16(a, b);
            _mm256_storeu_si256((__m256i *)(dst + (size_t)j * 2), _mm256_permute2x128_si256(lo, hi, 0x20));
            _mm256_storeu_si256((__m256i *)(dst + (size_t)j * 2 + 16), _mm256_permute2x128_si256(lo, hi, 0x31));
        }
    }
}

/* Two taps of one channel side by side: unpack{lo,hi}_epi16 of the (c0, c1) pair vectors at the two taps gives
 * (ta, tb) pairs per pixel and channel (pixels 0, 1, 4, 5 / 2, 3, 6, 7), so one vpmaddwd does 16 MACs; the
 * int32 results pack back (packs_epi32 of lo, hi) into the pair layout of pixels 0..7. */
AVX2 static inline __attribute__((always_inline)) void dw_body(const qs_layer *L, const int16_t *const *rows,
                                                              const int16_t *zero, int nb, int nx, int pad,
                                                              int16_t *out, const int kh, const int kw) {
    RQ_SETUP(L);
    const int taps = kh * kw, units = (taps + 1) / 2;
    const __m256i z = _mm256_setzero_si256();
    for (int p = 0; p < L->cin / 2; p++) {
        const __m256i *wp = (const __m256i *)(L->w + (size_t)p * units * 8);
        const int16_t *src[256];
        for (int t = 0; t < taps; t++)
            src[t] = (rows[t / kw] ? rows[t / kw] : zero) + ((size_t)p * nb + pad - kw / 2 + t % kw) * 2;
        for (int j = 0; j < nx; j += 8) {
            __m256i lo = half, hi = half;
            for (int u = 0; u < units; u++) {
                __m256i a = _mm256_loadu_si256((const __m256i *)(src[2 * u] + (size_t)j * 2));
                __m256i b = 2 * u + 1 < taps ? _mm256_loadu_si256((const __m256i *)(src[2 * u + 1] + (size_t)j * 2)) : z;
                __m256i w = _mm256_loadu_si256(wp + u);
                lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), w));
                CHAIN(lo);
                hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), w));
                CHAIN(hi);
            }
            __m256i v = _mm256_packs_epi32(shift8(lo, right, cnt), shift8(hi, right, cnt));
            v = _mm256_min_epi16(_mm256_max_epi16(v, wlo), whi);
            store8(out + ((size_t)p * nb + pad + j) * 2, v, nx - j);
        }
    }
}

/* dw_body for 3 x 3 written out: three row pointers (a row's three taps are one pixel pair apart, so the nine
 * loads are three bases and constant offsets: dw_body's nine pointers spilled from the general registers), the
 * five tap-pair weight vectors loaded once per channel pair. Tap pairs in row-major order: (0,-1 0,0) (0,+1 1,-1)
 * (1,0 1,+1) (2,-1 2,0) (2,+1 zero). Measured at 1080p, 2 threads: the CNN 0.088 -> 0.080 s. */
#define DW_UNIT(a, b, w)                                                                                         \
    do {                                                                                                         \
        lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(a, b), w));                            \
        CHAIN(lo);                                                                                               \
        hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(a, b), w));                            \
        CHAIN(hi);                                                                                               \
    } while (0)

AVX2 static void dw3x3_avx2(const qs_layer *L, const int16_t *const *rows, const int16_t *zero, int nb, int nx, int pad,
                            int16_t *out) {
    RQ_SETUP(L);
    const __m256i z = _mm256_setzero_si256();
    const int16_t *R0 = rows[0] ? rows[0] : zero, *R1 = rows[1] ? rows[1] : zero, *R2 = rows[2] ? rows[2] : zero;
    for (int p = 0; p < L->cin / 2; p++) {
        const __m256i *wp = (const __m256i *)(L->w + (size_t)p * 5 * 8);
        const __m256i w0 = _mm256_loadu_si256(wp), w1 = _mm256_loadu_si256(wp + 1), w2 = _mm256_loadu_si256(wp + 2),
                      w3 = _mm256_loadu_si256(wp + 3), w4 = _mm256_loadu_si256(wp + 4);
        const size_t base = ((size_t)p * nb + pad - 1) * 2;  /* dx = -1 */
        const int16_t *a = R0 + base, *b = R1 + base, *c = R2 + base;
        int16_t *o = out + ((size_t)p * nb + pad) * 2;
        for (int j = 0; j < nx; j += 8) {
            const size_t k = (size_t)j * 2;
            __m256i lo = half, hi = half;
            __m256i x0 = _mm256_loadu_si256((const __m256i *)(a + k)), x1 = _mm256_loadu_si256((const __m256i *)(a + k + 2));
            DW_UNIT(x0, x1, w0);
            x0 = _mm256_loadu_si256((const __m256i *)(a + k + 4));
            x1 = _mm256_loadu_si256((const __m256i *)(b + k));
            DW_UNIT(x0, x1, w1);
            x0 = _mm256_loadu_si256((const __m256i *)(b + k + 2));
            x1 = _mm256_loadu_si256((const __m256i *)(b + k + 4));
            DW_UNIT(x0, x1, w2);
            x0 = _mm256_loadu_si256((const __m256i *)(c + k));
            x1 = _mm256_loadu_si256((const __m256i *)(c + k + 2));
            DW_UNIT(x0, x1, w3);
            x0 = _mm256_loadu_si256((const __m256i *)(c + k + 4));
            DW_UNIT(x0, z, w4);
            __m256i v = _mm256_packs_epi32(shift8(lo, right, cnt), shift8(hi, right, cnt));
            store8(o + k, _mm256_min_epi16(_mm256_max_epi16(v, wlo), whi), nx - j);
        }
    }
}

/* the 3 x 3 kernel written out, and any kernel */
AVX2 static void dw_row_avx2(const qs_layer *L, const int16_t *const *rows, const int16_t *zero, int nb, int nx,
                             int pad, int16_t *out) {
    if (L->kh == 3 && L->kw == 3)
        dw3x3_avx2(L, rows, zero, nb, nx, pad, out);
    else
        dw_body(L, rows, zero, nb, nx, pad, out, L->kh, L->kw);
}

AVX2 static inline __attribute__((always_inline)) void pw_body(const qs_layer *L, const int16_t *in, int nb, int nx,
                                                              int pad, int16_t *out, int ob, int opad, int16_t *plane,
                                                              int64_t pstride, const int np) {
    RQ_SETUP(L);
    __m256i x[64];
    for (int j = 0; j < nx; j += 8) {
        for (int p = 0; p < np; p++) x[p] = _mm256_loadu_si256((const __m256i *)(in + ((size_t)p * nb + pad + j) * 2));
        for (int o = 0; o < L->cout; o += 2) {
            const __m256i *w0 = (const __m256i *)(L->w + (size_t)o * np * 8), *w1 = w0 + np;
            /* two chains per output (even and odd channel pairs): half the dependent adds waiting in the scheduler */
            __m256i a0 = half, a1 = half, b0 = _mm256_setzero_si256(), b1 = b0;
            int p = 0;
            for (; p + 1 < np; p += 2) {
                a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(x[p], _mm256_loadu_si256(w0 + p)));
                CHAIN(a0);
                a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(x[p], _mm256_loadu_si256(w1 + p)));
                CHAIN(a1);
                b0 = _mm256_add_epi32(b0, _mm256_madd_epi16(x[p + 1], _mm256_loadu_si256(w0 + p + 1)));
                CHAIN(b0);
                b1 = _mm256_add_epi32(b1, _mm256_madd_epi16(x[p + 1], _mm256_loadu_si256(w1 + p + 1)));
                CHAIN(b1);
            }
            if (p < np) {
                a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(x[p], _mm256_loadu_si256(w0 + p)));
                a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(x[p], _mm256_loadu_si256(w1 + p)));
            }
            a0 = _mm256_add_epi32(a0, b0);
            a1 = _mm256_add_epi32(a1, b1);
            if (plane) {
                __m256i r0 = rq8(a0, sh, vlo, vhi), r1 = rq8(a1, sh, vlo, vhi);
                int32_t t0[8], t1[8];
                _mm256_storeu_si256((__m256i *)t0, r0);
                _mm256_storeu_si256((__m256i *)t1, r1);
                int n = nx - j < 8 ? nx - j : 8;
                for (int k = 0; k < n; k++) {
                    plane[o * pstride + j + k] = (int16_t)t0[k];
                    plane[(o + 1) * pstride + j + k] = (int16_t)t1[k];
                }
            } else {
                store8(out + ((size_t)(o / 2) * ob + opad + j) * 2, rq_pair(a0, a1, right, cnt, wlo, whi), nx - j);
            }
        }
    }
}

/* the body compiled for C = 16 (8 channel pairs held in registers, loops unrolled) and for any C */
AVX2 static void pw_row_avx2(const qs_layer *L, const int16_t *in, int nb, int nx, int pad, int16_t *out, int ob,
                             int opad, int16_t *plane, int64_t pstride) {
    if (L->cin == 16)
        pw_body(L, in, nb, nx, pad, out, ob, opad, plane, pstride, 8);
    else if (L->cin == 8)
        pw_body(L, in, nb, nx, pad, out, ob, opad, plane, pstride, 4);
    else
        pw_body(L, in, nb, nx, pad, out, ob, opad, plane, pstride, L->cin / 2);
}

/* bic_row_c with vectors, 8 LR columns at a time (`pad`: the row's columns c0 - 2 .. c1 + 9, clamped, as int32) */
AVX2 static void bic_row_avx2(const qs_post *P, const uint8_t *img, int W, int k, int c0, int c1, int32_t *dst,
                              int32_t *padded) {
    const uint8_t *row = img + (size_t)k * W;
    const int n = c1 - c0;
    for (int i = 0; i < n + 12; i++) {
        int c = c0 - 2 + i;
        padded[i] = row[c < 0 ? 0 : c >= W ? W - 1 : c];
    }
    __m256i te[5], to[5];
    for (int m = 0; m < 5; m++) te[m] = _mm256_set1_epi32(P->taps[m]), to[m] = _mm256_set1_epi32(P->taps[5 + m]);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i e = _mm256_setzero_si256(), o = e;
        for (int m = 0; m < 5; m++) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(padded + i + m));
            e = _mm256_add_epi32(e, _mm256_mullo_epi32(x, te[m]));
            o = _mm256_add_epi32(o, _mm256_mullo_epi32(x, to[m]));
        }
        __m256i lo = _mm256_unpacklo_epi32(e, o), hi = _mm256_unpackhi_epi32(e, o);
        _mm256_storeu_si256((__m256i *)(dst + 2 * i), _mm256_permute2x128_si256(lo, hi, 0x20));
        _mm256_storeu_si256((__m256i *)(dst + 2 * i + 8), _mm256_permute2x128_si256(lo, hi, 0x31));
    }
    if (i < n) bic_row_c(P, img, W, k, c0 + i, c1, dst + 2 * i);
}


/* vpass for 8 HR columns from u, added to `acc` */
AVX2 static inline __m256i vpass8(const __m256i *tv, const int32_t *const *rows, int u, __m256i acc) {
    for (int m = 0; m < 5; m++)
        acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(_mm256_loadu_si256((const __m256i *)(rows[m] + u)), tv[m]));
    return acc;
}

/* two vectors of 8 int32 -> 16 bytes clip(v, 0, 255): packs saturates to int16, packus to 0..255 */
AVX2 static inline __m128i pack16_u8(__m256i a, __m256i b) {
    __m256i p = _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8);
    return _mm_packus_epi16(_mm256_castsi256_si128(p), _mm256_extracti128_si256(p, 1));
}

/* chroma_row_c with vectors, 16 HR columns at a time */
AVX2 static void chroma_row_avx2(const qs_post *P, const int32_t *const *rows, int ph, int n, uint8_t *out) {
    __m256i tv[5];
    for (int m = 0; m < 5; m++) tv[m] = _mm256_set1_epi32(P->taps[ph * 5 + m]);
    const __m128i cs = _mm_cvtsi32_si128(P->bshift);
    const __m256i half = _mm256_set1_epi32(1 << (P->bshift - 1));
    int u = 0;
    for (; u + 16 <= n; u += 16) {
        __m256i s0 = vpass8(tv, rows, u, half), s1 = vpass8(tv, rows, u + 8, half);
        _mm_storeu_si128((__m128i *)(out + u), pack16_u8(_mm256_sra_epi32(s0, cs), _mm256_sra_epi32(s1, cs)));
    }
    if (u < n) chroma_row_c(P, rows, ph, u, n, out);
}

/* merge_row_c with vectors, 16 pixels at a time: the three channels as int32 products, packed to bytes with
 * saturation (the clip), interleaved into 48 bytes by byte shuffles */
AVX2 static void merge_row_avx2(const qs_post *P, const uint8_t *y, const uint8_t *cb, const uint8_t *cr, int n,
                                uint8_t *out) {
    __m256i m[9], off[3];
    for (int i = 0; i < 9; i++) m[i] = _mm256_set1_epi32(P->inv[i]);
    for (int k = 0; k < 3; k++) off[k] = _mm256_set1_epi32(P->inv_off[k]);
    const __m128i cs = _mm_cvtsi32_si128(P->cshift);
    /* shuffle masks: output byte 16 v + i is channel (16 v + i) % 3 of pixel (16 v + i) / 3 */
    __m128i mask[3][3];
    for (int v = 0; v < 3; v++)
        for (int k = 0; k < 3; k++) {
            int8_t b[16];
            for (int i = 0; i < 16; i++) b[i] = (16 * v + i) % 3 == k ? (int8_t)((16 * v + i) / 3) : (int8_t)0x80;
            mask[v][k] = _mm_loadu_si128((const __m128i *)b);
        }
    int u = 0;
    for (; u + 16 <= n; u += 16) {
        __m256i x[2][3];
        for (int h = 0; h < 2; h++) {
            x[h][0] = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(y + u + 8 * h)));
            x[h][1] = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(cb + u + 8 * h)));
            x[h][2] = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(cr + u + 8 * h)));
        }
        __m128i ch[3];
        for (int k = 0; k < 3; k++) {
            __m256i a[2];
            for (int h = 0; h < 2; h++) {
                __m256i t = off[k];
                for (int c = 0; c < 3; c++)
                    if (P->inv[3 * k + c]) t = _mm256_add_epi32(t, _mm256_mullo_epi32(x[h][c], m[3 * k + c]));
                a[h] = _mm256_sra_epi32(t, cs);
            }
            ch[k] = pack16_u8(a[0], a[1]);
        }
        for (int v = 0; v < 3; v++) {
            __m128i o = _mm_or_si128(_mm_or_si128(_mm_shuffle_epi8(ch[0], mask[v][0]), _mm_shuffle_epi8(ch[1], mask[v][1])),
                                     _mm_shuffle_epi8(ch[2], mask[v][2]));
            _mm_storeu_si128((__m128i *)(out + 3 * u + 16 * v), o);
        }
    }
    if (u < n) merge_row_c(P, y, cb, cr, u, n, out);
}

/* post_row_c with vectors, 16 HR columns at a time; the rest by post_row_c */
AVX2 static void post_row_avx2(const qs_post *P, const int32_t *const *rows, const int16_t *tail, int64_t tstride,
                               int ph, int n, uint8_t *out) {
    __m256i tv[5];
    for (int m = 0; m < 5; m++) tv[m] = _mm256_set1_epi32(P->taps[ph * 5 + m]);
    const __m128i cb = _mm_cvtsi32_si128(P->sh_bic), cr = _mm_cvtsi32_si128(P->sh_res), cf = _mm_cvtsi32_si128(P->frac);
    const __m256i half = _mm256_set1_epi32(1 << (P->frac - 1));
    const int16_t *ta = tail + 2 * ph * tstride, *tb = ta + tstride;
    int u = 0;
    for (; u + 16 <= n; u += 16) {
        const __m256i z = _mm256_setzero_si256();
        __m256i s0 = vpass8(tv, rows, u, z), s1 = vpass8(tv, rows, u + 8, z);
        __m128i a = _mm_loadu_si128((const __m128i *)(ta + u / 2)), b = _mm_loadu_si128((const __m128i *)(tb + u / 2));
        __m256i t0 = _mm256_cvtepi16_epi32(_mm_unpacklo_epi16(a, b)), t1 = _mm256_cvtepi16_epi32(_mm_unpackhi_epi16(a, b));
        __m256i q0 = _mm256_add_epi32(_mm256_add_epi32(_mm256_sll_epi32(s0, cb), _mm256_sll_epi32(t0, cr)), half);
        __m256i q1 = _mm256_add_epi32(_mm256_add_epi32(_mm256_sll_epi32(s1, cb), _mm256_sll_epi32(t1, cr)), half);
        _mm_storeu_si128((__m128i *)(out + u), pack16_u8(_mm256_sra_epi32(q0, cf), _mm256_sra_epi32(q1, cf)));
    }
    if (u < n) post_row_c(P, rows, tail, tstride, ph, u, n, out);
}
#endif

/* ------------------------------------------------------------------ the tile driver */

static int use_avx2(int generic) {
#ifdef QCSR_X86
    if (generic) return 0;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
#else
    (void)generic;
    return 0;
#endif
}

/* 1 when the AVX2 path would run on this CPU (the engine reports it). */
int qs_has_avx2(void) { return use_avx2(0); }

/* Run the CNN of `layers` (head, ..., tail) on LR luma `img` (H x W uint8) for output columns [c0, c1): into
 * `tail` (cout_last planes, each H rows of `tstride` int16, the tile's columns at [c0, c1)) when `P` is NULL,
 * else each tail row straight into the finished HR rows of P->hr (the bicubic and the residual above).
 * `halo`: the network's horizontal receptive radius; `pad` >= every layer's kw/2. Returns 0, or -1 when out of
 * memory. */
static int cnn_tile(const uint8_t *img, int H, int W, const qs_layer *layers, int nl, int c0, int c1, int halo,
                    int pad, int16_t *tail, int64_t tstride, const qs_post *P, int generic) {
    const int avx = use_avx2(generic);
    const int x0 = c0 - halo > 0 ? c0 - halo : 0, x1 = c1 + halo < W ? c1 + halo : W, nx = x1 - x0;
    const int nb = ((nx + 7) / 8) * 8 + 2 * pad + 8;  /* row length in pixels, zero columns each side */
    int cmax = 2;
    for (int l = 0; l < nl; l++) cmax = layers[l].cout > cmax ? layers[l].cout : cmax;
    cmax = (cmax + 1) & ~1;
    const size_t rowsz = (size_t)(cmax / 2) * nb * 2;  /* int16 per row buffer */
    /* ring l holds layer l's output rows (the next layer's input): kh of the next layer, 1 for a 1x1 layer */
    int ring[64], lat[64], base[64];
    if (nl > 64) return -1;
    size_t total = 0;
    for (int l = 0; l < nl; l++) {
        ring[l] = l + 1 < nl ? layers[l + 1].kh : 1;
        base[l] = (int)(total / rowsz);
        total += (size_t)ring[l] * rowsz;
        lat[l] = (l ? lat[l - 1] : 0) + layers[l].kh / 2;
    }
    int taps0 = layers[0].kh * layers[0].kw;
    size_t colsz = (size_t)((taps0 + 1) / 2) * (nb + 16) * 2;
    size_t rowbufsz = (size_t)layers[0].kh * (nx + layers[0].kw + 32);
    int16_t *mem = calloc(total + 2 * rowsz + colsz + rowbufsz + 64, sizeof(int16_t));
    if (!mem) return -1;
    int16_t *zero = mem + total, *tmp = zero + rowsz, *cols = tmp + rowsz, *rowbuf = cols + colsz;
    const int n2 = 2 * (c1 - c0);
    int32_t *hring = NULL, *padded = NULL;
    uint8_t *scratch = NULL;  /* with rgb: the HR Y, Cb, Cr bytes of one row, n2 + 16 each */
    int hnext = 0;
    if (P) {
        /* five horizontal-pass rows per plane (luma; with rgb also Cb, Cr), the padded LR row, 3 HR byte rows */
        const int planes = P->rgb ? 3 : 1;
        hring = malloc(((size_t)5 * planes * n2 + (size_t)(c1 - c0) + 16 + (size_t)n2 + 16) * sizeof(int32_t));
        if (!hring) {
            free(mem);
            return -1;
        }
        padded = hring + (size_t)5 * planes * n2;
        scratch = (uint8_t *)(padded + (c1 - c0) + 16);
    }
    const int16_t *win[16];
    for (int t = 0; t < H + lat[nl - 1]; t++) {
        for (int l = 0; l < nl; l++) {
            const qs_layer *L = &layers[l];
            int r = t - lat[l];
            if (r < 0 || r >= H) continue;
            int16_t *dst = mem + ((size_t)base[l] + (size_t)(r % ring[l])) * rowsz;
            if (L->kind == 0) {
#ifdef QCSR_X86
                if (avx) {
                    head_cols_avx2(img, H, W, r, x0, nx, L->kh, L->kw, cols, nb, rowbuf);
                    head_row_avx2(L, cols, nb, nx, dst, nb, pad);
                    continue;
                }
#endif
                head_cols(img, H, W, r, x0, nx, L->kh, L->kw, cols, nb);
                head_row_c(L, cols, nb, nx, dst, nb, pad);
                continue;
            }
            /* the input rows r - kh/2 .. r + kh/2 from the previous layer's ring (NULL: outside the frame) */
            for (int dy = 0; dy < L->kh; dy++) {
                int rr = r + dy - L->kh / 2;
                win[dy] = (rr < 0 || rr >= H) ? NULL : mem + ((size_t)base[l - 1] + (size_t)(rr % ring[l - 1])) * rowsz;
            }
            int last = l == nl - 1;
            int16_t *plane = last ? tail + (int64_t)r * tstride : NULL;
            if (L->kind == 1) {
#ifdef QCSR_X86
                if (avx) dw_row_avx2(L, win, zero, nb, nx, pad, dst); else
#endif
                dw_row_c(L, win, zero, nb, nx, pad, dst);
            } else if (!last) {
#ifdef QCSR_X86
                if (avx) pw_row_avx2(L, win[0], nb, nx, pad, dst, nb, pad, NULL, 0); else
#endif
                pw_row_c(L, win[0], nb, nx, pad, dst, nb, pad, NULL, 0);
            } else {  /* the tail: the whole widened row into tmp planes, then the tile's columns out */
                int16_t *tp = tmp;
                int64_t ps = nb;
#ifdef QCSR_X86
                if (avx) pw_row_avx2(L, win[0], nb, nx, pad, NULL, 0, 0, tp, ps); else
#endif
                pw_row_c(L, win[0], nb, nx, pad, NULL, 0, 0, tp, ps);
                if (P) {  /* the HR rows 2r, 2r + 1 of this tile */
                    const int planes = P->rgb ? 3 : 1;
                    const uint8_t *src[3] = {img, P->cb, P->cr};
                    for (; hnext <= r + 2 && hnext < H; hnext++)
                        for (int q = 0; q < planes; q++) {
                            int32_t *hr = hring + ((size_t)q * 5 + (size_t)(hnext % 5)) * n2;
#ifdef QCSR_X86
                            if (avx) bic_row_avx2(P, src[q], W, hnext, c0, c1, hr, padded); else
#endif
                            bic_row_c(P, src[q], W, hnext, c0, c1, hr);
                        }
                    const int32_t *rows[3][5];
                    for (int q = 0; q < planes; q++)
                        for (int m = 0; m < 5; m++) {
                            int k = r - 2 + m;
                            rows[q][m] = hring + ((size_t)q * 5 + (size_t)((k < 0 ? 0 : k >= H ? H - 1 : k) % 5)) * n2;
                        }
                    for (int ph = 0; ph < 2; ph++) {
                        const int64_t row = 2 * (int64_t)r + ph;
                        uint8_t *yo = P->rgb ? scratch : P->hr + row * P->hstride + 2 * (int64_t)c0;
#ifdef QCSR_X86
                        if (avx) post_row_avx2(P, rows[0], tp + (c0 - x0), ps, ph, n2, yo); else
#endif
                        post_row_c(P, rows[0], tp + (c0 - x0), ps, ph, 0, n2, yo);
                        if (!P->rgb) continue;
                        uint8_t *cbo = scratch + n2 + 16, *cro = cbo + n2 + 16;
                        uint8_t *o = P->rgb + row * P->rstride + 6 * (int64_t)c0;
#ifdef QCSR_X86
                        if (avx) {
                            chroma_row_avx2(P, rows[1], ph, n2, cbo);
                            chroma_row_avx2(P, rows[2], ph, n2, cro);
                            merge_row_avx2(P, yo, cbo, cro, n2, o);
                            continue;
                        }
#endif
                        chroma_row_c(P, rows[1], ph, 0, n2, cbo);
                        chroma_row_c(P, rows[2], ph, 0, n2, cro);
                        merge_row_c(P, yo, cbo, cro, 0, n2, o);
                    }
                    continue;
                }
                for (int o = 0; o < L->cout; o++)
                    memcpy(plane + (int64_t)o * H * tstride + c0, tp + (int64_t)o * ps + (c0 - x0),
                           (size_t)(c1 - c0) * sizeof(int16_t));
            }
        }
    }
    free(mem);
    free(hring);
    return 0;
}

int qs_cnn_tile(const uint8_t *img, int H, int W, const qs_layer *layers, int nl, int c0, int c1, int halo, int pad,
                int16_t *tail, int64_t tstride, int generic) {
    return cnn_tile(img, H, W, layers, nl, c0, c1, halo, pad, tail, tstride, NULL, generic);
}

/* The same tile finished: HR luma columns [2 c0, 2 c1) of rows 0 .. 2H - 1 of `hr` (hstride bytes apart). */
int qs_luma_tile(const uint8_t *img, int H, int W, const qs_layer *layers, int nl, int c0, int c1, int halo, int pad,
                 const int32_t *taps, int sh_bic, int sh_res, int frac, uint8_t *hr, int64_t hstride, int generic) {
    qs_post P = {taps, sh_bic, sh_res, frac, hr, hstride, NULL, NULL, 0, 0, NULL, NULL, NULL, 0};
    return cnn_tile(img, H, W, layers, nl, c0, c1, halo, pad, NULL, 0, &P, generic);
}

/* The whole frame's tile: planar LR Y, Cb, Cr (H x W each) -> HR RGB columns [2 c0, 2 c1) of `rgb` (2H rows,
 * rstride bytes apart): the luma as qs_luma_tile, the chroma by the x2 bicubic rounded by `bshift` bits, then
 * YCbCr -> RGB with `inv` ([3][3]), `inv_off` ([3]) and `cshift`. */
int qs_rgb_tile(const uint8_t *y, const uint8_t *cb, const uint8_t *cr, int H, int W, const qs_layer *layers, int nl,
                int c0, int c1, int halo, int pad, const int32_t *taps, int sh_bic, int sh_res, int frac, int bshift,
                const int32_t *inv, const int32_t *inv_off, int cshift, uint8_t *rgb, int64_t rstride, int generic) {
    qs_post P = {taps, sh_bic, sh_res, frac, NULL, 0, cb, cr, bshift, cshift, inv, inv_off, rgb, rstride};
    return cnn_tile(y, H, W, layers, nl, c0, c1, halo, pad, NULL, 0, &P, generic);
}

/* The machine's int16 multiply-add rate: `iters` rounds of 12 independent vpmaddwd chains (16 MACs each);
 * returns a checksum so the work is not optimised away. 0 without AVX2. */
#ifdef QCSR_X86
AVX2 static int64_t peak_avx2(int64_t iters) {
    __m256i w = _mm256_set1_epi16(1);
    __m256i a0 = _mm256_set1_epi16(3), a1 = _mm256_set1_epi16(5), a2 = _mm256_set1_epi16(7),
            a3 = _mm256_set1_epi16(9), a4 = a0, a5 = a1, a6 = a2, a7 = a3, a8 = a0, a9 = a1, a10 = a2, a11 = a3;
    for (int64_t i = 0; i < iters; i++) {
        a0 = _mm256_madd_epi16(a0, w); a1 = _mm256_madd_epi16(a1, w); a2 = _mm256_madd_epi16(a2, w);
        a3 = _mm256_madd_epi16(a3, w); a4 = _mm256_madd_epi16(a4, w); a5 = _mm256_madd_epi16(a5, w);
        a6 = _mm256_madd_epi16(a6, w); a7 = _mm256_madd_epi16(a7, w); a8 = _mm256_madd_epi16(a8, w);
        a9 = _mm256_madd_epi16(a9, w); a10 = _mm256_madd_epi16(a10, w); a11 = _mm256_madd_epi16(a11, w);
        __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5), "+x"(a6), "+x"(a7),
                         "+x"(a8), "+x"(a9), "+x"(a10), "+x"(a11));
    }
    __m256i s = _mm256_add_epi32(_mm256_add_epi32(_mm256_add_epi32(a0, a1), _mm256_add_epi32(a2, a3)),
                                 _mm256_add_epi32(_mm256_add_epi32(a4, a5), _mm256_add_epi32(a6, a7)));
    s = _mm256_add_epi32(s, _mm256_add_epi32(_mm256_add_epi32(a8, a9), _mm256_add_epi32(a10, a11)));
    return _mm256_extract_epi32(s, 0);
}
#endif

int64_t qs_peak_madd(int64_t iters) {
#ifdef QCSR_X86
    if (use_avx2(0)) return peak_avx2(iters);
#endif
    (void)iters;
    return 0;
}

/* the module object only gives the shared library a home in the package; the functions go through ctypes */
static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "_simd", "qcsr fast-engine kernels (ctypes)", -1, NULL, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__simd(void) { return PyModule_Create(&moddef); }
