package io.logdist.distributor.routing;

import java.util.Arrays;

/**
 * Deterministic weighted choice by stride scheduling over a tournament (min) tree.
 *
 * <p>Each slot has a <em>pass</em>. {@link #pick(int)} takes the slot with the smallest
 * pass (ties go to the lower slot) and advances its pass by {@code messages / weight}, so
 * over any run every slot's share of messages stays within one packet of
 * {@code weight / sum(weights)}. The root of the tree holds the current minimum, so a
 * pick is O(1) to find and O(log n) to update. No randomness, no allocation.
 *
 * <p>Not thread-safe: each event loop owns its own tree (see {@link Router}).
 */
public final class WeightedTree {
    /** Passes are rebased (all reduced by the minimum) once the minimum passes this, to keep precision. */
    private static final double REBASE_AT = 1e12;

    private final int size;
    private final int leaves;
    private final double[] pass;
    private final double[] stride;
    /** tree[1] is the root; tree[leaves + i] is slot i; each node holds the slot with the smaller pass. */
    private final int[] tree;

    /**
     * @param weights positive weights, one per slot
     * @param initialLead per slot, the messages it was charged ahead of the least advanced
     *                    (from {@link #lead} of the tree this one replaces; null for a fresh tree)
     */
    public WeightedTree(double[] weights, double[] initialLead) {
        if (weights.length == 0) {
            throw new IllegalArgumentException("a weighted tree needs at least one slot");
        }
        this.size = weights.length;
        int l = 1;
        while (l < size) {
            l <<= 1;
        }
        this.leaves = l;
        this.pass = new double[leaves];
        this.stride = new double[leaves];
        this.tree = new int[2 * leaves];
        Arrays.fill(pass, Double.POSITIVE_INFINITY);
        for (int i = 0; i < size; i++) {
            if (!(weights[i] > 0) || Double.isInfinite(weights[i])) {
                throw new IllegalArgumentException("weight[" + i + "]=" + weights[i] + " must be a positive number");
            }
            stride[i] = 1.0 / weights[i];
            pass[i] = initialLead == null ? 0 : initialLead[i] * stride[i];
        }
        for (int i = 0; i < leaves; i++) {
            tree[leaves + i] = i;
        }
        for (int n = leaves - 1; n >= 1; n--) {
            tree[n] = smaller(tree[2 * n], tree[2 * n + 1]);
        }
    }

    public WeightedTree(double[] weights) {
        this(weights, null);
    }

    private int smaller(int a, int b) {
        return pass[b] < pass[a] ? b : a;
    }

    public int size() {
        return size;
    }

    /** Chooses the slot for a packet of {@code messages} messages and charges it. */
    public int pick(int messages) {
        int slot = tree[1];
        pass[slot] += messages * stride[slot];
        for (int n = (leaves + slot) >>> 1; n >= 1; n >>>= 1) {
            tree[n] = smaller(tree[2 * n], tree[2 * n + 1]);
        }
        if (pass[tree[1]] > REBASE_AT) {
            rebase();
        }
        return slot;
    }

    /** The smallest pass: the tree's virtual time. */
    public double minPass() {
        return pass[tree[1]];
    }

    /**
     * Messages a slot was charged ahead of the least advanced (0 for the next to be picked).
     * In messages, not in pass, so that it means the same under other weights.
     */
    public double lead(int slot) {
        return (pass[slot] - minPass()) / stride[slot];
    }

    private void rebase() {
        double min = minPass();
        for (int i = 0; i < size; i++) {
            pass[i] -= min;
        }
    }
}
