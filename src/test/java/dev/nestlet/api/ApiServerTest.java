package dev.nestlet.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket server over a real unix socket (as root: the default policy serves root only). */
class ApiServerTest {
    record Nothing() {}

    /** An urgent op that takes a while and names the thread it ran on. */
    static final class SlowUrgent implements Operation<Nothing> {
        @Override
        public String name() {
            return "slow";
        }

        @Override
        public Class<Nothing> params() {
            return Nothing.class;
        }

        @Override
        public boolean urgent() {
            return true;
        }

        @Override
        public Object handle(Nothing p, Peer peer) throws InterruptedException {
            Thread.sleep(50);
            return Thread.currentThread().getName()
                    + "#"
                    + System.identityHashCode(Thread.currentThread());
        }
    }

    @Test
    void urgentRequestsPassABlockedPoolOnOneThreadAndAFloodBeyondItsQueueIsBusy(@TempDir Path dir)
            throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        ThreadPoolExecutor pool = takenPool(blocked);
        ApiServer server = server(dir, pool, new SlowUrgent());
        List<SocketChannel> clients = new ArrayList<>();
        try {
            server.start();
            // One running and four queued are answered; a request beyond them is refused at once.
            for (int i = 0; i < 6; i++) {
                SocketChannel client =
                        SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("api.sock")));
                clients.add(client);
                client.write(
                        ByteBuffer.wrap(
                                "{\"v\":1,\"op\":\"slow\"}\n".getBytes(StandardCharsets.UTF_8)));
            }
            Set<String> threads = new HashSet<>();
            int busy = 0;
            for (SocketChannel client : clients) {
                String answer =
                        new BufferedReader(
                                        new InputStreamReader(
                                                Channels.newInputStream(client),
                                                StandardCharsets.UTF_8))
                                .readLine();
                if (answer.contains("\"busy\"")) {
                    busy++;
                } else {
                    assertTrue(answer.contains("urgent-request#"), answer);
                    threads.add(answer);
                }
            }
            assertEquals(1, threads.size(), threads.toString());
            assertEquals(1, busy);
        } finally {
            for (SocketChannel client : clients) {
                client.close();
            }
            blocked.countDown();
            server.close();
            pool.shutdownNow();
        }
    }

    @Test
    void aRequestHeldForAHandOverThatTheFullPoolRefusesIsAnsweredBusy(@TempDir Path dir)
            throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        ThreadPoolExecutor pool = takenPool(blocked);
        ApiServer server = server(dir, pool, new DispatcherTest.Echo());
        try {
            Path beside = server.bindBeside();
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(beside))) {
                client.write(
                        ByteBuffer.wrap(
                                "{\"v\":1,\"op\":\"echo\",\"text\":\"x\"}\n"
                                        .getBytes(StandardCharsets.UTF_8)));
                // Let the event loop read the line and hold it, as during a hand-over.
                Thread.sleep(300);
                server.claimPath();
                server.open(); // must not throw the pool's refusal at its caller
                String answer =
                        new BufferedReader(
                                        new InputStreamReader(
                                                Channels.newInputStream(client),
                                                StandardCharsets.UTF_8))
                                .readLine();
                assertTrue(answer.contains("\"busy\""), answer);
            }
        } finally {
            blocked.countDown();
            server.close();
            pool.shutdownNow();
        }
    }

    /**
     * One thread, no queue, and the thread taken until {@code blocked} counts down: every request
     * is refused by the pool.
     */
    private static ThreadPoolExecutor takenPool(CountDownLatch blocked) {
        ThreadPoolExecutor pool =
                new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new SynchronousQueue<>());
        pool.execute(
                () -> {
                    try {
                        blocked.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        return pool;
    }

    /** A root-only server at DIR/api.sock for {@code op}, its requests run on {@code pool}. */
    private static ApiServer server(Path dir, ThreadPoolExecutor pool, Operation<?> op) {
        return new ApiServer(
                dir.resolve("api.sock"),
                new Dispatcher(new ObjectMapper()).register(op),
                new PeerPolicy(OptionalInt.empty()),
                pool,
                new ApiServer.Limits(65536, 10_000, 60_000));
    }
}
