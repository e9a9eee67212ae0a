package io.semistream.evaluation;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Counts the JVM's stop-the-world collections while it listens (G1's concurrent cycles are left out: they do not
 * stop the application's threads), so that a latency bench can tell a collector pause from other stalls.
 */
final class GcPauses implements AutoCloseable {
  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener = this::onNotification;
  private int count;
  private long longestMs;

  private GcPauses() {
  }

  static GcPauses listen() {
    GcPauses pauses = new GcPauses();
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (bean instanceof NotificationEmitter emitter && !bean.getName().contains("Concurrent")) {
        emitter.addNotificationListener(pauses.listener, null, null);
        pauses.emitters.add(emitter);
      }
    }
    return pauses;
  }

  private synchronized void onNotification(Notification n, Object handback) {
    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
      var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
      count++;
      longestMs = Math.max(longestMs, info.getGcInfo().getDuration());
    }
  }

  synchronized void reset() {
    count = 0;
    longestMs = 0;
  }

  synchronized int count() {
    return count;
  }

  synchronized double longestMs() {
    return count == 0 ? 0 : longestMs;
  }

  @Override
  public void close() {
    for (NotificationEmitter e : emitters) {
      try {
        e.removeNotificationListener(listener);
      } catch (ListenerNotFoundException ignored) {
        // never added: nothing to remove
      }
    }
  }
}
