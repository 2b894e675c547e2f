// The checkpointer thread, started by the writer thread (writer-thread.mjs)
// when ThreadWriterOptions.checkpointerMs > 0: PASSIVE checkpoints on a
// connection of its own every `everyMs`, so that copying the WAL into the
// database file and the fsyncs happen while the writer goes on committing.
// A PASSIVE checkpoint beside a busy writer never reaches the WAL's end, and
// SQLite rewinds the WAL only after one that did; so once the WAL holds
// `thresholdPages`, this thread asks the writer to pause ('want-final'),
// and when told 'final' runs one more pass, which has only the frames
// written since the last one to copy and reaches the end; the writer's next
// transaction then starts the WAL over.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const { path, durability, everyMs, thresholdPages } = workerData;
const db = new Database(path);
db.pragma('busy_timeout = 0');
db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);

let timer = null;
let stopped = false;
const checkpoint = () => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    return row;
  } catch {
    // SQLITE_BUSY (busy_timeout 0: the writer's own checkpoint runs) or a
    // failing disk: nothing to report from here. The next tick tries again,
    // the writer's backstop checkpoint still bounds the WAL, and a disk that
    // fails the writer's commits is reported to the senders by those.
    return null;
  }
};
const tick = () => {
  timer = null;
  const row = checkpoint();
  if (row && row.log >= thresholdPages) parentPort.postMessage({ t: 'want-final', log: row.log });
  else timer = setTimeout(tick, everyMs);
};
parentPort.on('message', (m) => {
  if (m === 'final') {
    const row = checkpoint();
    parentPort.postMessage({ t: 'final-done', log: row?.log, checkpointed: row?.checkpointed });
    if (!stopped) timer = setTimeout(tick, everyMs);
  } else if (m === 'stop') {
    stopped = true;
    if (timer) clearTimeout(timer);
    db.close();
    parentPort.postMessage({ t: 'stopped' });
    parentPort.close();
  }
});
timer = setTimeout(tick, everyMs);
