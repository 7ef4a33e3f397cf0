package dev.dialogue.examples.game;

import static dev.dialogue.examples.game.GameApi.COLUMNS;
import static dev.dialogue.examples.game.GameApi.ROWS;

import java.util.ArrayList;
import java.util.List;

/** The rules of Four in a Row on a 6 x 7 board: where a disc lands, and whether it won. */
final class Board {
  private final int[][] cells = new int[ROWS][COLUMNS];
  private int discs;

  /** The row a disc dropped into {@code column} lands in, or -1 if the column is full. */
  int landingRow(int column) {
    for (int row = ROWS - 1; row >= 0; row--) {
      if (cells[row][column] == 0) {
        return row;
      }
    }
    return -1;
  }

  /** Drops {@code seat}'s disc; returns its row. The column must not be full. */
  int drop(int column, int seat) {
    int row = landingRow(column);
    if (row < 0) {
      throw new IllegalStateException("column " + column + " is full");
    }
    cells[row][column] = seat;
    discs++;
    return row;
  }

  boolean full() {
    return discs == ROWS * COLUMNS;
  }

  /** The columns that still take a disc. */
  List<Integer> openColumns() {
    List<Integer> open = new ArrayList<>();
    for (int c = 0; c < COLUMNS; c++) {
      if (cells[0][c] == 0) {
        open.add(c);
      }
    }
    return open;
  }

  /** The line of four or more through (row, column) of that cell's seat, or null if none. */
  List<int[]> lineThrough(int row, int column) {
    int seat = cells[row][column];
    int[][] directions = {{0, 1}, {1, 0}, {1, 1}, {1, -1}};
    for (int[] d : directions) {
      List<int[]> line = new ArrayList<>();
      line.add(new int[] {row, column});
      for (int sign = -1; sign <= 1; sign += 2) {
        int r = row + sign * d[0];
        int c = column + sign * d[1];
        while (r >= 0 && r < ROWS && c >= 0 && c < COLUMNS && cells[r][c] == seat) {
          line.add(new int[] {r, c});
          r += sign * d[0];
          c += sign * d[1];
        }
      }
      if (line.size() >= 4) {
        line.sort(
            (a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(a[1], b[1]));
        return line;
      }
    }
    return null;
  }

  int[][] copy() {
    int[][] copy = new int[ROWS][];
    for (int r = 0; r < ROWS; r++) {
      copy[r] = cells[r].clone();
    }
    return copy;
  }
}
