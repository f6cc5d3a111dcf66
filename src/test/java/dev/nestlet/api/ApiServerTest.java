package dev.nestlet.api;

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
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The socket server over a real unix socket (as root: the default policy serves root only). */
class ApiServerTest {
    @Test
    void aRequestHeldForAHandOverThatTheFullPoolRefusesIsAnsweredBusy(@TempDir Path dir)
            throws Exception {
        CountDownLatch blocked = new CountDownLatch(1);
        // One thread, no queue, and the thread taken: every request is refused by the pool.
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
        ApiServer server =
                new ApiServer(
                        dir.resolve("api.sock"),
                        new Dispatcher(new ObjectMapper()).register(new DispatcherTest.Echo()),
                        new PeerPolicy(OptionalInt.empty()),
                        pool,
                        new ApiServer.Limits(65536, 10_000, 60_000));
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
}
