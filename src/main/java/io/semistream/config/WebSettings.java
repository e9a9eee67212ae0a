package io.semistream.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The web view: where it is served, how many recent images it keeps for thumbnails, and the token without which
 * it cannot write (labels); an empty token leaves the view read-only.
 */
public record WebSettings(String host, int port, String labelToken, int thumbnails) {
  public static final String HOST = "web.host";
  public static final String PORT = "web.port";
  public static final String LABEL_TOKEN = "web.label.token";
  public static final String THUMBNAILS = "web.thumbnails.max";
  /** Short tokens are guessable: a page that writes to the labels topic deserves a real secret. */
  public static final int MIN_TOKEN_LENGTH = 16;

  public WebSettings {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("web host must not be empty");
    }
    if (port < -1 || port > 65535) {
      throw new IllegalArgumentException("web port must be -1..65535, got " + port);
    }
    labelToken = labelToken == null ? "" : labelToken;
    if (!labelToken.isEmpty() && labelToken.length() < MIN_TOKEN_LENGTH) {
      throw new IllegalArgumentException(LABEL_TOKEN + " must be empty (labelling off) or at least "
          + MIN_TOKEN_LENGTH + " characters");
    }
    if (thumbnails < 1) {
      throw new IllegalArgumentException(THUMBNAILS + " must be >= 1");
    }
  }

  static void define(ConfigDef def) {
    def.define(HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
            "Address the web view binds to (0.0.0.0 inside a container).")
        .define(PORT, Type.INT, 8480, Range.between(-1, 65535), Importance.MEDIUM,
            "Port of the web view (classes, live stream, anomalies, label queue, model); 0: a free port, -1: off.")
        .define(LABEL_TOKEN, Type.PASSWORD, "", WebSettings::checkToken, Importance.MEDIUM,
            "Secret a person types into the label queue to send labels (at least " + MIN_TOKEN_LENGTH
                + " characters); empty: the web view is read-only.")
        .define(THUMBNAILS, Type.INT, 2000, Range.between(1, 100_000), Importance.LOW,
            "Recent images the web view keeps for thumbnails, exemplars and the label queue (oldest dropped).");
  }

  /** Reported with the other bad values at start-up; the message never repeats the secret. */
  private static void checkToken(String name, Object value) {
    String token = value == null ? "" : ((org.apache.kafka.common.config.types.Password) value).value();
    if (!token.isEmpty() && token.length() < MIN_TOKEN_LENGTH) {
      throw new org.apache.kafka.common.config.ConfigException(name + " must be empty (labelling off) or at least "
          + MIN_TOKEN_LENGTH + " characters; the one given has " + token.length());
    }
  }

  static WebSettings read(ParsedValues v) {
    return new WebSettings(v.string(HOST), v.integer(PORT), v.secret(LABEL_TOKEN), v.integer(THUMBNAILS));
  }

  public boolean enabled() {
    return port >= 0;
  }

  public boolean labellingEnabled() {
    return !labelToken.isEmpty();
  }

  public WebSettings withPort(int newPort) {
    return new WebSettings(host, newPort, labelToken, thumbnails);
  }

  @Override
  public String toString() {
    return "WebSettings[host=" + host + ", port=" + port + ", labelToken=" + (labelToken.isEmpty() ? "(none)"
        : "[hidden]") + ", thumbnails=" + thumbnails + "]";
  }
}
