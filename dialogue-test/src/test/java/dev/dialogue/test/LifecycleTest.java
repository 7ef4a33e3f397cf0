package dev.dialogue.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.dialogue.Dialogue;
import dev.dialogue.client.ConnectionState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * When the extension starts and stops servers and closes clients: sample classes run through
 * JUnit's own engine, recording what they saw.
 */
@Timeout(120)
class LifecycleTest {
  static final List<Integer> ports = new CopyOnWriteArrayList<>();
  static final List<TestClient> clients = new CopyOnWriteArrayList<>();
  static final List<Dialogue> servers = new CopyOnWriteArrayList<>();

  private static void runSample(Class<?> sample) {
    ports.clear();
    clients.clear();
    servers.clear();
    EngineTestKit.engine("junit-jupiter")
        .configurationParameter(SampleOnly.KEY, "true")
        .selectors(selectClass(sample))
        .execute()
        .testEvents()
        .assertStatistics(stats -> stats.failed(0).skipped(0));
  }

  @Test
  void aStaticField_oneServerForTheClass_clientsClosedAfterEachTest() {
    runSample(PerClassSample.class);

    assertThat(ports).hasSize(3);
    assertThat(ports.get(0)).isEqualTo(ports.get(1)).isEqualTo(ports.get(2));
    assertThat(servers).hasSize(3).allMatch(s -> s == servers.get(0));
    assertThat(clients).hasSize(3);
    // The @BeforeAll client lived through both tests (checked inside them); all are closed now.
    assertThat(clients).allMatch(c -> c.state() == ConnectionState.DISCONNECTED);
    assertThat(accepts(ports.get(0))).isFalse();
  }

  @Test
  void anInstanceField_aNewServerForEveryTest() {
    runSample(PerTestSample.class);

    assertThat(ports).hasSize(2);
    assertThat(servers.get(0)).isNotSameAs(servers.get(1));
    assertThat(accepts(ports.get(0))).isFalse();
    assertThat(accepts(ports.get(1))).isFalse();
    assertThat(clients).allMatch(c -> c.state() == ConnectionState.DISCONNECTED);
  }

  @Test
  void nestedClasses_shareTheOuterServer() {
    runSample(NestedSample.class);
    assertThat(ports).hasSize(2);
    assertThat(ports.get(0)).isEqualTo(ports.get(1));
    assertThat(accepts(ports.get(0))).isFalse();
  }

  @Test
  void outsideItsLifetime_theExtensionSaysHowToUseIt() {
    DialogueServerExtension idle =
        DialogueServerExtension.of(() -> ChatApp.builder(TestClock.atFixedStart()));
    assertThatThrownBy(idle::port)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("@RegisterExtension");
  }

  @Test
  void byHand_startAndClose() {
    int port;
    try (DialogueServerExtension manual =
        DialogueServerExtension.of(() -> ChatApp.builder(TestClock.atFixedStart())).start()) {
      port = manual.port();
      assertThat(manual.client("zoe").join("chat").id()).isEqualTo("chat");
    }
    assertThat(accepts(port)).isFalse();
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The samples run only through {@link #runSample}, not on their own (a -Dtest pattern). */
  static final class SampleOnly implements ExecutionCondition {
    static final String KEY = "dev.dialogue.test.lifecycleSample";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      return context.getConfigurationParameter(KEY).isPresent()
          ? ConditionEvaluationResult.enabled("run by LifecycleTest")
          : ConditionEvaluationResult.disabled("a sample of LifecycleTest");
    }
  }

  @ExtendWith(SampleOnly.class)
  @TestMethodOrder(MethodOrderer.MethodName.class)
  static class PerClassSample {
    @RegisterExtension
    static DialogueServerExtension server =
        DialogueServerExtension.of(() -> ChatApp.builder(TestClock.atFixedStart()));

    static TestClient keeper;

    @BeforeAll
    static void connectKeeper() {
      keeper = server.client("keeper");
      clients.add(keeper);
      ports.add(server.port());
      servers.add(server.dialogue());
    }

    @Test
    void first() {
      clients.add(server.client("first"));
      ports.add(server.port());
      servers.add(server.dialogue());
      assertThat(keeper.state()).isEqualTo(ConnectionState.CONNECTED);
    }

    @Test
    void second() {
      ports.add(server.port());
      servers.add(server.dialogue());
      assertThat(clients.get(1).state()).isEqualTo(ConnectionState.DISCONNECTED);
      assertThat(keeper.state()).isEqualTo(ConnectionState.CONNECTED);
      clients.add(server.client("second"));
    }
  }

  @ExtendWith(SampleOnly.class)
  @TestMethodOrder(MethodOrderer.MethodName.class)
  static class PerTestSample {
    @RegisterExtension
    DialogueServerExtension server =
        DialogueServerExtension.of(() -> ChatApp.builder(TestClock.atFixedStart()));

    @Test
    void first() {
      ports.add(server.port());
      servers.add(server.dialogue());
      clients.add(server.client("first"));
    }

    @Test
    void second() {
      assertThat(accepts(ports.get(0))).isFalse();
      ports.add(server.port());
      servers.add(server.dialogue());
      clients.add(server.client("second"));
    }
  }

  @ExtendWith(SampleOnly.class)
  static class NestedSample {
    @RegisterExtension
    static DialogueServerExtension server =
        DialogueServerExtension.of(() -> ChatApp.builder(TestClock.atFixedStart()));

    @Test
    void outer() {
      ports.add(server.port());
    }

    @Nested
    class Inner {
      @Test
      void inner() {
        ports.add(server.port());
      }
    }
  }
}
