package io.semistream.records.planted;

import io.semistream.cli.SemistreamCli;

/** Test fixture only: a class in the records layer that reaches up into the CLI, which the layering forbids. */
public final class PlantedViolation {
  public static String name() {
    return SemistreamCli.class.getName();
  }
}
