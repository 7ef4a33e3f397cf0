/**
 * The reference server: a fixed configuration of rooms and identity rules that conformance suites
 * and benchmarks run against.
 *
 * <pre>
 * bin/dialogue-example reference --port 3000                  # development mode
 * bin/dialogue-example reference --port 0 --jwt-secret "$S"   # HS256 JWT required
 * </pre>
 *
 * <p>In tests, {@code ReferenceServer.start("--host", "127.0.0.1", "--port", "0")} returns the
 * running {@link dev.dialogue.Dialogue}.
 */
package dev.dialogue.examples.reference;
