package hl7lake.mllp;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Wraps each reply (the encoded ACK) in an MLLP frame: {@code 0x0B <ack> 0x1C 0x0D}. */
@ChannelHandler.Sharable
public final class MllpFrameEncoder extends MessageToByteEncoder<byte[]> {

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
