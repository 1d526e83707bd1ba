package hl7lake.mllp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Wraps each reply (the encoded ACK) in an MLLP frame: {@code 0x0B <ack> 0x1C 0x0D}. */
@ChannelHandler.Sharable
public final class MllpFrameEncoder extends MessageToByteEncoder<byte[]> {

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
    protected void encode(ChannelHandlerContext ctx, byte[] ack, ByteBuf out) {
        java.util.concurrent.atomic.AtomicInteger pending = ctx.channel().attr(MllpConnections.PENDING).get();
        if (pending != null) {
            pending.decrementAndGet();
        }
        out.ensureWritable(ack.length + 3);
        out.writeByte(MllpFrameDecoder.START);
        out.writeBytes(ack);
        out.writeByte(MllpFrameDecoder.END);
        out.writeByte(MllpFrameDecoder.CR);
    }
}
