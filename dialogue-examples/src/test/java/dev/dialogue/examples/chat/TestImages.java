package dev.dialogue.examples.chat;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.ImageIO;

/** Files for upload tests, made on the spot. */
final class TestImages {
  private TestImages() {}

  /** A PNG of that size: a gradient with a block, so it is not trivially compressible. */
  static byte[] png(int width, int height) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    for (int x = 0; x < width; x += 8) {
      g.setColor(new Color(40, (x * 255) / width, 200));
      g.fillRect(x, 0, 8, height);
    }
    g.setColor(Color.ORANGE);
    g.fillRect(width / 4, height / 4, width / 2, height / 2);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Width and height of an image. */
  static List<Integer> size(byte[] image) {
    try {
      BufferedImage read = ImageIO.read(new ByteArrayInputStream(image));
      return List.of(read.getWidth(), read.getHeight());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code n} bytes that start as a WebM (EBML) file does. */
  static byte[] webmHeader(int n) {
    byte[] bytes = new byte[n];
    bytes[0] = 0x1A;
    bytes[1] = 0x45;
    bytes[2] = (byte) 0xDF;
    bytes[3] = (byte) 0xA3;
    for (int i = 4; i < n; i++) {
      bytes[i] = (byte) (i * 31);
    }
    return bytes;
  }
}
