package dev.dialogue.examples.chat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.dialogue.AuthResult;
import dev.dialogue.Authenticator;
import dev.dialogue.jwt.JwtAuthenticator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Accounts and sessions: sign-up and sign-in with bcrypt-hashed passwords, HS256 session tokens,
 * sign-out by revoking a token's id, and the socket authenticator (the library's {@link
 * JwtAuthenticator}, wrapped to refuse revoked tokens, unknown and banned users).
 */
final class Accounts {
  static final Pattern USERNAME = Pattern.compile("[a-z0-9_.-]{2,32}");
  static final int MIN_PASSWORD = 8;
  static final int MAX_PASSWORD_BYTES = 72; // bcrypt reads no further
  static final Duration TOKEN_LIFETIME = Duration.ofDays(30);
  private static final int BCRYPT_COST = 10;
  private static final int MAX_FAILURES_PER_MINUTE = 10;

  /** A signed-in user as the HTTP side and the commands see it. */
  record User(String id, String username, String displayName, boolean banned, long mutedUntil) {
    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("id", id);
      json.put("username", username);
      json.put("displayName", displayName);
      return json;
    }
  }

  /** A verified session token. */
  record Session(User user, String jti, long expiresAt) {}

  private final ChatDb db;
  private final Clock clock;
  private final byte[] secret;
  private final JwtAuthenticator jwt;
  private final SecureRandom random = new SecureRandom();
  private final byte[] dummyHash;
  private final Map<String, long[]> failures = new ConcurrentHashMap<>();

  Accounts(ChatDb db, byte[] secret, Clock clock) {
    this.db = db;
    this.secret = secret.clone();
    this.clock = clock;
    this.jwt = JwtAuthenticator.hs256(secret).clock(clock).build();
    this.dummyHash = BCrypt.withDefaults().hash(BCRYPT_COST, "not a password".toCharArray());
  }

  /** The signing secret kept in {@code dataDir/secret}, made on first start. */
  static byte[] loadSecret(Path dataDir) throws IOException {
    Path file = dataDir.resolve("secret");
    if (Files.exists(file)) {
      return Base64.getDecoder().decode(Files.readString(file).trim());
    }
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    Files.createDirectories(dataDir);
    Path tmp = dataDir.resolve("secret.tmp");
    Files.writeString(tmp, Base64.getEncoder().encodeToString(secret));
    try {
      Files.setPosixFilePermissions(
          tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the directory's own permissions apply
    }
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return secret;
  }

  /** Creates an account; the caller adds it to the workspace. */
  User signUp(String username, String displayName, String password) throws ApiError {
    String name = username == null ? "" : username.trim().toLowerCase(java.util.Locale.ROOT);
    if (!USERNAME.matcher(name).matches()) {
      throw new ApiError(
          400, "BAD_USERNAME", "A username is 2 to 32 of a-z, 0-9, '_', '.' and '-'");
    }
    checkPassword(password);
    String shown = displayName == null || displayName.isBlank() ? name : displayName.trim();
    if (shown.length() > 64 || shown.chars().anyMatch(Character::isISOControl)) {
      throw new ApiError(400, "BAD_DISPLAY_NAME", "A display name is at most 64 characters");
    }
    String id = "u_" + Ids.random(10);
    String hash =
        new String(
            BCrypt.withDefaults().hash(BCRYPT_COST, password.toCharArray()),
            StandardCharsets.UTF_8);
    boolean inserted =
        db.insertOnce(
            "insert into chat_user (id, username, display_name, password_hash, created_at)"
                + " values (?, ?, ?, ?, ?)",
            id,
            name,
            shown,
            hash,
            clock.millis());
    if (!inserted) {
      throw new ApiError(409, "USERNAME_TAKEN", "The username '" + name + "' is taken");
    }
    return new User(id, name, shown, false, 0);
  }

  private static void checkPassword(String password) throws ApiError {
    if (password == null || password.length() < MIN_PASSWORD) {
      throw new ApiError(400, "BAD_PASSWORD", "A password has at least 8 characters");
    }
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      throw new ApiError(400, "BAD_PASSWORD", "A password has at most 72 bytes");
    }
  }

  /** Checks the password; throws 401 for a wrong one, 403 for a banned user, 429 when hammered. */
  User signIn(String username, String password) throws ApiError {
    String name = username == null ? "" : username.trim().toLowerCase(java.util.Locale.ROOT);
    long now = clock.millis();
    long[] window = failures.get(name);
    if (window != null && now - window[0] < 60_000 && window[1] >= MAX_FAILURES_PER_MINUTE) {
      throw new ApiError(429, "TOO_MANY_ATTEMPTS", "Too many failed sign-ins; wait a minute");
    }
    Optional<String[]> row =
        db.one(
            "select id, password_hash from chat_user where username = ?",
            rs -> new String[] {rs.getString(1), rs.getString(2)},
            name);
    byte[] hash = row.map(r -> r[1].getBytes(StandardCharsets.UTF_8)).orElse(dummyHash);
    boolean ok =
        password != null
            && password.getBytes(StandardCharsets.UTF_8).length <= MAX_PASSWORD_BYTES
            && BCrypt.verifyer().verify(password.toCharArray(), hash).verified;
    if (!ok || row.isEmpty()) {
      if (row.isEmpty()) {
        // No account to protect: not counted, so made-up names cannot grow the map.
        throw new ApiError(401, "BAD_CREDENTIALS", "Wrong username or password");
      }
      failures.compute(
          name,
          (k, w) ->
              w == null || now - w[0] >= 60_000
                  ? new long[] {now, 1}
                  : new long[] {w[0], w[1] + 1});
      throw new ApiError(401, "BAD_CREDENTIALS", "Wrong username or password");
    }
    failures.remove(name);
    User user = find(row.get()[0]).orElseThrow();
    if (user.banned()) {
      throw new ApiError(403, "BANNED", "This account is banned");
    }
    return user;
  }

  Optional<User> find(String id) {
    return db.one(
        "select id, username, display_name, banned, muted_until from chat_user where id = ?",
        Accounts::user,
        id);
  }

  Optional<User> findByUsername(String username) {
    return db.one(
        "select id, username, display_name, banned, muted_until from chat_user where username = ?",
        Accounts::user,
        username);
  }

  static User user(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new User(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4), rs.getLong(5));
  }

  /** A fresh session token for {@code user}. */
  String issueToken(User user) {
    long now = clock.millis();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(user.id())
            .claim("name", user.username())
            .jwtID(Ids.random(16))
            .issueTime(new Date(now))
            .expirationTime(new Date(now + TOKEN_LIFETIME.toMillis()))
            .build();
    SignedJWT token = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
    try {
      token.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a session token", e);
    }
    return token.serialize();
  }

  /** The session of a valid, unrevoked token of an existing user that is not banned. */
  Optional<Session> verify(String token) {
    if (token == null || token.isBlank() || token.length() > 8192) {
      return Optional.empty();
    }
    try {
      SignedJWT jwt = SignedJWT.parse(token.trim());
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())
          || !jwt.verify(new MACVerifier(secret))) {
        return Optional.empty();
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Date exp = claims.getExpirationTime();
      if (exp == null || exp.getTime() <= clock.millis() || claims.getSubject() == null) {
        return Optional.empty();
      }
      String jti = claims.getJWTID();
      if (jti == null || isRevoked(jti)) {
        return Optional.empty();
      }
      return find(claims.getSubject())
          .filter(u -> !u.banned())
          .map(u -> new Session(u, jti, exp.getTime()));
    } catch (ParseException | JOSEException e) {
      return Optional.empty();
    }
  }

  void revoke(Session session) {
    db.insertOnce(
        "insert into chat_revoked (jti, expires_at) values (?, ?)",
        session.jti(),
        session.expiresAt());
    db.update("delete from chat_revoked where expires_at < ?", clock.millis());
  }

  boolean isRevoked(String jti) {
    return db.count("select count(*) from chat_revoked where jti = ?", jti) > 0;
  }

  void setBanned(String userId, boolean banned) {
    db.update("update chat_user set banned = ? where id = ?", banned, userId);
  }

  void setMutedUntil(String userId, long until) {
    db.update("update chat_user set muted_until = ? where id = ?", until, userId);
  }

  /**
   * The socket authenticator: the library's JWT check (signature, expiry, subject), then the app's
   * own: the token not revoked, the user known and not banned.
   */
  Authenticator authenticator() {
    return handshake -> {
      AuthResult result = jwt.authenticate(handshake);
      if (!result.accepted()) {
        return result;
      }
      Object jti = result.claims().get("jti");
      if (!(jti instanceof String) || isRevoked((String) jti)) {
        return AuthResult.reject("Token revoked");
      }
      Optional<User> user = find(result.userId());
      if (user.isEmpty()) {
        return AuthResult.reject("Unknown user");
      }
      if (user.get().banned()) {
        return AuthResult.reject("Banned");
      }
      return result;
    };
  }
}
