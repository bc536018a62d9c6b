// Which JVM garbage collections ARMS counts as full GC and which as young GC, from the collector's name
// (OTel jvm.gc.name, Prometheus `gc`) and the action (OTel jvm.gc.action, Micrometer `action`).

/** `full`: JVM_FullGC; `young`: JVM_YoungGC; `none`: counted in neither (pauses inside a counted cycle). */
export type GcKind = 'full' | 'young' | 'none';

/**
 * The HotSpot collectors (GarbageCollectorMXBean names). Concurrent collectors (ZGC, Shenandoah) report
 * each cycle and, separately, the pauses within it: the cycles are counted (a ZGC or Shenandoah cycle
 * collects the whole heap, so it is a full GC; a generational ZGC minor cycle is a young GC), the pauses
 * are not, or one cycle would count three times. G1's concurrent phase is part of the old-generation
 * marking that ends in a counted collection; it is not counted either.
 */
export const GC_COLLECTORS: ReadonlyMap<string, GcKind> = new Map<string, GcKind>([
  ['G1 Old Generation', 'full'],
  ['PS MarkSweep', 'full'],
  ['MarkSweepCompact', 'full'],
  ['ConcurrentMarkSweep', 'full'],
  ['ZGC Cycles', 'full'],
  ['ZGC Major Cycles', 'full'],
  ['Shenandoah Cycles', 'full'],
  ['G1 Young Generation', 'young'],
  ['PS Scavenge', 'young'],
  ['Copy', 'young'],
  ['ParNew', 'young'],
  ['ZGC Minor Cycles', 'young'],
  ['ZGC Pauses', 'none'],
  ['ZGC Major Pauses', 'none'],
  ['ZGC Minor Pauses', 'none'],
  ['Shenandoah Pauses', 'none'],
  ['G1 Concurrent GC', 'none'],
]);

/** The GarbageCollectionNotificationInfo actions that say the kind outright. */
const GC_ACTIONS: ReadonlyMap<string, GcKind> = new Map<string, GcKind>([
  ['end of major GC', 'full'],
  ['end of minor GC', 'young'],
]);

/**
 * Full or young: by the action when it is `end of major GC` / `end of minor GC`, else by the known
 * collector name; anything else is not counted.
 * @example gcKind('G1 Old Generation', undefined) // 'full'
 */
export function gcKind(collector: string | undefined, action: string | undefined): GcKind {
  const byAction = action === undefined ? undefined : GC_ACTIONS.get(action);
  if (byAction) return byAction;
  return (collector === undefined ? undefined : GC_COLLECTORS.get(collector)) ?? 'none';
}
