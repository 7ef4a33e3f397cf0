package dev.dialogue.spring;

import dev.dialogue.Authenticator;
import dev.dialogue.Dialogue;
import dev.dialogue.DialogueListener;
import dev.dialogue.EventDefinition;
import dev.dialogue.EventInterceptor;
import dev.dialogue.HistoryCleanup;
import dev.dialogue.HistoryLoader;
import dev.dialogue.HistoryStore;
import dev.dialogue.JoinPolicy;
import dev.dialogue.RoomConfig;
import dev.dialogue.RoomCreationPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configures a {@link Dialogue} server, started and stopped with the application context.
 *
 * <p>The {@code Dialogue} bean is built from the {@link DialogueProperties} ({@code dialogue.*})
 * and the application's beans: every {@link RoomConfig} (rooms, in bean order), {@link
 * EventDefinition} (global definitions), {@link DialogueCommand} (global commands), {@link
 * EventInterceptor} and {@link DialogueListener} (in order), and the single {@link Authenticator},
 * {@link JoinPolicy}, {@link RoomCreationPolicy}, {@link HistoryStore}, {@link HistoryCleanup} and
 * {@link HistoryLoader} if there is one; then every {@link DialogueBuilderCustomizer}.
 *
 * <p>Every bean backs off when the application defines its own of the same type. Authentication
 * denies by default: without an {@code Authenticator} bean, a {@code dialogue.auth.jwt.secret} or
 * {@code public-key}, or {@code dialogue.auth.development-mode=true}, every connection is refused.
 * {@code dialogue.enabled=false} turns all of it off.
 */
@AutoConfiguration(
    afterName =
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass(Dialogue.class)
@ConditionalOnProperty(name = "dialogue.enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(DialogueProperties.class)
public class DialogueAutoConfiguration {
  private static final Logger LOG = LoggerFactory.getLogger(DialogueAutoConfiguration.class);

  /** Created by Spring. */
  public DialogueAutoConfiguration() {}

  /** The server: the properties, then the application's hook beans, then the customizers. */
  @Bean
  @ConditionalOnMissingBean
  public Dialogue dialogue(
      DialogueProperties properties,
      ObjectProvider<RoomConfig> rooms,
      ObjectProvider<EventDefinition<?>> events,
      ObjectProvider<DialogueCommand> commands,
      ObjectProvider<Authenticator> authenticator,
      ObjectProvider<JoinPolicy> joinPolicy,
      ObjectProvider<RoomCreationPolicy> roomCreationPolicy,
      ObjectProvider<EventInterceptor> interceptors,
      ObjectProvider<DialogueListener> listeners,
      ObjectProvider<HistoryStore> historyStore,
      ObjectProvider<HistoryCleanup> historyCleanup,
      ObjectProvider<HistoryLoader> historyLoader,
      ObjectProvider<DialogueBuilderCustomizer> customizers) {
    Dialogue.Builder builder = Dialogue.builder();
    PropertiesApplier.apply(properties, builder);
    rooms.orderedStream().forEach(builder::room);
    events.orderedStream().forEach(builder::event);
    commands.orderedStream().forEach(command -> command.register(builder));
    Authenticator auth = authenticator.getIfAvailable();
    warnAbout(auth);
    if (auth != null) {
      builder.authenticator(auth);
    }
    joinPolicy.ifAvailable(builder::joinPolicy);
    roomCreationPolicy.ifAvailable(builder::roomCreationPolicy);
    interceptors.orderedStream().forEach(builder::interceptor);
    listeners.orderedStream().forEach(builder::listener);
    historyStore.ifAvailable(builder::historyStore);
    historyCleanup.ifAvailable(builder::historyCleanup);
    historyLoader.ifAvailable(builder::historyLoader);
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  private static void warnAbout(Authenticator auth) {
    if (auth == null) {
      LOG.warn(
          "Dialogue runs in development mode (dialogue.auth.development-mode=true): it trusts the"
              + " userId every client sends");
    } else if (auth instanceof RefusingAuthenticator) {
      LOG.warn(
          "Dialogue refuses every connection: define an Authenticator bean, set"
              + " dialogue.auth.jwt.secret or dialogue.auth.jwt.public-key, or (for local"
              + " development only) dialogue.auth.development-mode=true");
    }
  }

  /** Starts {@link #dialogue} with the context and stops it before the context's beans go. */
  @Bean
  @ConditionalOnMissingBean
  public DialogueLifecycle dialogueLifecycle(Dialogue dialogue) {
    return new DialogueLifecycle(dialogue);
  }

  /**
   * dialogue-jwt's {@code JwtAuthenticator}, when {@code dialogue.auth.jwt.secret} or {@code
   * public-key} is set (the start fails if the artifact is missing, rather than run open).
   */
  @Bean
  @ConditionalOnMissingBean(Authenticator.class)
  @Conditional(AuthConditions.JwtConfigured.class)
  public Authenticator dialogueJwtAuthenticator(DialogueProperties properties) {
    return JwtAuthenticators.create(
        properties.getAuth().getJwt(), DialogueAutoConfiguration.class.getClassLoader());
  }

  /**
   * Refuses every connection when the application configured no way to authenticate and did not ask
   * for development mode.
   */
  @Bean
  @ConditionalOnMissingBean(Authenticator.class)
  @Conditional(AuthConditions.NothingConfigured.class)
  public Authenticator dialogueRefusingAuthenticator() {
    return new RefusingAuthenticator();
  }

  /**
   * dialogue-jdbc's {@code JdbcHistoryStore}, when {@code dialogue.history.jdbc-url} is set (the
   * start fails if the artifact is missing). Closed by the {@code Dialogue}'s stop, and again (a
   * no-op) by the context.
   */
  @Bean
  @ConditionalOnMissingBean(HistoryStore.class)
  @ConditionalOnProperty("dialogue.history.jdbc-url")
  public HistoryStore dialogueHistoryStore(DialogueProperties properties) {
    return JdbcHistoryStores.create(
        properties.getHistory(), DialogueAutoConfiguration.class.getClassLoader());
  }

  /**
   * Micrometer, when {@code dialogue-micrometer} is on the classpath and the application has a
   * {@code MeterRegistry} bean (Spring Boot's metrics auto-configuration, which runs before this
   * one, makes it): the server reports to a {@link dev.dialogue.micrometer.DialogueMetrics} bound
   * to that registry. An application's own {@code DialogueMetrics} bean (to tag rooms by kind, for
   * example) is used instead of the default one.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(
      name = {
        "io.micrometer.core.instrument.MeterRegistry",
        "dev.dialogue.micrometer.DialogueMetrics"
      })
  static class MicrometerConfiguration {
    @Bean
    @ConditionalOnMissingBean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnBean(
        io.micrometer.core.instrument.MeterRegistry.class)
    dev.dialogue.micrometer.DialogueMetrics dialogueMetrics(
        io.micrometer.core.instrument.MeterRegistry registry) {
      dev.dialogue.micrometer.DialogueMetrics metrics =
          dev.dialogue.micrometer.DialogueMetrics.builder().build();
      metrics.bindTo(registry);
      return metrics;
    }

    @Bean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnBean(
        dev.dialogue.micrometer.DialogueMetrics.class)
    DialogueBuilderCustomizer dialogueMetricsObserver(
        dev.dialogue.micrometer.DialogueMetrics metrics) {
      return builder -> builder.observer(metrics);
    }
  }
}
