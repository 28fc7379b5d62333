package dev.tally.testsupport;

import java.time.Duration;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports.Binding;

/**
 * Redis in a container through Testcontainers. The host port is chosen up front and bound explicitly, so a
 * stopped and restarted container comes back at the same address, as a restarted Redis server would.
 */
final class ContainerRedis implements RealRedis {

    static final String IMAGE = "redis:7";
    private final int port;
    private final GenericContainer<?> container;

    @SuppressWarnings("resource") // closed in close()
    ContainerRedis() {
        this.port = Ports.free();
        this.container = new GenericContainer<>(IMAGE)
                // Explicit command: the official image and a stand-in built from Debian packages both accept it.
                .withCommand("redis-server", "--protected-mode", "no", "--save", "", "--appendonly", "no")
                .withExposedPorts(6379)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(
                        new PortBinding(Binding.bindIpAndPort("127.0.0.1", port), ExposedPort.tcp(6379))))
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1)
                        .withStartupTimeout(Duration.ofSeconds(60)));
        container.start();
        RedisPing.awaitAnswer("127.0.0.1", port, Duration.ofSeconds(30));
    }

    static boolean engineAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    @Override
    public String route() {
        return "containers (" + IMAGE + ", port " + port + ")";
    }

    @Override
    public void stop() {
        DockerClientFactory.instance().client().stopContainerCmd(container.getContainerId()).withTimeout(5).exec();
    }

    @Override
    public void start() {
        DockerClientFactory.instance().client().startContainerCmd(container.getContainerId()).exec();
        RedisPing.awaitAnswer("127.0.0.1", port, Duration.ofSeconds(30));
    }

    @Override
    public void pause() {
        DockerClientFactory.instance().client().pauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public void resume() {
        DockerClientFactory.instance().client().unpauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public void close() {
        container.stop(); // removes the container too: tests leave nothing behind even with Ryuk off
    }
}
