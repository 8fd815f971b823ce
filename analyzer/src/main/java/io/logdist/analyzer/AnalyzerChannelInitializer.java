package io.logdist.analyzer;

import io.logdist.analyzer.record.RecordAppender;
import io.logdist.protocol.codec.FrameDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;

import java.time.Duration;

/**
 * Assembles each accepted connection's pipeline: {@link FrameDecoder}, then a fresh
 * {@link AnalyzerHandler}; and enrols the channel in the server's group so
 * {@link AnalyzerServer#close()} can drop them all. Runs on the server's event loop.
 */
final class AnalyzerChannelInitializer extends ChannelInitializer<Channel> {
    private final AnalyzerConfig config;
    private final AnalyzerCounters counters;
    private final RecordAppender records;
    private final ChannelGroup connections;
    private final Duration helloTimeout;

    AnalyzerChannelInitializer(AnalyzerConfig config, AnalyzerCounters counters, RecordAppender records,
                               ChannelGroup connections, Duration helloTimeout) {
        this.config = config;
        this.counters = counters;
        this.records = records;
        this.connections = connections;
        this.helloTimeout = helloTimeout;
    }

    @Override
    protected void initChannel(Channel ch) {
        connections.add(ch);
        ch.pipeline().addLast(
            new FrameDecoder(config.maxFrameLength()),
            new AnalyzerHandler(config, counters, records, helloTimeout));
    }
}
