/**
 * The test kit for applications built on Dialogue: {@link
 * dev.dialogue.test.DialogueServerExtension} (JUnit 5) runs the application's server on a free
 * port, {@link dev.dialogue.test.TestClient} and {@link dev.dialogue.test.TestRoom} are Java
 * clients with blocking calls and {@link dev.dialogue.test.Recorder}s that wait for events with a
 * timeout, {@link dev.dialogue.test.TestClient#drop()} and {@link
 * dev.dialogue.test.TestClient#blackHole()} break a client's network, and {@link
 * dev.dialogue.test.TestClock} is a clock the test moves. The guide is {@code docs/testing.md}.
 */
package dev.dialogue.test;
