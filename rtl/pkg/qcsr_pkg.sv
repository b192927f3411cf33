// qcsr_pkg: the network's shape facts the RTL derives its sizes from, written once (SPEC section 2: a head
// C x F x F, N blocks of a depthwise C x KH x KW layer and a pointwise C x C layer, a grouped 1x1 tail of
// 4 outputs over C / G inputs each). qcsr_core, qcsr_cnn and qcsr_cfg_loader size their weight buses,
// memories and packet lengths from these functions; fixedpoint/arch.py `Arch` is the Python side.
`timescale 1ns / 1ps
`default_nettype none

package qcsr_pkg;

    // the number of weight layers: head, N x (depthwise, pointwise), tail
    function automatic integer layer_count(input integer N);
        layer_count = 2 * N + 2;
    endfunction

    // weights of layer l (0 = head, odd = depthwise, even = pointwise, last = tail)
    function automatic integer layer_weights(input integer l, input integer F, input integer C, input integer N,
                                             input integer KH, input integer KW, input integer G);
        if (l == 0) layer_weights = C * F * F;
        else if (l == layer_count(N) - 1) layer_weights = 4 * (C / G);
        else if (l % 2 == 1) layer_weights = C * KH * KW;
        else layer_weights = C * C;
    endfunction

    // weights of the whole network: the sum over its layers (2560 for the shipped F = 3, C = 16, N = 6,
    // KH = KW = 3, G = 4)
    function automatic integer weight_count(input integer F, input integer C, input integer N, input integer KH,
                                            input integer KW, input integer G);
        integer l;
        weight_count = 0;
        for (l = 0; l < layer_count(N); l = l + 1) weight_count = weight_count + layer_weights(l, F, C, N, KH, KW, G);
    endfunction

endpackage

`resetall
