package dev.dialogue.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The real Redis the scale-out tests run against: started, spoken to, separate, stopped. */
@Timeout(60)
class TestRedisTest {
  @Test
  void aServerOfItsOwn_answers_keepsData_andGoesAwayWhenClosed() throws IOException {
    TestRedis shared = TestRedis.shared();
    try (TestRedis own = TestRedis.start()) {
      assertThat(own.port()).isNotEqualTo(shared.port());
      assertThat(own.uri()).isEqualTo("redis://127.0.0.1:" + own.port());
      assertThat(own.command("PING")).isEqualTo("PONG");
      assertThat(own.command("SET", "room:1", "héllo")).isEqualTo("OK");
      assertThat(own.command("GET", "room:1")).isEqualTo("héllo");
      assertThat(own.command("INCR", "offset")).isEqualTo("1");
      assertThat(own.command("GET", "nothing")).isNull();
      assertThat(own.command("NOSUCHCOMMAND")).startsWith("-ERR");
      assertThat(shared.command("GET", "room:1")).as("separate servers").isNull();
      own.flushAll();
      assertThat(own.command("DBSIZE")).isEqualTo("0");
      own.close();
      assertThatThrownBy(() -> own.command("PING")).isInstanceOf(IOException.class);
    }
  }
}
