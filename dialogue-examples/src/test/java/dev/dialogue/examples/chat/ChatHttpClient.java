package dev.dialogue.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** The chat's HTTP API as the tests call it: JSON in, status and JSON (or bytes) out. */
final class ChatHttpClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;

  ChatHttpClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  record Answer(int status, JsonNode json, byte[] bytes, HttpResponse<byte[]> response) {
    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }
  }

  Answer post(String path, Map<String, ?> body) {
    try {
      return send(
          HttpRequest.newBuilder(URI.create(base + path))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
              .build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Answer upload(String token, String query, String type, byte[] bytes) {
    return send(
        HttpRequest.newBuilder(URI.create(base + "/api/files?" + query))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", type)
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build());
  }

  Answer get(String path, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return send(request.GET().build());
  }

  Answer getWithCookie(String path, String cookie) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", cookie).GET().build());
  }

  /** Signs in and returns the token. */
  String signIn(String username, String password) {
    Answer answer = post("/api/signin", Map.of("username", username, "password", password));
    if (answer.status() != 200) {
      throw new AssertionError(
          "sign-in of " + username + " failed: " + answer.status() + " " + answer.json());
    }
    return answer.json().get("token").asText();
  }

  private Answer send(HttpRequest request) {
    try {
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json = null;
      String type = response.headers().firstValue("Content-Type").orElse("");
      if (type.startsWith("application/json")) {
        json = JSON.readTree(response.body());
      }
      return new Answer(response.statusCode(), json, response.body(), response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
