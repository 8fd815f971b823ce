package io.logdist.distributor.link;

/**
 * The weight of an analyzer that just came back, ramping linearly from 1% of its
 * configured weight to all of it over the slow-start period, so a returning analyzer is
 * not flooded with the backlog.
 *
 * <p>Pure function of time; any thread.
 */
public final class SlowStart {
    static final double FLOOR = 0.01;

    private SlowStart() {
    }

    /**
     * @param weight       configured weight
     * @param sinceUpNs    nanoseconds since the link came up
     * @param periodNs     slow-start period; 0 disables the ramp
     */
    public static double effectiveWeight(double weight, long sinceUpNs, long periodNs) {
        if (periodNs <= 0 || sinceUpNs >= periodNs) {
            return weight;
        }
        double f = Math.max(FLOOR, (double) Math.max(0, sinceUpNs) / periodNs);
        return weight * f;
    }
}
