package dev.dialogue.micrometer;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.MDC;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMDCAdapter;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * An SLF4J provider for this module's tests (chosen with the system property {@code slf4j.provider}
 * in the POM) that keeps every line with a copy of its MDC, so that a test can see what a real log
 * line carries. slf4j-simple's MDC does nothing. Lines at WARN and above are also printed.
 */
public final class RecordingLogs implements SLF4JServiceProvider {
  /** One log line: its logger, level, formatted message and MDC. */
  public record Line(String logger, Level level, String message, Map<String, String> mdc) {}

  static final ConcurrentLinkedQueue<Line> LINES = new ConcurrentLinkedQueue<>();

  private final BasicMDCAdapter mdc = new BasicMDCAdapter();
  private final BasicMarkerFactory markers = new BasicMarkerFactory();

  static List<Line> lines() {
    return List.copyOf(LINES);
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return Recorder::new;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return "2.0.99";
  }

  @Override
  public void initialize() {}

  private static final class Recorder extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;

    Recorder(String name) {
      this.name = name;
    }

    @Override
    public boolean isTraceEnabled() {
      return false;
    }

    @Override
    public boolean isDebugEnabled() {
      return false;
    }

    @Override
    public boolean isInfoEnabled() {
      return true;
    }

    @Override
    public boolean isWarnEnabled() {
      return true;
    }

    @Override
    public boolean isErrorEnabled() {
      return true;
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] args, Throwable thrown) {
      String message = MessageFormatter.basicArrayFormat(pattern, args);
      Map<String, String> context = MDC.getCopyOfContextMap();
      LINES.add(new Line(name, level, message, context == null ? Map.of() : context));
      if (level.toInt() >= Level.WARN.toInt()) {
        System.err.println(level + " " + name + " " + message + " " + context);
        if (thrown != null) {
          thrown.printStackTrace();
        }
      }
    }
  }
}
