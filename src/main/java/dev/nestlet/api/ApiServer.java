package dev.nestlet.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nestlet.error.ErrorCode;
import dev.nestlet.sys.SocketCalls;
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
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daemon's unix socket: one JSON request per line, answered in order on the same connection.
 * Requests run on {@code executor} (an urgent one, see {@link Operation#urgent()}, on a thread kept
 * for urgent ones), never on the event loop; a connection reads its next request only after the
 * previous one is answered. For a planned restart the socket can be bound beside its path and hold
 * its requests until {@link #open()}; the serving nestletd renames it over the path ({@link
 * #release(Path)}), so the path always names a listening socket.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ApiServer.class.getName());

    /** What the server needs to know beyond the dispatcher. */
    public record Limits(int maxRequestBytes, long requestTimeoutMillis, long idleTimeoutMillis) {}

    /** How long a hand-over lets the event loop accept what queued before the rename. */
    private static final long BACKLOG_MILLIS = 1000;

    private final Path socket;
    private final Dispatcher dispatcher;
    private final PeerPolicy policy;
    private final ExecutorService executor;
    private final Limits limits;

    /**
     * Urgent requests: one thread, so that they never wait behind ordinary ones, and a short queue,
     * so that a flood of them (refused or not) holds one thread, not one each. The thread goes
     * after 30 idle seconds.
     */
    private final ThreadPoolExecutor urgent =
            new ThreadPoolExecutor(
                    1,
                    1,
                    30,
                    TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(4),
                    r -> {
                        Thread t = new Thread(r, "urgent-request");
                        t.setDaemon(true);
                        return t;
                    });

    /** Completed when requests may be dispatched; until then they wait, their clients too. */
    private final CompletableFuture<Void> opened = new CompletableFuture<>();

    /**
     * Connections accepted that have not had their first answer, plus requests being answered: what
     * a hand-over waits for before it stops the services they use.
     */
    private final AtomicInteger busy = new AtomicInteger();

    private EventLoopGroup group;
    private Channel server;
    private Path bound;
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
        urgent.allowCoreThreadTimeOut(true);
    }

    /** Binds the socket, replacing a stale one left by a previous run, and serves. */
    public void start() throws IOException, InterruptedException {
        bind(socket);
        open();
    }

    /**
     * Binds a socket beside the path, in the same directory (so that a rename moves it there),
     * holding requests until {@link #open()}; returns where it is bound.
     */
    public Path bindBeside() throws IOException, InterruptedException {
        Path beside =
                socket.resolveSibling(
                        "." + socket.getFileName() + ".take-over-" + ProcessHandle.current().pid());
        bind(beside);
        return beside;
    }

    /**
     * After {@link #bindBeside()}: makes this socket the one at the path. The serving nestletd has
     * moved it there when it handed over; when none did (none served), this renames it itself,
     * replacing a stale socket.
     */
    public void claimPath() throws IOException {
        if (!bound.equals(socket)) {
            if (Files.exists(bound)) {
                Files.move(bound, socket, StandardCopyOption.ATOMIC_MOVE);
            }
            bound = socket;
        }
    }

    /** Lets the requests held so far, and all later ones, be dispatched. */
    public void open() {
        opened.complete(null);
    }

    private void bind(Path at) throws IOException, InterruptedException {
        Files.createDirectories(at.getParent());
        Files.deleteIfExists(at);
        bound = at;
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
                        .bind(new DomainSocketAddress(at.toString()))
                        .sync()
                        .channel();
    }

    // Netty reports a failed write or close to exceptionCaught and to listeners; no caller waits.
    @SuppressWarnings("FutureReturnValueIgnored")
    private final class RequestHandler extends SimpleChannelInboundHandler<ByteBuf> {
        private Peer peer;

        /** Accepted and not yet sent a request: counted busy since channelActive. */
        private boolean awaitingFirst;

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            PeerCredentials cred = ((EpollDomainSocketChannel) ctx.channel()).peerCredentials();
            peer = new Peer(cred.pid(), cred.uid(), cred.gids().length > 0 ? cred.gids()[0] : -1);
            awaitingFirst = true;
            busy.incrementAndGet();
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
            if (awaitingFirst) {
                awaitingFirst = false;
            } else if (released) {
                // A later request of a connection served before the hand-over: the services it
                // would use are stopped or the new nestletd's now.
                replyAndClose(ctx, ErrorCode.BUSY, "this nestletd has handed over; connect again");
                return;
            } else {
                busy.incrementAndGet();
            }
            ctx.channel().config().setAutoRead(false);
            // Held while the server is not open yet (a hand-over in progress), then run.
            opened.thenApplyAsync(
                            v -> dispatcher.handle(line, peer),
                            dispatcher.urgent(line) ? urgent : executor)
                    .orTimeout(limits.requestTimeoutMillis(), TimeUnit.MILLISECONDS)
                    .exceptionally(e -> dispatcher.encode(failure(e)))
                    .thenAccept(
                            bytes ->
                                    ctx.writeAndFlush(Unpooled.wrappedBuffer(bytes))
                                            .addListener(
                                                    f -> {
                                                        busy.decrementAndGet();
                                                        ctx.channel().config().setAutoRead(true);
                                                        ctx.read();
                                                    }));
        }

        private ObjectNode failure(Throwable e) {
            Throwable cause =
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof RejectedExecutionException) {
                return dispatcher.error(ErrorCode.BUSY, "nestletd is overloaded; retry");
            }
            if (cause instanceof TimeoutException) {
                return dispatcher.error(
                        ErrorCode.TIMEOUT,
                        "request did not finish within " + limits.requestTimeoutMillis() + " ms");
            }
            return dispatcher.error(ErrorCode.INTERNAL, cause.toString());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (awaitingFirst) {
                awaitingFirst = false;
                busy.decrementAndGet();
            }
            super.channelInactive(ctx);
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
     * For a nestletd that takes over: renames its socket {@code beside} this one's path over the
     * path (one rename(2): the path never lacks a listening socket), then accepts what connected
     * before the rename and stops accepting; those connections are still answered ({@link
     * #awaitIdle}). Afterwards {@link #close()} leaves the path alone: it is the new nestletd's.
     */
    public void release(Path beside) throws IOException, InterruptedException {
        if (!beside.getParent().equals(socket.getParent())
                || !Files.readAttributes(
                                beside, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                        .isOther()) {
            throw new IOException(beside + " is not a socket beside " + socket);
        }
        Files.move(beside, socket, StandardCopyOption.ATOMIC_MOVE);
        released = true;
        // Nothing can connect to this listener any more; what is in its backlog is accepted by the
        // event loop (the listener polls readable until its backlog is empty).
        int fd = ((EpollServerDomainSocketChannel) server).fd().intValue();
        long end = System.nanoTime() + BACKLOG_MILLIS * 1_000_000;
        while (SocketCalls.pendingConnections(fd) && System.nanoTime() < end) {
            Thread.sleep(1);
        }
        // Deregistered, not closed: netty's close unlinks the path it bound, which now names the
        // new nestletd's socket. The listener's fd goes with this process.
        server.deregister().syncUninterruptibly();
    }

    /**
     * Waits until at most {@code own} connections are busy (accepted and not answered, or with a
     * request running), up to {@code millis}; returns whether they were.
     */
    public boolean awaitIdle(int own, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (busy.get() > own) {
            if (System.nanoTime() >= end) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    @Override
    public void close() {
        if (server != null && !released) {
            server.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (!released && bound != null) {
            try {
                Files.deleteIfExists(bound);
            } catch (IOException e) {
                LOG.warning("cannot remove " + bound + ": " + e.getMessage());
            }
        }
    }
}
