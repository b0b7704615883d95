/**
 * Preloaded into the server by bench/memory.ts (`node --expose-gc -r bench/support/memory-probe.js
 * dist/main.js ...`, spawned with an IPC channel): on the message "measure" it runs full garbage
 * collections and answers with process.memoryUsage(), so the bench reads the live heap, not garbage
 * that a collection has not reached yet. Plain JavaScript: ts-node in the server would be measured too.
 */
'use strict';
/* global process, global, require */
/* eslint-disable @typescript-eslint/no-require-imports -- plain JavaScript preloaded with node -r */
if (typeof process.send === 'function' && typeof global.gc === 'function') {
  process.on('message', (message) => {
    if (message && typeof message.snapshot === 'string') {
      // --snapshot DIR of bench/memory.ts: a heap snapshot to see what the streams hold.
      process.send({ snapshot: require('node:v8').writeHeapSnapshot(message.snapshot) });
      return;
    }
    if (message !== 'measure') return;
    // Two passes: the first can leave objects that only weak callbacks or finalizers release.
    global.gc();
    global.gc();
    process.send({ memory: process.memoryUsage() });
  });
  // The channel must not keep a server alive that is told to exit.
  if (process.channel) process.channel.unref();
}
