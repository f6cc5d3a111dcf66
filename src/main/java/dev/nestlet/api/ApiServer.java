package dev.nestlet.api;

import dev.nestlet.error.ErrorCode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.PeerCredentials;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's unix socket: one JSON request per line, answered in order on the same connection.
 * Requests run on {@code executor}, never on the event loop; a connection reads its next request
 * only after the previous one is answered.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ApiServer.class.getName());

    /** What the server needs to know beyond the dispatcher. */
    public record Limits(int maxRequestBytes, long requestTimeoutMillis, long idleTimeoutMillis) {}

    private final Path socket;
    private final Dispatcher dispatcher;
    private final PeerPolicy policy;
    private final ExecutorService executor;
    private final Limits limits;
    private EventLoopGroup group;
    private Channel server;
    private volatile boolean released;

    public ApiServer(
            Path socket,
            Dispatcher dispatcher,
            PeerPolicy policy,
            ExecutorService executor,
            Limits limits) {
        this.socket = socket;
        this.dispatcher = dispatcher;
        this.policy = policy;
        this.executor = executor;
        this.limits = limits;
    }

    /** Binds the socket, replacing a stale one left by a previous run. */
    public void start() throws IOException, InterruptedException {
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        server =
                new ServerBootstrap()
                        .group(group)
                        .channel(EpollServerDomainSocketChannel.class)
                        // Requests and answers are a few kB on a local socket: plain buffers,
                        // freed when done, rather than the default allocator's arenas and caches.
                        .option(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
                        .childOption(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
                        .childHandler(
                                new ChannelInitializer<EpollDomainSocketChannel>() {
                                    @Override
                                    protected void initChannel(EpollDomainSocketChannel ch) {
                                        ch.pipeline()
                                                .addLast(
                                                        new ReadTimeoutHandler(
                                                                limits.idleTimeoutMillis(),
                                                                TimeUnit.MILLISECONDS),
                                                        new LineBasedFrameDecoder(
                                                                limits.maxRequestBytes(),
                                                                true,
                                                                true),
                                                        new RequestHandler());
                                    }
                                })
                        .bind(new DomainSocketAddress(socket.toString()))
                        .sync()
                        .channel();
    }

    // Netty reports a failed write or close to exceptionCaught and to listeners; no caller waits.
    @SuppressWarnings("FutureReturnValueIgnored")
    private final class RequestHandler extends SimpleChannelInboundHandler<ByteBuf> {
        private Peer peer;

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            PeerCredentials cred = ((EpollDomainSocketChannel) ctx.channel()).peerCredentials();
            peer = new Peer(cred.pid(), cred.uid(), cred.gids().length > 0 ? cred.gids()[0] : -1);
            if (!policy.allows(peer)) {
                LOG.warning("refused client uid " + peer.uid() + " pid " + peer.pid());
                replyAndClose(
                        ctx,
                        ErrorCode.FORBIDDEN,
                        "uid " + peer.uid() + " may not use nestletd (" + policy.describe() + ")");
                return;
            }
            super.channelActive(ctx);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            byte[] line = ByteBufUtil.getBytes(frame);
            ctx.channel().config().setAutoRead(false);
            CompletableFuture<byte[]> answer;
            try {
                answer =
                        CompletableFuture.supplyAsync(
                                () -> dispatcher.handle(line, peer), executor);
            } catch (RejectedExecutionException e) {
                answer =
                        CompletableFuture.completedFuture(
                                dispatcher.encode(
                                        dispatcher.error(
                                                ErrorCode.BUSY, "nestletd is overloaded; retry")));
            }
            answer.orTimeout(limits.requestTimeoutMillis(), TimeUnit.MILLISECONDS)
                    .exceptionally(
                            e ->
                                    dispatcher.encode(
                                            dispatcher.error(
                                                    e instanceof TimeoutException
                                                            ? ErrorCode.TIMEOUT
                                                            : ErrorCode.INTERNAL,
                                                    e instanceof TimeoutException
                                                            ? "request did not finish within "
                                                                    + limits.requestTimeoutMillis()
                                                                    + " ms"
                                                            : e.toString())))
                    .thenAccept(
                            bytes ->
                                    ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes))
                                            .addListener(
                                                    f -> {
                                                        ctx.channel().config().setAutoRead(true);
                                                        ctx.read();
                                                    }));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                replyAndClose(
                        ctx,
                        ErrorCode.TOO_LARGE,
                        "request line longer than " + limits.maxRequestBytes() + " bytes");
            } else if (cause instanceof ReadTimeoutException) {
                ctx.close();
            } else {
                LOG.log(Level.FINE, "connection error", cause);
                ctx.close();
            }
        }

        private void replyAndClose(ChannelHandlerContext ctx, ErrorCode code, String message) {
            ctx.writeAndFlush(
                            Unpooled.wrappedBuffer(
                                    dispatcher.encode(dispatcher.error(code, message))))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Stops accepting connections and removes the socket's path, for a nestletd that takes over and
     * binds it; connections already accepted (the hand-over's own) are still answered. Afterwards
     * {@link #close()} leaves the path alone: it is the new nestletd's.
     */
    public void release() {
        released = true;
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        deleteSocket();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (!released) {
            deleteSocket();
        }
    }

    private void deleteSocket() {
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            LOG.warning("cannot remove " + socket + ": " + e.getMessage());
        }
    }
}
