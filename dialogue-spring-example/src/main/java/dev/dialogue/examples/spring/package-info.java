/**
 * The Spring Boot example: a chat server configured with beans and {@code application.properties}
 * through {@code dialogue-spring-boot-starter}. Not API; see docs/spring-boot.md.
 */
package dev.dialogue.examples.spring;
