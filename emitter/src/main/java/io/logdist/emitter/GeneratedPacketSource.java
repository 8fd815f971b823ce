package io.logdist.emitter;

import io.logdist.protocol.codec.FrameDescriptor;
import io.logdist.protocol.packet.PacketDescriptor;
import io.logdist.protocol.packet.PacketWriter;

import java.nio.charset.StandardCharsets;

/**
 * Makes messages that look like log lines, each with its own counter, without
 * allocating: one template of printable ASCII bytes (at least {@code messageBytes}) whose counter
 * field is overwritten with the next number before each copy into the packet.
 *
 * <pre>
 * level=INFO emitter=42 seq=000000000007 msg="GET /api/v1/orders 200" user=u-1842 region=eu-west-1 ...
 * </pre>
 *
 * <p>Not thread-safe: one per session, touched only by its event loop.
 */
final class GeneratedPacketSource implements PacketSource {
    static final int COUNTER_DIGITS = 12;
    private static final String FILLER =
        " msg=\"GET /api/v1/orders 200\" user=u-1842 region=eu-west-1 took_ms=12 cache=hit trace=9f3c2a7e";

    private final int messagesPerPacket;
    private final int messageBytes;
    private final byte[] template;
    private final int counterOffset;
    private final OnceWarning truncation;

    GeneratedPacketSource(long emitterId, int messagesPerPacket, int messageBytes, OnceWarning truncation) {
        this.messagesPerPacket = messagesPerPacket;
        this.messageBytes = messageBytes;
        this.truncation = truncation;
        String prefix = "level=INFO emitter=" + emitterId + " seq=";
        this.counterOffset = prefix.length();
        // Always long enough for the whole counter field, so it can count in place; a message
        // shorter than that is the template's first messageBytes bytes.
        int templateBytes = Math.max(messageBytes, counterOffset + COUNTER_DIGITS);
        StringBuilder line = new StringBuilder(templateBytes + FILLER.length());
        line.append(prefix).append("0".repeat(COUNTER_DIGITS));
        while (line.length() < templateBytes) {
            line.append(FILLER);
        }
        this.template = line.substring(0, templateBytes).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public boolean exhausted() {
        return false;
    }

    @Override
    public int frameBytesHint(int maxPacketBytes) {
        long packet = PacketDescriptor.HEADER_LENGTH
            + (long) messagesPerPacket * (PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE + messageBytes);
        return (int) (FrameDescriptor.LENGTH_FIELD_SIZE + Math.min(packet, maxPacketBytes));
    }

    @Override
    public int fill(PacketWriter writer, int maxPacketBytes) {
        int room = maxPacketBytes - PacketDescriptor.HEADER_LENGTH;
        int n = Math.min(messagesPerPacket, room / (PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE + messageBytes));
        int length = messageBytes;
        if (n == 0) {
            // Not even one message fits the distributor's maxFrameLength: send it cut short.
            n = 1;
            length = room - PacketDescriptor.MESSAGE_LENGTH_FIELD_SIZE;
            if (truncation.pending()) {
                truncation.warn("emitter: messages of {} bytes do not fit the distributor's frames; sending {} bytes of each",
                    messageBytes, length);
            }
        }
        for (int i = 0; i < n; i++) {
            nextCounter();
            writer.addMessage(template, 0, length);
        }
        return n;
    }

    @Override
    public void close() {
    }

    /**
     * Moves the counter on by one: the digits are incremented in place, carrying as far as
     * needed (one digit in ten on average). Converting the number for every message took
     * 15 % of the load generator's CPU (twelve divisions per message).
     */
    private void nextCounter() {
        for (int i = counterOffset + COUNTER_DIGITS - 1; i >= counterOffset; i--) {
            if (template[i] != '9') {
                template[i]++;
                return;
            }
            template[i] = '0'; // carry; past the first digit it wraps, as the field shows the counter mod 10^12
        }
    }
}
