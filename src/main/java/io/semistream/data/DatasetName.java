package io.semistream.data;

import java.util.List;

/** The data sets semistream ships with (npm packages pinned in data/npm/package-lock.json). */
public enum DatasetName {
  FASHION_MNIST("fashion-mnist", "fashion-mnist/src/clothes", List.of(
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"), 1.0),
  MNIST("mnist", "mnist/src/digits", List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), 255.0);

  private final String id;
  private final String jsonDir;
  private final List<String> classNames;
  private final double pixelScale;

  DatasetName(String id, String jsonDir, List<String> classNames, double pixelScale) {
    this.pixelScale = pixelScale;
    this.id = id;
    this.jsonDir = jsonDir;
    this.classNames = classNames;
  }

  public String id() {
    return id;
  }

  /** Folder under node_modules holding one JSON file per class (0.json .. 9.json). */
  public String jsonDir() {
    return jsonDir;
  }

  /** Multiplier from the JSON's pixel values to 0–255: Fashion-MNIST holds integers, MNIST 0–1 floats. */
  public double pixelScale() {
    return pixelScale;
  }

  public List<String> classNames() {
    return classNames;
  }

  public static DatasetName parse(String id) {
    for (DatasetName d : values()) {
      if (d.id.equals(id)) {
        return d;
      }
    }
    throw new IllegalArgumentException("unknown data set '" + id + "' (known: fashion-mnist, mnist)");
  }
}
