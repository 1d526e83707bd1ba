package hl7lake.mllp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes a frame's answer: each of its ACKs in an MLLP frame of its own, {@code 0x0B <ack> 0x1C 0x0D},
 * in order (none when the sender asked for none: the frame is still counted as answered).
 */
@ChannelHandler.Sharable
public final class MllpFrameEncoder extends MessageToByteEncoder<MllpReply> {

    /** {@code message} framed, as one array (for clients: the benchmark's and the tests'). */
    public static byte[] frame(byte[] message) {
        byte[] framed = new byte[message.length + 3];
        framed[0] = MllpFrameDecoder.START;
        System.arraycopy(message, 0, framed, 1, message.length);
        framed[framed.length - 2] = MllpFrameDecoder.END;
        framed[framed.length - 1] = MllpFrameDecoder.CR;
        return framed;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, MllpReply reply, ByteBuf out) {
        AtomicInteger pending = ctx.channel().attr(MllpConnections.PENDING).get();
        if (pending != null) {
            pending.decrementAndGet();
        }
        for (byte[] ack : reply.acks()) {
            out.ensureWritable(ack.length + 3);
            out.writeByte(MllpFrameDecoder.START);
            out.writeBytes(ack);
            out.writeByte(MllpFrameDecoder.END);
            out.writeByte(MllpFrameDecoder.CR);
        }
    }
}
