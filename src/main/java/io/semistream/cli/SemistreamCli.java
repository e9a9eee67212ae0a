package io.semistream.cli;
public class SemistreamCli { public static void main(String[] a) {} }
