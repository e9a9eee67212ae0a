package io.semistream.cli;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/**
 * The life of a long-running command: what it started is closed in reverse order exactly once, either by
 * Ctrl-C (a JVM shutdown hook: the JVM exits when hooks finish, so the hook itself does the clean shutdown,
 * pending batches committed) or by the command itself when it ends on its own.
 */
final class ServiceLifecycle {
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final Thread hook;
  private boolean closing;

  ServiceLifecycle(String name) {
    hook = new Thread(this::closeAll, name + "-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Registers {@code resource} to be closed before everything registered earlier; returns it. */
  synchronized <T extends AutoCloseable> T own(T resource) {
    started.push(resource);
    return resource;
  }

  /** Blocks until Ctrl-C has closed everything. */
  void awaitShutdown() throws InterruptedException {
    closed.await();
  }

  /** Blocks while {@code running} holds (checked every 500 ms) or until Ctrl-C. */
  void awaitWhile(BooleanSupplier running) throws InterruptedException {
    while (running.getAsBoolean() && closed.getCount() > 0) {
      Thread.sleep(500);
    }
  }

  /** The command ends on its own: close everything now, without waiting for the JVM's hooks. */
  void shutdownNow() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook runs anyway
    }
    closeAll();
  }

  private void closeAll() {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    while (!started.isEmpty()) {
      AutoCloseable c = started.pop();
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("while stopping: " + e);
      }
    }
    closed.countDown();
  }
}
