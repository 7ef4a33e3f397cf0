package dev.dialogue.examples.chat.files;

/**
 * Attachments on disk with their metadata in the app's database. To be written (see the chat
 * issue's file slice): store with size and type limits, image dimensions and thumbnails, voice
 * notes with a duration limit.
 */
public final class FileStore {
  private FileStore() {}
}
