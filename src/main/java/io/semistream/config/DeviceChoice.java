package io.semistream.config;

/** Where the model runs: AUTO picks the GPU when DJL reports one. */
public enum DeviceChoice { AUTO, CPU, GPU }
