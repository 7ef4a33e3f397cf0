package dev.dialogue.client;

import java.util.concurrent.TimeUnit;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;

/**
 * The OkHttp client all Dialogue clients share. OkHttp 3's default dispatcher allows 64 calls, and
 * every websocket holds one for its lifetime, which caps a JVM at 64 connections.
 */
final class SharedHttp {
  static final OkHttpClient CLIENT;

  static {
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(100_000);
    dispatcher.setMaxRequestsPerHost(100_000);
    CLIENT =
        new OkHttpClient.Builder()
            .dispatcher(dispatcher)
            .readTimeout(1, TimeUnit.MINUTES)
            .pingInterval(0, TimeUnit.SECONDS)
            .build();
  }

  private SharedHttp() {}
}
