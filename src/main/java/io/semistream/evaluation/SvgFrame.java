package io.semistream.evaluation;

/** The frame every bench chart shares: the SVG header, a white background, a title, and the two axes. */
final class SvgFrame {
  private SvgFrame() {
  }

  /** Opens an SVG of {@code w}×{@code h} with the title at the top and axes from (left, h − bottom). */
  static StringBuilder open(int w, int h, int left, int bottom, int top, int plotW, String title) {
    StringBuilder s = new StringBuilder();
    s.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "font-family=\"sans-serif\" font-size=\"12\">%n", w, h));
    s.append(String.format("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
    s.append(String.format("<text x=\"%d\" y=\"18\">%s</text>%n", left, title));
    s.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", left, h - bottom,
        left + plotW, h - bottom));
    s.append(String.format("<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", left, top, left,
        h - bottom));
    return s;
  }
}
